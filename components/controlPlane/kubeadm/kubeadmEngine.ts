// The kubeadm engine: a shared PKI placed on every master, `kubeadm init` on the first (or a
// rejoin when it was reinstalled), control-plane joins one at a time with kubeha's bootstrap
// token, workers joining with the same token (revoked once all have joined), and the admin
// kubeconfig made in Pulumi.
import * as pulumi from "@pulumi/pulumi";
import { remote } from "@pulumi/command";
import { Host } from "../../../config/types";
import { apiserverUrl, ClusterPlan, etcdEndpoints, otherMasters } from "../../../plan/cluster";
import { PATHS } from "../../../plan/paths";
import { ReadyTarget } from "../../host/hostInventory";
import { putFile } from "../../host/remote";
import { renderFile } from "../../host/script";
import { runStep, STEPS } from "../../host/steps";
import { setupNode } from "../../node/nodeSetup";
import { ClusterPki, PkiFile } from "../../pki/clusterPki";
import { Bootstrapped, ControlPlaneEngine, EngineArgs, WorkerJoinRequest } from "../engine";
import { gateApiserver } from "./apiserverGate";
import { issueToken, joinToken, revokeToken, tokenBase } from "./bootstrapToken";
import { drainCommand, resetCommand } from "./commands";
import { dropStaleEtcdMember, followEtcdMembers, pruneStackedEtcd, recordEtcdEndpoints } from "./etcdMembership";
import { followLeaderElection } from "./leaderElection";
import { caCertHash, JoinRole, KUBEADM_INIT_TOKEN, kubeadmInitView, kubeadmJoinView, kubeconfigView } from "./views";

/** Stands for the token in the rejoin configuration of the first master (kubeadm-init.sh). */
export const JOIN_TOKEN_PLACEHOLDER = "@@TOKEN@@";

/** How long a node may take to register after its join. */
const REGISTER_TIMEOUT_SECONDS = 300;
/** How long a joined master's apiserver may take to answer ready (it stays out of rotation until then). */
const JOINED_APISERVER_TIMEOUT_SECONDS = 300;

export class KubeadmEngine implements ControlPlaneEngine {
  readonly kubeconfig: pulumi.Output<string>;
  readonly caCertPem: pulumi.Output<string>;
  readonly upgrade = { drainCommand };
  private readonly plan: ClusterPlan;
  private readonly opts: { parent: pulumi.Resource };
  private readonly token: pulumi.Output<string>;
  private readonly caHash: pulumi.Output<string>;
  private readonly pkiFiles: PkiFile[];
  private readonly stacked: boolean;

  constructor(
    private readonly name: string,
    parent: pulumi.ComponentResource,
    private readonly args: EngineArgs,
  ) {
    this.plan = args.plan;
    this.opts = { parent };
    this.stacked = this.plan.etcd.topology === "stacked";
    const pki = new ClusterPki(`${name}-pki`, this.stacked, this.opts);
    this.token = joinToken(tokenBase(name, parent), this.plan.joiners, args.targets);
    this.caHash = pki.ca.key.publicKeyPem.apply(caCertHash);
    this.caCertPem = pki.ca.certPem;
    const client = args.etcd?.client;
    const etcdPki = PATHS.externalEtcdClientPki;
    this.pkiFiles = [
      ...pki.files(),
      ...(client
        ? [
            { path: `${etcdPki}/ca.crt`, content: client.caCertPem, secret: false },
            { path: `${etcdPki}/client.crt`, content: client.certPem, secret: false },
            { path: `${etcdPki}/client.key`, content: client.keyPem, secret: true },
          ]
        : []),
    ];
    const { spec } = this.plan;
    this.kubeconfig = pulumi.secret(
      pulumi
        .all([pki.ca.certPem, pki.admin.certPem, pki.admin.keyPem])
        .apply(([ca, cert, key]) => renderFile("controlPlane/kubeadm/kubeconfig.yaml", kubeconfigView(spec.clusterName, this.plan.api.externalEndpoint, "kubernetes-admin", ca, cert, key))),
    );
  }

  prepareMaster(master: Host): pulumi.Resource[] {
    const target = this.target(master);
    const prefix = this.prefix(master);
    const installed = setupNode(prefix, master, target, this.plan, this.opts.parent, []);
    const placed = this.pkiFiles.map((file) =>
      putFile(
        `${prefix}-pki-${file.path.split("/pki/")[1].replace(/[/.]/g, "-")}`,
        target,
        { path: file.path, content: file.content, mode: file.secret ? "0600" : "0644", secret: file.secret },
        { ...this.opts, dependsOn: [installed] },
      ),
    );
    const gate = gateApiserver(prefix, master, target, [installed], this.opts);
    // Stacked etcd: a master that lost its disk loses its old member first.
    return [gate, ...(this.stacked ? [dropStaleEtcdMember(prefix, master, target, this.plan, placed, this.opts)] : placed)];
  }

