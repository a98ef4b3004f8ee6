// The kubeadm engine's part in etcd membership changes:
// - stacked etcd (kubeadm's static pods): a master that lost its data drops its old member before
//   it joins; members of masters that left the config go before the other masters join;
// - external etcd: kubeadm's cluster configuration and every apiserver follow the members.
import { remote } from "@pulumi/command";
import { Host } from "../../../config/types";
import { ClusterPlan, etcdEndpoints, otherMasters, peerUrl } from "../../../plan/cluster";
import { ReadyTarget } from "../../host/hostInventory";
import { runStep, STEPS } from "../../host/steps";
import * as pulumi from "@pulumi/pulumi";

type Opts = { parent: pulumi.Resource };

/** Stacked etcd: the member of a master that lost its etcd data goes before it joins again. */
export function dropStaleEtcdMember(prefix: string, master: Host, target: ReadyTarget, plan: ClusterPlan, after: pulumi.Resource[], opts: Opts): remote.Command {
  const view = { peerUrl: peerUrl(master), otherClientUrls: etcdEndpoints(otherMasters(plan, master)).join(" "), kubernetesVersion: plan.spec.kubernetes.version, timeoutSeconds: 60 };
  return runStep(prefix, target, STEPS.stackedEtcdStaleMember, { view }, { ...opts, dependsOn: after });
}

/** Stacked etcd: members of masters that left the config go before the other masters join. */
export function pruneStackedEtcd(prefix: string, target: ReadyTarget, plan: ClusterPlan, initialised: remote.Command, opts: Opts): remote.Command {
  const view = { peerUrls: plan.spec.masters.map(peerUrl).join(" "), timeoutSeconds: 120 };
  return runStep(prefix, target, STEPS.stackedEtcdPrune, { view }, { ...opts, dependsOn: [initialised] });
}

/**
 * External etcd: kubeadm's cluster configuration lists the configured members before the other
 * masters join, so that a master replacing another one gets an apiserver on the current members.
 */
export function recordEtcdEndpoints(prefix: string, target: ReadyTarget, plan: ClusterPlan, initialised: remote.Command, opts: Opts): remote.Command {
  const view = { endpoints: plan.etcd.endpoints.join(" "), timeoutSeconds: 120 };
  return runStep(prefix, target, STEPS.kubeadmEtcdEndpoints, { view }, { ...opts, dependsOn: [initialised] });
}

/**
 * External etcd: every apiserver dials the configured members. kubeadm sets --etcd-servers only
 * at init or join; when the members change, the masters' apiservers are restarted on the new
 * list one at a time (each ready before the next), after every master has joined.
 */
export function followEtcdMembers(name: string, plan: ClusterPlan, targets: ReadonlyMap<string, ReadyTarget>, allJoined: remote.Command, opts: Opts): void {
  const servers = plan.etcd.endpoints.join(",");
  let previous = allJoined;
  for (const master of plan.spec.masters) {
    const view = { servers, address: master.address, timeoutSeconds: 180 };
    previous = runStep(`${name}-${master.name}`, targets.get(master.name)!, STEPS.apiserverEtcdServers, { view }, { ...opts, dependsOn: [previous] });
  }
}
