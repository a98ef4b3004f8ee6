// EtcdCluster: a TLS etcd cluster as systemd units on its member hosts (seeds 001, 003, 004).
// A CA, per-member server and peer certificates and one client certificate come from lib/pki;
// the health gate completes when every member answers healthy over TLS.
// With stacked etcd (seed 000) kubeadm runs the members on the masters from the ControlPlane's
// etcd CA; this component is then only the health gate over those members, after the masters.
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { remote } from "@pulumi/command";
import { Host } from "../config/types";
import { fileStamp } from "../lib/manifest";
import { CertificateAuthority, createCa, KeyPair, signCertificate } from "../lib/pki";
import { putFile, runScript } from "../lib/remote";
import { renderTemplate } from "../lib/render";
import { ReadyTarget } from "./hostInventory";

export const ETCD_PKI_DIR = "/etc/etcd/pki";
export const ETCD_DATA_DIR = "/var/lib/etcd/kubeha";
/** The configured members, "name=peerURL,...": read only by a member bootstrapping a new cluster. */
export const ETCD_INITIAL_CLUSTER_FILE = "/etc/etcd/initial-cluster";
/** ETCD_INITIAL_CLUSTER and _STATE for the unit, decided when the member first starts. */
export const ETCD_BOOTSTRAP_ENV = "/etc/etcd/bootstrap.env";
/** Where the etcd binaries are staged before they are installed into /usr/local/bin. */
export const ETCD_STAGING = "/var/lib/kubeha/etcd";
/** kubeadm 1.31+ refuses an external etcd older than 3.5 (Debian 12 ships 3.4): the release is installed instead. */
export const ETCD_MINOR = "3.5";
/** The release downloaded in online mode: the etcd of kubeadm 1.32's own image. */
export const ETCD_ONLINE_VERSION = "3.5.24";

export interface EtcdClusterArgs {
  /** Members by stable name; validation guarantees an odd, non-zero count. */
  readonly members: readonly Host[];
  /** How to reach each member. */
  readonly targets: ReadonlyMap<string, ReadyTarget>;
  /** Names the initial-cluster token and the CA. */
  readonly clusterName: string;
  /** online downloads the etcd release; offline copies bin/etcd and bin/etcdctl of artifactDir. */
  readonly packageSource: "online" | "offline";
  readonly artifactDir?: string;
  /** external: kubeha runs etcd. stacked: kubeadm does, and this only checks it. */
  readonly topology: "external" | "stacked";
  /** stacked: the steps after which every master runs its member. */
  readonly after?: pulumi.Resource[];
}

/** Where kubeadm keeps the stacked etcd PKI, healthcheck client included. */
export const STACKED_ETCD_PKI_DIR = "/etc/kubernetes/pki/etcd";

export function etcdEndpoints(members: readonly Host[]): string[] {
  return members.map((m) => `https://${m.address}:2379`);
}

export function initialCluster(members: readonly Host[]): string {
  return members.map((m) => `${m.name}=${peerUrl(m)}`).join(",");
}

export class EtcdCluster extends pulumi.ComponentResource {
  readonly endpoints: string[];
  /** external only: the client certificate kube-apiserver uses. */
  readonly client?: { readonly caCertPem: pulumi.Output<string>; readonly certPem: pulumi.Output<string>; /** Secret. */ readonly keyPem: pulumi.Output<string> };
  /** Completes when every member is healthy over TLS: later stages depend on it. */
  readonly healthy: remote.Command;

  constructor(name: string, args: EtcdClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kubeha:index:EtcdCluster", name, {}, opts);
    this.endpoints = etcdEndpoints(args.members);
    const first = args.targets.get(args.members[0].name)!;
    if (args.topology === "stacked") {
      const script = renderTemplate("scripts/etcd-health-stacked.sh", { endpoints: this.endpoints.join(" "), pkiDir: STACKED_ETCD_PKI_DIR, timeoutSeconds: 180 });
      this.healthy = runScript(`${name}-healthy`, first, { script }, { parent: this, dependsOn: args.after ?? [] });
      this.registerOutputs({ endpoints: this.endpoints });
      return;
    }
    const parent = { parent: this };
    const ca = createCa(`${name}-ca`, `${args.clusterName}-etcd-ca`, parent);
    const client = signCertificate(`${name}-client`, ca, { commonName: `${args.clusterName}-etcd-client`, usage: "client" }, parent);
    const prepared = args.members.map((member) => this.prepare(name, member, args, ca, client));
    // Members that left the config leave the cluster before any new one joins it.
    const pruned = runScript(
      `${name}-prune`,
      first,
      { script: renderTemplate("scripts/etcd-prune.sh", { endpoints: this.endpoints.join(" "), peerUrls: args.members.map(peerUrl).join(" "), pkiDir: ETCD_PKI_DIR }) },
      { parent: this, dependsOn: prepared[0].files },
    );
    // One member after the other: a restart waits until its member is healthy again (rolling).
    let previous: remote.Command = pruned;
    for (const member of prepared) previous = this.start(member, [...member.files, previous]);
    this.healthy = runScript(
      `${name}-healthy`,
      first,
      { script: renderTemplate("scripts/etcd-health.sh", { endpoints: this.endpoints.join(","), pkiDir: ETCD_PKI_DIR, timeoutSeconds: 180 }) },
      { parent: this, dependsOn: [previous] },
    );
    this.client = { caCertPem: ca.certPem, certPem: client.certPem, keyPem: pulumi.secret(client.keyPem) };
    this.registerOutputs({ endpoints: this.endpoints, caCertPem: ca.certPem });
  }

