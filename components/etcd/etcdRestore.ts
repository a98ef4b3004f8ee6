// The restore program (templates/etcd/etcd-restore.sh) on every etcd member and master: the
// modes `npm run restore` (scripts/restore.js) runs host by host. It comes with the scheduled
// snapshots (kubeha:etcdSnapshots), whose tools it uses.
import * as pulumi from "@pulumi/pulumi";
import { Host } from "../../config/types";
import { EtcdPlan, peerUrl } from "../../plan/cluster";
import { PATHS } from "../../plan/paths";
import { ReadyTarget } from "../host/hostInventory";
import { putFile } from "../host/remote";
import { renderScript } from "../host/script";
import { clientCredentials } from "./etcdSnapshots";

/** The template of the restore program (`npm run restore` runs its modes host by host). */
export const RESTORE_PROGRAM_TEMPLATE = "etcd/etcd-restore.sh";

/** How long one restore mode may wait (a member stopping, the cluster healthy, every node Ready). */
export const RESTORE_TIMEOUT_SECONDS = 300;

export interface RestoreHost {
  readonly host: Host;
  readonly member: boolean;
  readonly master: boolean;
}

/** The restore program of one host: a member, a master, or both. */
export function restoreProgram(restoring: RestoreHost, etcd: Pick<EtcdPlan, "topology" | "initialCluster" | "clusterToken">): string {
  const yesNo = (b: boolean) => (b ? "yes" : "no");
  return renderScript(RESTORE_PROGRAM_TEMPLATE, {
    name: restoring.host.name,
    peerUrl: peerUrl(restoring.host),
    initialCluster: etcd.initialCluster,
    token: etcd.clusterToken,
    member: yesNo(restoring.member),
    master: yesNo(restoring.master),
    topology: etcd.topology,
    dataDir: etcd.topology === "external" ? PATHS.etcdData : PATHS.stackedEtcdData,
    ...clientCredentials(etcd.topology),
    timeoutSeconds: RESTORE_TIMEOUT_SECONDS,
  });
}

/** Every member and master with the part it takes in a restore, members first. */
export function restoreHosts(members: readonly Host[], masters: readonly Host[]): RestoreHost[] {
  const names = new Set(members.map((m) => m.name));
  const isMaster = new Set(masters.map((m) => m.name));
  return [...members.map((host) => ({ host, member: true, master: isMaster.has(host.name) })), ...masters.filter((m) => !names.has(m.name)).map((host) => ({ host, member: false, master: true }))];
}

/** The restore program on every member and master, once SSH answers there. */
export function installRestorePrograms(prefix: string, etcd: EtcdPlan, masters: readonly Host[], targets: ReadonlyMap<string, ReadyTarget>, opts: { parent: pulumi.Resource }): void {
  for (const restoring of restoreHosts(etcd.members, masters)) {
    const target = targets.get(restoring.host.name)!;
    putFile(
      `${prefix}-${restoring.host.name}-restore-program`,
      target,
      { path: PATHS.etcdRestoreScript, content: restoreProgram(restoring, etcd), mode: "0755" },
      { ...opts, dependsOn: [target.ready] },
    );
  }
}
