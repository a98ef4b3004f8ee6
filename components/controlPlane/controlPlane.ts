// ControlPlane: the masters behind the HA endpoint, in the bootstrap order every engine shares:
// all masters prepare in parallel, the first bootstraps the cluster, the others join one at a
// time, then the engine's follow-ups. How each step is done is the engine's (kubeha:controlPlaneEngine).
import * as pulumi from "@pulumi/pulumi";
import { remote } from "@pulumi/command";
import { ClusterPlan } from "../../plan/cluster";
import { EtcdCluster } from "../etcd/etcdCluster";
import { ReadyTarget } from "../host/hostInventory";
import { ControlPlaneEngine, EngineFactory, WorkerJoinRequest } from "./engine";
import { ENGINES } from "./engines";

export interface ControlPlaneArgs {
  readonly plan: ClusterPlan;
  readonly targets: ReadonlyMap<string, ReadyTarget>;
  /** The external etcd cluster, when etcdTopology is external (stacked etcd is the engine's). */
  readonly etcd?: EtcdCluster;
  /** Steps after which the API endpoint is in place (the load balancer's health gate). */
  readonly endpointReady: pulumi.Resource[];
}

export class ControlPlane extends pulumi.ComponentResource {
  /** Secret. Admin kubeconfig whose server is the HA endpoint. */
  readonly kubeconfig: pulumi.Output<string>;
  readonly caCertPem: pulumi.Output<string>;
  /** host:port of the exported kubeconfig. */
  readonly endpoint: string;
  /** Completes when every master has joined and nodes may join. */
  readonly joinable: pulumi.Resource[];
  private readonly engine: ControlPlaneEngine;

  constructor(name: string, args: ControlPlaneArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kubeha:index:ControlPlane", name, {}, opts);
    const { plan } = args;
    const factory: EngineFactory = ENGINES[plan.spec.controlPlaneEngine];
    const engine = factory(name, this, { plan, targets: args.targets, etcd: args.etcd });
    const gate = [...args.endpointReady, ...(args.etcd ? [args.etcd.healthy] : [])];
    // Preparation runs on all masters in parallel; only bootstrap and joins are sequential.
    const prepared = new Map(plan.spec.masters.map((master) => [master.name, engine.prepareMaster(master)]));
    const { done, joinGate } = engine.bootstrap(plan.initMaster, [...prepared.get(plan.initMaster.name)!, ...gate]);
    let last: remote.Command = done;
    for (const master of plan.spec.masters.slice(1)) {
      last = engine.joinMaster(master, [...prepared.get(master.name)!, last, ...joinGate]);
    }
    engine.afterMasters(last);
    this.engine = engine;
    this.joinable = [last, ...joinGate];
    this.kubeconfig = engine.kubeconfig;
    this.caCertPem = engine.caCertPem;
    this.endpoint = plan.api.externalEndpoint;
    this.registerOutputs({ kubeconfig: this.kubeconfig, caCertPem: this.caCertPem, endpoint: this.endpoint });
  }

  /** Every worker of this deployment has joined (`registered`: their last steps): the engine's follow-ups. */
  afterNodesJoined(registered: pulumi.Resource[]): void {
    this.engine.afterJoins([...this.joinable, ...registered]);
  }

  /** Prepares and joins a worker the engine's way (WorkerPool's steps stay its children). */
  joinWorker(request: WorkerJoinRequest): remote.Command {
    return this.engine.joinWorker({ ...request, after: [...this.joinable, ...request.after] });
  }
}
