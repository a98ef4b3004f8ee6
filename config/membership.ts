// Guards against membership changes that lose data or availability. Compares the etcd members
// and masters of the last deployment (a stack output) with the new config.
import { Problems } from "./errors";
import { ClusterSpec } from "./types";

export interface Membership {
  readonly etcd: readonly string[];
  readonly masters: readonly string[];
}

export function membershipOf(spec: ClusterSpec): Membership {
  return { etcd: spec.etcd.members.map((h) => h.name), masters: spec.masters.map((h) => h.name) };
}

export function checkMembershipChange(previous: Membership | undefined, next: Membership): void {
  if (!previous) return;
  const problems = new Problems();
  const removedEtcd = previous.etcd.filter((name) => !next.etcd.includes(name));
  const removedMasters = previous.masters.filter((name) => !next.masters.includes(name));
  if (removedEtcd.length > 1) {
    problems.add(
      "hosts",
      `this update would remove ${removedEtcd.length} etcd members at once (${removedEtcd.join(", ")})`,
      "remove one member per `pulumi up`, and let the cluster settle in between",
    );
  }
  if (removedMasters.length > 1) {
    problems.add("hosts", `this update would remove ${removedMasters.length} masters at once (${removedMasters.join(", ")})`, "remove one master per `pulumi up`");
  }
  const quorum = Math.floor(previous.etcd.length / 2) + 1;
  const surviving = previous.etcd.length - removedEtcd.length;
  if (previous.etcd.length > 0 && surviving < quorum) {
    problems.add(
      "hosts",
      `only ${surviving} of the ${previous.etcd.length} current etcd members would remain, below the quorum of ${quorum}`,
      "keep a majority of the current members in every update",
    );
  }
  problems.throwIfAny();
}

/**
 * The spec with the master that ran `kubeadm init` (the first of the last deployment) first again,
 * while it is configured: the first master's step is `kubeadm init`, so a master re-added at the
 * head of the list must join the running cluster instead of initialising it a second time.
 */
export function keepInitMasterFirst(spec: ClusterSpec, previous: Membership | undefined): ClusterSpec {
  const initMaster = spec.masters.find((m) => m.name === previous?.masters[0]);
  if (!initMaster || spec.masters[0] === initMaster) return spec;
  return { ...spec, masters: [initMaster, ...spec.masters.filter((m) => m !== initMaster)] };
}
