// Certificate authorities and certificates made in Pulumi with @pulumi/tls: private keys are
// secrets in state and never exist on the machine running Pulumi as files.
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";

const CA_HOURS = 10 * 365 * 24;
const LEAF_HOURS = 5 * 365 * 24;
/** A `pulumi up` within this window before expiry renews the certificate. */
const RENEW_HOURS = 60 * 24;

export interface KeyPair {
  readonly certPem: pulumi.Output<string>;
  /** Secret. */
  readonly keyPem: pulumi.Output<string>;
}

export interface CertificateAuthority extends KeyPair {
  readonly key: tls.PrivateKey;
  readonly cert: tls.SelfSignedCert;
}

export function privateKey(name: string, opts: pulumi.CustomResourceOptions): tls.PrivateKey {
  return new tls.PrivateKey(name, { algorithm: "RSA", rsaBits: 2048 }, opts);
}

export function createCa(name: string, commonName: string, opts: pulumi.CustomResourceOptions): CertificateAuthority {
  const key = privateKey(`${name}-key`, opts);
  const cert = new tls.SelfSignedCert(
    `${name}-cert`,
    {
      privateKeyPem: key.privateKeyPem,
      subject: { commonName },
      isCaCertificate: true,
      validityPeriodHours: CA_HOURS,
      allowedUses: ["cert_signing", "crl_signing", "digital_signature", "key_encipherment"],
    },
    opts,
  );
  return { key, cert, certPem: cert.certPem, keyPem: key.privateKeyPem };
}

export type Usage = "server" | "client" | "peer";

const USES: Record<Usage, string[]> = {
  // etcd's own gRPC gateway dials its client port with the server certificate: as in kubeadm's
  // etcd PKI, the server certificate is a client certificate too.
  server: ["digital_signature", "key_encipherment", "server_auth", "client_auth"],
  client: ["digital_signature", "key_encipherment", "client_auth"],
  peer: ["digital_signature", "key_encipherment", "server_auth", "client_auth"],
};

export interface LeafArgs {
  readonly commonName: string;
  readonly organization?: string;
  readonly usage: Usage;
  readonly ipAddresses?: string[];
  readonly dnsNames?: string[];
}

export function signCertificate(name: string, ca: CertificateAuthority, args: LeafArgs, opts: pulumi.CustomResourceOptions): KeyPair {
  const key = privateKey(`${name}-key`, opts);
  const request = new tls.CertRequest(
    `${name}-csr`,
    {
      privateKeyPem: key.privateKeyPem,
      subject: { commonName: args.commonName, organization: args.organization },
      ipAddresses: args.ipAddresses,
      dnsNames: args.dnsNames,
    },
    opts,
  );
  const cert = new tls.LocallySignedCert(
    `${name}-cert`,
    {
      certRequestPem: request.certRequestPem,
      caPrivateKeyPem: ca.keyPem,
      caCertPem: ca.certPem,
      validityPeriodHours: LEAF_HOURS,
      earlyRenewalHours: RENEW_HOURS,
      allowedUses: USES[args.usage],
    },
    opts,
  );
  return { certPem: cert.certPem, keyPem: key.privateKeyPem };
}
