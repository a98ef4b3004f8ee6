// WorkerPool: workers prepare in parallel with the masters and join through the HA endpoint the
// control-plane engine's way, all hosts of a pool in parallel, with the pool's labels and taints.
// Removing a worker from config drains and deletes its node (on the first master), then resets it.
import * as pulumi from "@pulumi/pulumi";
import { remote } from "@pulumi/command";
import { WorkerPool as PoolSpec } from "../../config/types";
import { ControlPlane } from "../controlPlane/controlPlane";

export interface WorkerPoolArgs {
  readonly pool: PoolSpec;
  readonly controlPlane: ControlPlane;
  /** Further steps workers join after (the stacked etcd health gate). */
  readonly after?: pulumi.Resource[];
}

export class WorkerPool extends pulumi.ComponentResource {
  /** One step per worker: complete when the node is registered. */
  readonly registered: remote.Command[];

  constructor(name: string, args: WorkerPoolArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kubeha:index:WorkerPool", name, {}, opts);
    const { pool, controlPlane } = args;
    this.registered = pool.hosts.map((host) => controlPlane.joinWorker({ parent: this, prefix: `${name}-${host.name}`, host, pool, after: args.after ?? [] }));
    this.registerOutputs({ nodes: pool.hosts.map((h) => h.name) });
  }
}
