// The control-plane engine seam. ControlPlane drives the bootstrap order that every engine shares
// (prepare every master in parallel, bootstrap the first, join the others one at a time, then the
// follow-ups); an engine says how each of these is done on the hosts, how workers join, and
// where the admin kubeconfig comes from. Engines are chosen by kubeha:controlPlaneEngine.
import * as pulumi from "@pulumi/pulumi";
import { remote } from "@pulumi/command";
import { Host, WorkerPool } from "../../config/types";
import { ClusterPlan } from "../../plan/cluster";
import { EtcdCluster } from "../etcd/etcdCluster";
import { ReadyTarget } from "../host/hostInventory";

export interface EngineArgs {
  readonly plan: ClusterPlan;
  readonly targets: ReadonlyMap<string, ReadyTarget>;
  /** The external etcd cluster, when etcdTopology is external. */
  readonly etcd?: EtcdCluster;
}

/** What bootstrapping the first master gives the masters that join after it. */
export interface Bootstrapped {
  /** The last step of the bootstrap: the next master joins after it. */
  readonly done: remote.Command;
  /** Further steps every joining node waits for (the kubeadm engine's bootstrap token). */
  readonly joinGate: readonly pulumi.Resource[];
}

export interface WorkerJoinRequest {
  /** The WorkerPool: parent of the worker's steps. */
  readonly parent: pulumi.Resource;
  /** Resource name prefix of the worker's steps. */
  readonly prefix: string;
  readonly host: Host;
  readonly pool: WorkerPool;
  /** Steps the join waits for (the control plane is joinable, the etcd gate). */
  readonly after: readonly pulumi.Resource[];
}

/** What an upgrade (a later issue) will call per node: drain before, and the engine's own upgrade step. */
export interface UpgradeHooks {
  /** The command, run on a master, that drains and deletes NODE (also used when a node leaves). */
  drainCommand(master: ReadyTarget, node: string): string;
}

export interface ControlPlaneEngine {
  /** Everything a master needs before it bootstraps or joins; masters prepare in parallel. */
  prepareMaster(master: Host): pulumi.Resource[];
  /** Bootstraps the cluster on the init master, after `after`. */
  bootstrap(master: Host, after: pulumi.Resource[]): Bootstrapped;
  /** Joins one more master, after `after` (the previous master and the join gate). */
  joinMaster(master: Host, after: pulumi.Resource[]): remote.Command;
  /** Steps once every master has joined (node registration, etcd endpoint follow-up). */
  afterMasters(allJoined: remote.Command): void;
  /** Steps once every node of this deployment has joined (`joined`: the masters' and the workers' last steps). */
  afterJoins(joined: pulumi.Resource[]): void;
  /** Prepares and joins one worker; the returned step completes when its Node is registered. */
  joinWorker(request: WorkerJoinRequest): remote.Command;
  /** Secret. Admin kubeconfig whose server is the cluster's external endpoint. */
  readonly kubeconfig: pulumi.Output<string>;
  readonly caCertPem: pulumi.Output<string>;
  readonly upgrade: UpgradeHooks;
}

/** Builds an engine whose resources are children of `parent` and named after `name`. */
export type EngineFactory = (name: string, parent: pulumi.ComponentResource, args: EngineArgs) => ControlPlaneEngine;
