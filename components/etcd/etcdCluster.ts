// EtcdCluster: a TLS etcd cluster as systemd units on its member hosts (seeds 001, 003, 004).
// A CA, per-member server and peer certificates and one client certificate come from lib/pki;
// the health gate completes when every member answers healthy over TLS.
// With stacked etcd (seed 000) kubeadm runs the members on the masters from the ControlPlane's
// etcd CA; this component is then only the health gate over those members, after the masters.
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { remote } from "@pulumi/command";
import { Host } from "../../config/types";
import { EtcdPlan, peerUrl } from "../../plan/cluster";
import { PATHS, UNITS } from "../../plan/paths";
import { VERSIONS } from "../../plan/versions";
import { ReadyTarget } from "../host/hostInventory";
import { fileStamp } from "../host/manifest";
import { copyFile, putFile } from "../host/remote";
import { renderFile } from "../host/script";
import { runStep, STEPS } from "../host/steps";
import { installRestorePrograms } from "./etcdRestore";
import { scheduleSnapshots } from "./etcdSnapshots";
import { CertificateAuthority, createCa, KeyPair, signCertificate } from "../pki/pki";

/** Distribution packages a member's steps use: jq reads etcdctl's JSON, curl downloads online. */
export const ETCD_PACKAGES = "jq curl ca-certificates";

export interface EtcdClusterArgs {
  /** Members by stable name (validation guarantees an odd, non-zero count), their URLs and topology. */
  readonly etcd: EtcdPlan;
  /** How to reach each member. */
  readonly targets: ReadonlyMap<string, ReadyTarget>;
  /** Names the initial-cluster token and the CA. */
  readonly clusterName: string;
  /** online downloads the etcd release; offline copies bin/etcd and bin/etcdctl of artifactDir. */
  readonly packageSource: "online" | "offline";
  readonly artifactDir?: string;
  /** stacked: the steps after which every master runs its member. */
  readonly after?: pulumi.Resource[];
  /** The masters, which a restore pauses: each gets the restore program too. */
  readonly masters: readonly Host[];
}

export class EtcdCluster extends pulumi.ComponentResource {
  readonly endpoints: string[];
  /** external only: the client certificate kube-apiserver uses. */
  readonly client?: { readonly caCertPem: pulumi.Output<string>; readonly certPem: pulumi.Output<string>; /** Secret. */ readonly keyPem: pulumi.Output<string> };
  /** Completes when every member is healthy over TLS: later stages depend on it. */
  readonly healthy: remote.Command;

  constructor(name: string, args: EtcdClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kubeha:index:EtcdCluster", name, {}, opts);
    const { etcd } = args;
    this.endpoints = [...etcd.endpoints];
    const first = args.targets.get(etcd.members[0].name)!;
    if (etcd.topology === "stacked") {
      this.healthy = runStep(name, first, STEPS.stackedEtcdHealthy, { view: { endpoints: this.endpoints.join(" "), timeoutSeconds: 180 } }, { parent: this, dependsOn: args.after ?? [] });
      this.scheduleSnapshots(name, args);
      this.registerOutputs({ endpoints: this.endpoints });
      return;
    }
    const parent = { parent: this };
    const ca = createCa(`${name}-ca`, `${args.clusterName}-etcd-ca`, parent);
    const client = signCertificate(`${name}-client`, ca, { commonName: `${args.clusterName}-etcd-client`, usage: "client" }, parent);
    const prepared = etcd.members.map((member) => this.prepare(name, member, args, ca, client));
    // Members that left the config leave the cluster before any new one joins it.
    const pruned = runStep(
      name,
      first,
      STEPS.etcdPrune,
      { view: { endpoints: this.endpoints.join(" "), peerUrls: etcd.members.map(peerUrl).join(" ") } },
      { parent: this, dependsOn: prepared[0].files },
    );
    // One member after the other: a restart waits until its member is healthy again (rolling).
    let previous: remote.Command = pruned;
    for (const member of prepared) previous = this.start(member, [...member.files, previous]);
    this.healthy = runStep(name, first, STEPS.etcdHealthy, { view: { endpoints: this.endpoints.join(","), timeoutSeconds: 180 } }, { parent: this, dependsOn: [previous] });
    this.client = { caCertPem: ca.certPem, certPem: client.certPem, keyPem: pulumi.secret(client.keyPem) };
    this.scheduleSnapshots(name, args);
    this.registerOutputs({ endpoints: this.endpoints, caCertPem: ca.certPem });
  }

