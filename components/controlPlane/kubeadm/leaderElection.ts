// The kubeadm engine's part in kubeha:leaderElection on a running cluster: kubeadm writes the
// controller-manager's and scheduler's timing flags only at init or join, so a step on each master
// keeps them as configured, one master at a time.
import * as pulumi from "@pulumi/pulumi";
import { remote } from "@pulumi/command";
import { LeaderElection } from "../../../config/types";
import { ClusterPlan } from "../../../plan/cluster";
import { KUBERNETES_PORTS } from "../../../plan/paths";
import { ReadyTarget } from "../../host/hostInventory";
import { runStep, STEPS } from "../../host/steps";
import { leaderElectionArgs } from "./views";

/** How long one master's controller-manager and scheduler may take to come back. */
const TIMEOUT_SECONDS = 180;

/** The step's view: the timing flags as kubeadm writes them (sorted), none for Kubernetes' defaults. */
export function leaderElectionView(timings: LeaderElection | undefined): object {
  const flags = leaderElectionArgs(timings).map((arg) => `--${arg.name}=${arg.value}`);
  return { flags: flags.join(" "), timeoutSeconds: TIMEOUT_SECONDS, controllerManagerPort: KUBERNETES_PORTS.controllerManager, schedulerPort: KUBERNETES_PORTS.scheduler };
}

/** After every master joined: each master's timings as configured, one master after the other. */
export function followLeaderElection(name: string, plan: ClusterPlan, targets: ReadonlyMap<string, ReadyTarget>, allJoined: remote.Command, opts: { parent: pulumi.Resource }): void {
  const view = leaderElectionView(plan.spec.kubernetes.leaderElection);
  let previous = allJoined;
  for (const master of plan.spec.masters) {
    previous = runStep(`${name}-${master.name}`, targets.get(master.name)!, STEPS.leaderElection, { view }, { ...opts, dependsOn: [previous] });
  }
}
