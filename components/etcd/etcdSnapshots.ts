// Scheduled etcd snapshots (kubeha:etcdSnapshots) on one member's host: the etcd tools, the
// snapshot program (templates/etcd/etcd-snapshot.sh), its oneshot service and timer, and the step
// that starts the timer. The same for both topologies; only the client certificate differs (the
// external cluster's client certificate, or kubeadm's healthcheck client on a stacked master).
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { remote } from "@pulumi/command";
import { EtcdSnapshotSettings, Host } from "../../config/types";
import { clientUrl } from "../../plan/cluster";
import { PATHS, UNITS } from "../../plan/paths";
import { VERSIONS } from "../../plan/versions";
import { ReadyTarget } from "../host/hostInventory";
import { fileStamp } from "../host/manifest";
import { copyFile, putFile } from "../host/remote";
import { renderFile, renderScript } from "../host/script";
import { runStep, STEPS } from "../host/steps";

/** How long one snapshot may take: etcdctl's command timeout (the unit's start timeout is longer). */
export const SNAPSHOT_TIMEOUT_SECONDS = 300;

/** Members start their scheduled snapshot within this many seconds of each other, not all at once. */
export const SNAPSHOT_RANDOM_DELAY_SECONDS = 60;

/** The template of the snapshot program: a program on the host, not a step script. */
export const SNAPSHOT_PROGRAM_TEMPLATE = "etcd/etcd-snapshot.sh";

export interface SnapshotHostArgs {
  readonly settings: EtcdSnapshotSettings;
  readonly topology: "stacked" | "external";
  readonly packageSource: "online" | "offline";
  readonly artifactDir?: string;
}

/** The tools a host needs beyond what it has: an external member has etcdctl with etcd already. */
function snapshotTools(topology: "stacked" | "external"): string[] {
  return topology === "external" ? ["etcdutl"] : ["etcdctl", "etcdutl"];
}

/** The client certificate a snapshot or a restore connects with, on a member of this topology. */
export function clientCredentials(topology: "stacked" | "external"): { ca: string; cert: string; key: string } {
  if (topology === "external") return { ca: `${PATHS.etcdPki}/ca.crt`, cert: `${PATHS.etcdPki}/client.crt`, key: `${PATHS.etcdPki}/client.key` };
  const pki = PATHS.stackedEtcdPki;
  return { ca: `${pki}/ca.crt`, cert: `${pki}/healthcheck-client.crt`, key: `${pki}/healthcheck-client.key` };
}

/** The snapshot program of MEMBER: shell library included, everything rendered in. */
function snapshotProgram(member: Host, args: Pick<SnapshotHostArgs, "settings" | "topology">): string {
  return renderScript(SNAPSHOT_PROGRAM_TEMPLATE, {
    name: member.name,
    directory: args.settings.directory,
    keep: args.settings.keep,
    endpoint: clientUrl({ address: "127.0.0.1" }),
    ...clientCredentials(args.topology),
    timeoutSeconds: SNAPSHOT_TIMEOUT_SECONDS,
  });
}

/** Stops and removes the timer when snapshots are switched off or the host stops being a member; the snapshots stay. */
function disableCommand(target: ReadyTarget): string {
  const files = [PATHS.etcdSnapshotTimer, PATHS.etcdSnapshotService, PATHS.etcdSnapshotScript].join(" ");
  return `${target.sudo}sh -c 'systemctl disable --now ${UNITS.etcdSnapshotTimer} 2>/dev/null; rm -f ${files} && systemctl daemon-reload && echo "[kubeha] ${UNITS.etcdSnapshotTimer} removed (snapshots kept)"'`;
}

/**
 * The etcd tools on MEMBER's host, then the program and units, then the step that starts the
 * timer once `after` (the cluster's health gate) completed. Returns that step.
 */
export function scheduleSnapshots(prefix: string, member: Host, target: ReadyTarget, args: SnapshotHostArgs, after: pulumi.Resource[], opts: { parent: pulumi.Resource }): remote.Command {
  const tools = installTools(prefix, target, args, opts);
  const program = snapshotProgram(member, args);
  const service = renderFile("etcd/kubeha-etcd-snapshot.service", { timeoutSeconds: SNAPSHOT_TIMEOUT_SECONDS + 60 });
  const timer = renderFile("etcd/kubeha-etcd-snapshot.timer", { schedule: args.settings.schedule, randomizedDelaySeconds: SNAPSHOT_RANDOM_DELAY_SECONDS });
  const files = [
    putFile(`${prefix}-snapshots-program`, target, { path: PATHS.etcdSnapshotScript, content: program, mode: "0755" }, { ...opts, dependsOn: [tools] }),
    putFile(`${prefix}-snapshots-service`, target, { path: PATHS.etcdSnapshotService, content: service, mode: "0644" }, { ...opts, dependsOn: [tools] }),
    putFile(`${prefix}-snapshots-timer`, target, { path: PATHS.etcdSnapshotTimer, content: timer, mode: "0644" }, { ...opts, dependsOn: [tools] }),
  ];
  const view = { schedule: args.settings.schedule };
  return runStep(prefix, target, STEPS.etcdSnapshotsEnable, { view, inputs: { program, service, timer }, deleteCommand: disableCommand(target) }, { ...opts, dependsOn: [...files, ...after] });
}

/** etcdctl and etcdutl: copied from the artifacts (offline) or downloaded (online). */
function installTools(prefix: string, target: ReadyTarget, args: SnapshotHostArgs, opts: { parent: pulumi.Resource }): remote.Command {
  const tools = snapshotTools(args.topology);
  const view = { source: args.packageSource, version: VERSIONS.etcd, minor: VERSIONS.etcdMinor, tools: tools.join(" ") };
  if (args.packageSource === "online") return runStep(prefix, target, STEPS.etcdTools, { view }, { ...opts, dependsOn: [target.ready] });
  const staging = runStep(prefix, target, STEPS.etcdToolsStaging, { view: { dir: PATHS.etcdToolsStaging } }, { ...opts, dependsOn: [target.ready] });
  const files = tools.map((tool) => path.resolve(args.artifactDir!, "bin", tool));
  const uploads = files.map((file) =>
    copyFile(`${prefix}-upload-${path.basename(file)}`, target, file, path.posix.join(PATHS.etcdToolsStaging, path.basename(file)), { ...opts, dependsOn: [staging] }),
  );
  return runStep(prefix, target, STEPS.etcdTools, { view, inputs: Object.fromEntries(files.map((f) => [path.basename(f), fileStamp(f)])) }, { ...opts, dependsOn: uploads });
}