  /** Every member's snapshot timer, started once the cluster is healthy, and the restore program beside it. */
  private scheduleSnapshots(name: string, args: EtcdClusterArgs): void {
    const settings = args.etcd.snapshots;
    if (!settings) return;
    const host = { settings, topology: args.etcd.topology, packageSource: args.packageSource, artifactDir: args.artifactDir };
    for (const member of args.etcd.members) scheduleSnapshots(`${name}-${member.name}`, member, args.targets.get(member.name)!, host, [this.healthy], { parent: this });
    installRestorePrograms(name, args.etcd, args.masters, args.targets, { parent: this });
  }

  /** etcd 3.5 into /usr/local/bin: copied from the artifacts (offline) or downloaded (online). */
  private install(prefix: string, target: ReadyTarget, args: EtcdClusterArgs): remote.Command {
    const parent = { parent: this };
    const packages = runStep(prefix, target, STEPS.packages, { view: { packages: ETCD_PACKAGES, source: args.packageSource } }, { ...parent, dependsOn: [target.ready] });
    const staging = runStep(prefix, target, STEPS.etcdStaging, { view: { dir: PATHS.etcdStaging } }, { ...parent, dependsOn: [packages] });
    const view = { source: args.packageSource, version: VERSIONS.etcd, minor: VERSIONS.etcdMinor };
    if (args.packageSource === "online") return runStep(prefix, target, STEPS.etcdInstall, { view }, { ...parent, dependsOn: [staging] });
    const binaries = ["etcd", "etcdctl"].map((tool) => path.resolve(args.artifactDir!, "bin", tool));
    const uploads = binaries.map((file) =>
      copyFile(`${prefix}-upload-${path.basename(file)}`, target, file, path.posix.join(PATHS.etcdStaging, path.basename(file)), { ...parent, dependsOn: [staging] }),
    );
    return runStep(prefix, target, STEPS.etcdInstall, { view, inputs: Object.fromEntries(binaries.map((f) => [path.basename(f), fileStamp(f)])) }, { ...parent, dependsOn: uploads });
  }

  /** Binaries, certificates, unit and the configured member list on one member. */
  private prepare(name: string, member: Host, args: EtcdClusterArgs, ca: CertificateAuthority, client: KeyPair): PreparedMember {
    const target = args.targets.get(member.name)!;
    const prefix = `${name}-${member.name}`;
    const parent = { parent: this };
    const sans = { ipAddresses: [member.address, "127.0.0.1"], dnsNames: [member.name, "localhost"] };
    const server = signCertificate(`${prefix}-server`, ca, { commonName: member.name, usage: "server", ...sans }, parent);
    const peer = signCertificate(`${prefix}-peer`, ca, { commonName: member.name, usage: "peer", ...sans }, parent);
    const unit = renderFile("etcd/etcd.service", { name: member.name, clusterName: args.clusterName, address: member.address, clusterToken: args.etcd.clusterToken });
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
      putFile(`${prefix}-file-${file.replace(".", "-")}`, target, { path: `${PATHS.etcdPki}/${file}`, content, mode: secret ? "0600" : "0644", secret }, { parent: this, dependsOn: [install] }),
    );
    const unitFile = putFile(`${prefix}-unit`, target, { path: PATHS.etcdUnit, content: unit, mode: "0644" }, { parent: this, dependsOn: [install] });
    // Rewritten when the membership changes, without restarting anything: only a member that
    // bootstraps a new cluster reads it.
    const members = putFile(`${prefix}-initial-cluster`, target, { path: PATHS.etcdInitialCluster, content: args.etcd.initialCluster, mode: "0644" }, { parent: this, dependsOn: [install] });
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
    const view = { name: member.name, peerUrl: peerUrl(member), timeoutSeconds: 120 };
    return runStep(prefix, target, STEPS.etcdStart, { view, inputs: prepared.restartInputs, deleteCommand: leaveCommand(target) }, { parent: this, dependsOn: after });
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

/**
 * Run on a member's host when it leaves the config, after the prune step removed it from the
 * cluster: stops etcd for good and wipes its data, so the host can serve again later.
 */
export function leaveCommand(target: ReadyTarget): string {
  return `${target.sudo}sh -c 'systemctl disable --now ${UNITS.etcd}; rm -rf ${PATHS.etcdData} ${PATHS.etcdBootstrapEnv} ${PATHS.etcdUnit} && systemctl daemon-reload'`;
}
