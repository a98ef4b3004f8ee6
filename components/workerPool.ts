// WorkerPool: workers prepare in parallel with the masters and join through the HA endpoint with
// the bootstrap token, all hosts of a pool in parallel, with the pool's labels and taints.
// Removing a worker from config drains and deletes its node (on the first master), then resets it.
import * as pulumi from "@pulumi/pulumi";
import { remote } from "@pulumi/command";
import { ClusterSpec, Host, WorkerPool as PoolSpec } from "../config/types";
import { runScript } from "../lib/remote";
import { renderTemplate } from "../lib/render";
import { ControlPlane, drainCommand, joinNode } from "./controlPlane";
import { ReadyTarget } from "./hostInventory";
import { setupNode } from "./nodeSetup";
import { kubeadmJoinView } from "./nodeViews";

export interface WorkerPoolArgs {
  readonly pool: PoolSpec;
  readonly spec: ClusterSpec;
  readonly targets: ReadonlyMap<string, ReadyTarget>;
  readonly controlPlane: ControlPlane;
  /** Further steps workers join after (the stacked etcd health gate). */
  readonly after?: pulumi.Resource[];
}

export class WorkerPool extends pulumi.ComponentResource {
  /** One step per worker: complete when the node is registered. */
  readonly registered: remote.Command[];

  constructor(name: string, args: WorkerPoolArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kubeha:index:WorkerPool", name, {}, opts);
    const firstMaster = args.targets.get(args.spec.masters[0].name)!;
    this.registered = args.pool.hosts.map((host) => this.worker(name, host, args, firstMaster));
    this.registerOutputs({ nodes: args.pool.hosts.map((h) => h.name) });
  }

  private worker(name: string, host: Host, args: WorkerPoolArgs, firstMaster: ReadyTarget): remote.Command {
    const { spec, pool, controlPlane } = args;
    const target = args.targets.get(host.name)!;
    const prefix = `${name}-${host.name}`;
    const installed = setupNode(prefix, host, target, spec, this, []);
    const role = { controlPlane: false, labels: { "kubeha.io/cluster": spec.clusterName, "kubeha.io/pool": pool.name, ...pool.labels }, taints: pool.taints };
    const ignore = [...spec.kubernetes.ignorePreflightErrors];
    const config = pulumi
      .all([controlPlane.bootstrapToken, controlPlane.caCertHash])
      .apply(([token, hash]) => renderTemplate("kubeadm/join.yaml", kubeadmJoinView(spec, host, role, token, hash, ignore)));
    const joined = joinNode(prefix, target, config, [installed, ...controlPlane.joinable, ...(args.after ?? [])], this);
    return runScript(
      `${prefix}-registered`,
      firstMaster,
      { script: renderTemplate("scripts/node-ready.sh", { nodeName: host.name, timeoutSeconds: 300 }), deleteCommand: drainCommand(firstMaster, host.name) },
      { parent: this, dependsOn: [joined] },
    );
  }
}