  /** etcd 3.5 into /usr/local/bin: copied from the artifacts (offline) or downloaded (online). */
  private install(prefix: string, target: ReadyTarget, args: EtcdClusterArgs): remote.Command {
    const parent = { parent: this };
    const staging = runScript(`${prefix}-staging`, target, { script: renderTemplate("scripts/make-directory.sh", { dir: ETCD_STAGING }) }, { ...parent, dependsOn: [target.ready] });
    const script = renderTemplate("scripts/install-etcd.sh", { source: args.packageSource, staging: ETCD_STAGING, version: ETCD_ONLINE_VERSION, minor: ETCD_MINOR });
    if (args.packageSource === "online") return runScript(`${prefix}-install`, target, { script }, { ...parent, dependsOn: [staging] });
    const binaries = ["etcd", "etcdctl"].map((tool) => path.resolve(args.artifactDir!, "bin", tool));
    const uploads = binaries.map(
      (file) =>
        new remote.CopyToRemote(
          `${prefix}-upload-${path.basename(file)}`,
          { connection: target.connection, source: new pulumi.asset.FileAsset(file), remotePath: path.posix.join(ETCD_STAGING, path.basename(file)) },
          { ...parent, dependsOn: [staging] },
        ),
    );
    return runScript(`${prefix}-install`, target, { script, inputs: Object.fromEntries(binaries.map((f) => [path.basename(f), fileStamp(f)])) }, { ...parent, dependsOn: uploads });
  }

  /** Binaries, certificates, unit and the configured member list on one member. */
  private prepare(name: string, member: Host, args: EtcdClusterArgs, ca: CertificateAuthority, client: KeyPair): PreparedMember {
    const target = args.targets.get(member.name)!;
    const prefix = `${name}-${member.name}`;
    const parent = { parent: this };
    const sans = { ipAddresses: [member.address, "127.0.0.1"], dnsNames: [member.name, "localhost"] };
    const server = signCertificate(`${prefix}-server`, ca, { commonName: member.name, usage: "server", ...sans }, parent);
    const peer = signCertificate(`${prefix}-peer`, ca, { commonName: member.name, usage: "peer", ...sans }, parent);
    const unit = renderTemplate("etcd/etcd.service", {
      name: member.name,
      clusterName: args.clusterName,
      address: member.address,
      dataDir: ETCD_DATA_DIR,
      pkiDir: ETCD_PKI_DIR,
      clusterToken: `${args.clusterName}-etcd`,
      bootstrapEnv: ETCD_BOOTSTRAP_ENV,
    });
    const install = this.install(prefix, target, args);
    const pkiFiles: Record<string, { content: pulumi.Input<string>; secret: boolean }> = {
      "ca.crt": { content: ca.certPem, secret: false },
      "server.crt": { content: server.certPem, secret: false },
      "server.key": { content: server.keyPem, secret: true },
      "peer.crt": { content: peer.certPem, secret: false },
      "peer.key": { content: peer.keyPem, secret: true },
      "client.crt": { content: client.certPem, secret: false },
      "client.key": { content: client.keyPem, secret: true },
    };
    const written = Object.entries(pkiFiles).map(([file, { content, secret }]) =>
      putFile(`${prefix}-file-${file.replace(".", "-")}`, target, { path: `${ETCD_PKI_DIR}/${file}`, content, mode: secret ? "0600" : "0644", secret }, { parent: this, dependsOn: [install] }),
    );
    const unitFile = putFile(`${prefix}-unit`, target, { path: "/etc/systemd/system/etcd.service", content: unit, mode: "0644" }, { parent: this, dependsOn: [install] });
    // Rewritten when the membership changes, without restarting anything: only a member that
    // bootstraps a new cluster reads it.
    const members = putFile(`${prefix}-initial-cluster`, target, { path: ETCD_INITIAL_CLUSTER_FILE, content: initialCluster(args.members), mode: "0644" }, { parent: this, dependsOn: [install] });
    return {
      member,
      target,
      prefix,
      files: [...written, unitFile, members],
      restartInputs: { unit, ca: ca.certPem, server: server.certPem, peer: peer.certPem, binaries: install.stdin.apply((s) => s ?? "") },
    };
  }

  /** Starts, joins or restarts one member (scripts/apply-etcd.sh); leaving the config stops and wipes it. */
  private start(prepared: PreparedMember, after: pulumi.Resource[]): remote.Command {
    const { member, target, prefix } = prepared;
    const script = renderTemplate("scripts/apply-etcd.sh", {
      name: member.name,
      peerUrl: peerUrl(member),
      dataDir: ETCD_DATA_DIR,
      pkiDir: ETCD_PKI_DIR,
      timeoutSeconds: 120,
      initialClusterFile: ETCD_INITIAL_CLUSTER_FILE,
      bootstrapEnv: ETCD_BOOTSTRAP_ENV,
    });
    return runScript(`${prefix}-start`, target, { script, inputs: prepared.restartInputs, deleteCommand: leaveCommand(target) }, { parent: this, dependsOn: after });
  }
}

interface PreparedMember {
  readonly member: Host;
  readonly target: ReadyTarget;
  readonly prefix: string;
  readonly files: remote.Command[];
  /** Changes to these restart the member. */
  readonly restartInputs: Record<string, pulumi.Input<string>>;
}

export function peerUrl(member: Host): string {
  return `https://${member.address}:2380`;
}

/**
 * Run on a member's host when it leaves the config, after the prune step removed it from the
 * cluster: stops etcd for good and wipes its data, so the host can serve again later.
 */
export function leaveCommand(target: ReadyTarget): string {
  return `${target.sudo}sh -c 'systemctl disable --now etcd.service; rm -rf ${ETCD_DATA_DIR} ${ETCD_BOOTSTRAP_ENV} /etc/systemd/system/etcd.service && systemctl daemon-reload'`;
}