  /**
   * `kubeadm init`, or, when the cluster already runs on the other masters (this first master was
   * reinstalled), a control-plane join with a token the script makes itself: the rejoin
   * configuration carries a placeholder, never a token. Then the etcd follow-up and the token.
   */
  bootstrap(master: Host, after: pulumi.Resource[]): Bootstrapped {
    const target = this.target(master);
    const prefix = this.prefix(master);
    const ignore = [...this.plan.spec.kubernetes.ignorePreflightErrors];
    const config = renderFile("controlPlane/kubeadm/init.yaml", kubeadmInitView(this.plan, master, ignore));
    const opts = { ...this.opts, dependsOn: after };
    const file = putFile(`${prefix}-kubeadm-config`, target, { path: PATHS.kubeadmInitConfig, content: config, mode: "0600" }, opts);
    const rejoinConfig = this.controlPlaneJoinConfig(master);
    const rejoin = putFile(`${prefix}-kubeadm-rejoin-config`, target, { path: PATHS.kubeadmRejoinConfig, content: rejoinConfig, mode: "0600" }, opts);
    const others = otherMasters(this.plan, master);
    const view = {
      apiserverAddress: master.address,
      apiserverTimeoutSeconds: JOINED_APISERVER_TIMEOUT_SECONDS,
      otherApiservers: others.map(apiserverUrl).join(" "),
      otherEtcdUrls: this.stacked ? etcdEndpoints(others).join(" ") : "",
      tokenPlaceholder: JOIN_TOKEN_PLACEHOLDER,
      initTokenDescription: KUBEADM_INIT_TOKEN.description,
    };
    const init = runStep(prefix, target, STEPS.kubeadmInit, { view, inputs: { config }, deleteCommand: resetCommand(target, "init") }, { ...this.opts, dependsOn: [file, rejoin] });
    const done = this.stacked ? pruneStackedEtcd(prefix, target, this.plan, init, this.opts) : recordEtcdEndpoints(prefix, target, this.plan, init, this.opts);
    const token = issueToken(prefix, target, this.token, this.opts.parent, done);
    return { done, joinGate: [token] };
  }

  joinMaster(master: Host, after: pulumi.Resource[]): remote.Command {
    return this.join(this.prefix(master), this.target(master), this.controlPlaneJoinConfig(master), after, this.opts.parent, master.address);
  }

  afterMasters(allJoined: remote.Command): void {
    this.registerMasters(allJoined);
    if (this.args.etcd) followEtcdMembers(this.name, this.plan, this.args.targets, allJoined, this.opts);
    followLeaderElection(this.name, this.plan, this.args.targets, allJoined, this.opts);
  }

  /** Every node of this token has joined: it is revoked. */
  afterJoins(joined: pulumi.Resource[]): void {
    revokeToken(this.prefix(this.plan.initMaster), this.target(this.plan.initMaster), this.token, this.opts.parent, joined);
  }

  joinWorker(request: WorkerJoinRequest): remote.Command {
    const { host, pool, prefix, parent } = request;
    const { spec } = this.plan;
    const target = this.target(host);
    const installed = setupNode(prefix, host, target, this.plan, parent, []);
    const role: JoinRole = { controlPlane: false, labels: { "kubeha.io/cluster": spec.clusterName, "kubeha.io/pool": pool.name, ...pool.labels }, taints: pool.taints };
    const config = this.joinConfig(host, role);
    const joined = this.join(prefix, target, config, [installed, ...request.after], parent);
    return this.registered(prefix, host, this.target(this.plan.initMaster), joined, parent);
  }

  /**
   * Writes the join configuration, with a placeholder where the token goes, and joins once; the
   * token travels in the join step's script only (never stored on the node). A master (its
   * address given) joins with its apiserver drained until ready. Deleting the step resets the node.
   */
  private join(prefix: string, target: ReadyTarget, config: pulumi.Output<string>, after: pulumi.Resource[], parent: pulumi.Resource, apiserverAddress = ""): remote.Command {
    const file = putFile(`${prefix}-kubeadm-join-config`, target, { path: PATHS.kubeadmJoinConfig, content: config, mode: "0600" }, { parent, dependsOn: after });
    const view = { tokenPlaceholder: JOIN_TOKEN_PLACEHOLDER, apiserverAddress, apiserverTimeoutSeconds: JOINED_APISERVER_TIMEOUT_SECONDS };
    return runStep(prefix, target, STEPS.kubeadmJoin, { view, secrets: { token: this.token }, deleteCommand: resetCommand(target, "join") }, { parent, dependsOn: [file] });
  }

  /**
   * Each master's Node, checked from another master, whose deletion (the master left the config)
   * drains and deletes the Node there: the leaving master itself may be dead.
   */
  private registerMasters(allJoined: remote.Command): void {
    const masters = this.plan.spec.masters;
    if (masters.length < 2) return;
    for (const [index, master] of masters.entries()) {
      const other = this.target(masters[index === 0 ? 1 : 0]);
      this.registered(this.prefix(master), master, other, allJoined, this.opts.parent);
    }
  }

  /** Waits on `checker` until HOST's Node registered; deleting the step drains and deletes the Node there. */
  private registered(prefix: string, host: Host, checker: ReadyTarget, after: pulumi.Resource, parent: pulumi.Resource): remote.Command {
    const view = { nodeName: host.name, timeoutSeconds: REGISTER_TIMEOUT_SECONDS };
    return runStep(prefix, checker, STEPS.nodeRegistered, { view, deleteCommand: drainCommand(checker, host.name) }, { parent, dependsOn: [after] });
  }

  private controlPlaneJoinConfig(master: Host): pulumi.Output<string> {
    return this.joinConfig(master, { controlPlane: true, labels: { "kubeha.io/cluster": this.plan.spec.clusterName }, taints: [] });
  }

  /** A join configuration with the token placeholder (the join and rejoin steps put the token in). */
  private joinConfig(host: Host, role: JoinRole): pulumi.Output<string> {
    const ignore = [...this.plan.spec.kubernetes.ignorePreflightErrors];
    return this.caHash.apply((hash) => renderFile("controlPlane/kubeadm/join.yaml", kubeadmJoinView(this.plan, host, role, JOIN_TOKEN_PLACEHOLDER, hash, ignore)));
  }

  private target(host: Host): ReadyTarget {
    return this.args.targets.get(host.name)!;
  }

  private prefix(host: Host): string {
    return `${this.name}-${host.name}`;
  }
}
