// The cluster-wide Kubernetes PKI, made once in Pulumi and placed on every master before kubeadm
// runs: kubeadm then signs each master's own certificates from the same CAs, so masters join
// without copying files between them (seed 003 copies them by hand) and the kubeconfig can be
// made here, without reading anything back from a host.
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { PATHS } from "../../plan/paths";
import { CertificateAuthority, createCa, KeyPair, privateKey, signCertificate } from "./pki";

export interface PkiFile {
  /** Path on the master. */
  readonly path: string;
  readonly content: pulumi.Output<string>;
  readonly secret: boolean;
}

export class ClusterPki {
  readonly ca: CertificateAuthority;
  readonly frontProxyCa: CertificateAuthority;
  readonly serviceAccountKey: tls.PrivateKey;
  /** Only with stacked etcd: kubeadm signs the members' certificates from it. */
  readonly etcdCa?: CertificateAuthority;
  /** Client certificate of the exported kubeconfig (group system:masters). */
  readonly admin: KeyPair;

  constructor(name: string, stackedEtcd: boolean, opts: pulumi.CustomResourceOptions) {
    this.ca = createCa(`${name}-ca`, "kubernetes", opts);
    this.frontProxyCa = createCa(`${name}-front-proxy-ca`, "front-proxy-ca", opts);
    this.serviceAccountKey = privateKey(`${name}-sa`, opts);
    this.etcdCa = stackedEtcd ? createCa(`${name}-etcd-ca`, "etcd-ca", opts) : undefined;
    this.admin = signCertificate(`${name}-admin`, this.ca, { commonName: "kubernetes-admin", organization: "system:masters", usage: "client" }, opts);
  }

  /** The files kubeadm expects in /etc/kubernetes/pki on every master. */
  files(): PkiFile[] {
    const dir = PATHS.kubernetesPki;
    const pair = (base: string, ca: CertificateAuthority): PkiFile[] => [
      { path: `${dir}/${base}.crt`, content: ca.certPem, secret: false },
      { path: `${dir}/${base}.key`, content: ca.keyPem, secret: true },
    ];
    return [
      ...pair("ca", this.ca),
      ...pair("front-proxy-ca", this.frontProxyCa),
      { path: `${dir}/sa.key`, content: this.serviceAccountKey.privateKeyPem, secret: true },
      { path: `${dir}/sa.pub`, content: this.serviceAccountKey.publicKeyPem, secret: false },
      ...(this.etcdCa ? pair("etcd/ca", this.etcdCa) : []),
    ];
  }
}
