// ControlPlane: kubeadm on the masters behind the HA endpoint. The first master runs
// `kubeadm init` with controlPlaneEndpoint = the endpoint; the others join as control planes one
// at a time; apiservers are active-active, scheduler and controller-manager leader-elected.
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { remote } from "@pulumi/command";
import { APISERVER_PORT } from "../config/defaults";
import { ClusterSpec, Host } from "../config/types";
import { putFile, runScript } from "../lib/remote";
import { renderTemplate } from "../lib/render";
import { ClusterPki } from "./clusterPki";
import { EtcdCluster, etcdEndpoints, peerUrl, STACKED_ETCD_PKI_DIR } from "./etcdCluster";
import { ReadyTarget } from "./hostInventory";
import { setupNode } from "./nodeSetup";
import { caCertHash, EXTERNAL_ETCD_PKI, externalEndpoint, kubeadmInitView, kubeadmJoinView, kubeconfigView } from "./nodeViews";

/** How long the bootstrap token lives after the set of joining nodes last changed. */
export const BOOTSTRAP_TOKEN_TTL = "2h";

export interface ControlPlaneArgs {
  readonly spec: ClusterSpec;
  readonly targets: ReadonlyMap<string, ReadyTarget>;
  /** The external etcd cluster, when etcdTopology is external (stacked etcd is kubeadm's). */
  readonly etcd?: EtcdCluster;
  /** Steps after which the API endpoint is in place (the load balancer's health gate). */
  readonly endpointReady: pulumi.Resource[];
  /** Names of every node that joins with the bootstrap token: a change re-issues it. */
  readonly joiners: readonly string[];
}

export class ControlPlane extends pulumi.ComponentResource {
  /** Secret. Admin kubeconfig whose server is the HA endpoint. */
  readonly kubeconfig: pulumi.Output<string>;
  readonly caCertPem: pulumi.Output<string>;
  readonly caCertHash: pulumi.Output<string>;
  /** Secret. */
  readonly bootstrapToken: pulumi.Output<string>;
  readonly endpoint: string;
  /** Completes when every master has joined and the bootstrap token is valid. */
  readonly joinable: pulumi.Resource[];

  constructor(name: string, args: ControlPlaneArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kubeha:index:ControlPlane", name, {}, opts);
    const { spec } = args;
    const stacked = spec.etcd.topology === "stacked";
    const pki = new ClusterPki(`${name}-pki`, stacked, { parent: this });
    this.bootstrapToken = bootstrapToken(name, this);
    this.caCertHash = pki.ca.key.publicKeyPem.apply(caCertHash);
    this.caCertPem = pki.ca.certPem;
    const gate = [...args.endpointReady, ...(args.etcd ? [args.etcd.healthy] : [])];
    const etcdClient = args.etcd?.client;
    const pkiFiles = [
      ...pki.files(),
      ...(etcdClient
        ? [
            { path: `${EXTERNAL_ETCD_PKI}/ca.crt`, content: etcdClient.caCertPem, secret: false },
            { path: `${EXTERNAL_ETCD_PKI}/client.crt`, content: etcdClient.certPem, secret: false },
            { path: `${EXTERNAL_ETCD_PKI}/client.key`, content: etcdClient.keyPem, secret: true },
          ]
        : []),
    ];

    let previous: remote.Command | undefined;
    let tokenReady: remote.Command | undefined;
    for (const [index, master] of spec.masters.entries()) {
      const target = args.targets.get(master.name)!;
      const prefix = `${name}-${master.name}`;
      // Preparation runs on all masters in parallel; only init/join is sequential.
      const installed = setupNode(prefix, master, target, spec, this, []);
      const placed = pkiFiles.map((file) =>
        putFile(`${prefix}-pki-${file.path.split("/pki/")[1].replace(/[/.]/g, "-")}`, target, { path: file.path, content: file.content, mode: file.secret ? "0600" : "0644", secret: file.secret }, { parent: this, dependsOn: [installed] }),
      );
      // Stacked etcd: a master that lost its disk loses its old member first.
      const ready = stacked ? [this.dropStaleEtcdMember(prefix, master, target, spec, placed)] : placed;
      if (index === 0) {
        previous = this.init(prefix, master, target, args, [...ready, ...gate]);
        if (stacked) previous = this.pruneStackedEtcd(prefix, target, spec.masters, previous);
        else previous = this.recordEtcdEndpoints(prefix, target, args.etcd!.endpoints, previous);
        tokenReady = this.issueToken(prefix, target, args.joiners, previous);
      } else {
        previous = this.join(prefix, master, target, args, [...ready, previous!, tokenReady!]);
      }
    }
    this.joinable = [previous!, tokenReady!];
    this.registerMasters(name, spec.masters, args.targets, previous!);
    if (args.etcd) this.followEtcdMembers(name, spec.masters, args.targets, args.etcd.endpoints, previous!);
    this.endpoint = externalEndpoint(spec);
    this.kubeconfig = pulumi.secret(
      pulumi.all([pki.ca.certPem, pki.admin.certPem, pki.admin.keyPem]).apply(([ca, cert, key]) =>
        renderTemplate("kubeadm/kubeconfig.yaml", kubeconfigView(spec.clusterName, this.endpoint, "kubernetes-admin", ca, cert, key)),
      ),
    );
    this.registerOutputs({ kubeconfig: this.kubeconfig, caCertPem: this.caCertPem, endpoint: this.endpoint });
  }

  /**
   * `kubeadm init`, or, when the cluster already runs on the other masters (this first master was
   * reinstalled), a control-plane join with a token the script makes itself: the rejoin
   * configuration carries a placeholder, never a token.
   */
  private init(prefix: string, master: Host, target: ReadyTarget, args: ControlPlaneArgs, after: pulumi.Resource[]): remote.Command {
    const config = renderTemplate("kubeadm/init.yaml", kubeadmInitView(args.spec, master, args.etcd?.endpoints ?? [], [...args.spec.kubernetes.ignorePreflightErrors]));
    const file = putFile(`${prefix}-kubeadm-config`, target, { path: "/etc/kubeha/kubeadm-init.yaml", content: config, mode: "0600" }, { parent: this, dependsOn: after });
    const rejoin = putFile(`${prefix}-kubeadm-rejoin-config`, target, { path: "/etc/kubeha/kubeadm-rejoin.yaml", content: this.controlPlaneJoinConfig(args.spec, master, pulumi.output(REJOIN_TOKEN_PLACEHOLDER)), mode: "0600" }, { parent: this, dependsOn: after });
    const others = otherMasters(args.spec, master);
    const script = renderTemplate("scripts/kubeadm-init.sh", {
      otherApiservers: others.map((m) => `https://${m.address}:${APISERVER_PORT}`).join(" "),
      otherEtcdUrls: args.spec.etcd.topology === "stacked" ? etcdEndpoints(others).join(" ") : "",
      tokenPlaceholder: REJOIN_TOKEN_PLACEHOLDER,
    });
    return runScript(`${prefix}-kubeadm-init`, target, { script, inputs: { config }, deleteCommand: resetCommand(target, "init") }, { parent: this, dependsOn: [file, rejoin] });
  }

  /** Stacked etcd: the member of a master that lost its etcd data goes before it joins again. */
  private dropStaleEtcdMember(prefix: string, master: Host, target: ReadyTarget, spec: ClusterSpec, after: pulumi.Resource[]): remote.Command {
    const others = etcdEndpoints(otherMasters(spec, master));
    const script = renderTemplate("scripts/etcd-stale-member-stacked.sh", { peerUrl: peerUrl(master), otherClientUrls: others.join(" "), kubernetesVersion: spec.kubernetes.version });
    return runScript(`${prefix}-etcd-stale-member`, target, { script }, { parent: this, dependsOn: after });
  }

  /** Stacked etcd: members of masters that left the config go before the other masters join. */
  private pruneStackedEtcd(prefix: string, target: ReadyTarget, masters: readonly Host[], initialised: remote.Command): remote.Command {
    const script = renderTemplate("scripts/etcd-prune-stacked.sh", { peerUrls: masters.map(peerUrl).join(" "), pkiDir: STACKED_ETCD_PKI_DIR, timeoutSeconds: 120 });
    return runScript(`${prefix}-etcd-prune`, target, { script }, { parent: this, dependsOn: [initialised] });
  }

  /**
   * External etcd: kubeadm's cluster configuration lists the configured members before the other
   * masters join, so that a master replacing another one gets an apiserver on the current members.
   */
  private recordEtcdEndpoints(prefix: string, target: ReadyTarget, endpoints: readonly string[], initialised: remote.Command): remote.Command {
    const script = renderTemplate("scripts/kubeadm-etcd-endpoints.sh", { endpoints: endpoints.join(" "), timeoutSeconds: 120 });
    return runScript(`${prefix}-kubeadm-etcd-endpoints`, target, { script }, { parent: this, dependsOn: [initialised] });
  }

  /**
   * External etcd: every apiserver dials the configured members. kubeadm sets --etcd-servers only
   * at init or join; when the members change, the masters' apiservers are restarted on the new
   * list one at a time (each ready before the next), after every master has joined.
   */
  private followEtcdMembers(name: string, masters: readonly Host[], targets: ReadonlyMap<string, ReadyTarget>, endpoints: readonly string[], allJoined: remote.Command): void {
    const script = renderTemplate("scripts/apiserver-etcd-servers.sh", { servers: endpoints.join(","), apiserverPort: APISERVER_PORT, timeoutSeconds: 180 });
    let previous = allJoined;
    for (const master of masters) {
      previous = runScript(`${name}-${master.name}-apiserver-etcd-servers`, targets.get(master.name)!, { script }, { parent: this, dependsOn: [previous] });
    }
  }

  /**
   * Each master's Node, checked from another master, whose deletion (the master left the config)
   * drains and deletes the Node there: the leaving master itself may be dead.
   */
  private registerMasters(name: string, masters: readonly Host[], targets: ReadonlyMap<string, ReadyTarget>, allJoined: remote.Command): void {
    if (masters.length < 2) return;
    for (const [index, master] of masters.entries()) {
      const other = targets.get(masters[index === 0 ? 1 : 0].name)!;
      runScript(
        `${name}-${master.name}-registered`,
        other,
        { script: renderTemplate("scripts/node-ready.sh", { nodeName: master.name, timeoutSeconds: 300 }), deleteCommand: drainCommand(other, master.name) },
        { parent: this, dependsOn: [allJoined] },
      );
    }
  }

  private issueToken(prefix: string, target: ReadyTarget, joiners: readonly string[], initialised: remote.Command): remote.Command {
    const file = putFile(`${prefix}-bootstrap-token`, target, { path: "/etc/kubeha/bootstrap-token", content: this.bootstrapToken, mode: "0600", secret: true }, { parent: this, dependsOn: [initialised] });
    return runScript(
      `${prefix}-bootstrap-token-issue`,
      target,
      { script: renderTemplate("scripts/bootstrap-token.sh", { ttl: BOOTSTRAP_TOKEN_TTL }), inputs: { token: this.bootstrapToken, joiners: [...joiners].sort().join(",") } },
      { parent: this, dependsOn: [file] },
    );
  }

  private join(prefix: string, master: Host, target: ReadyTarget, args: ControlPlaneArgs, after: pulumi.Resource[]): remote.Command {
    return joinNode(prefix, target, this.controlPlaneJoinConfig(args.spec, master, this.bootstrapToken), after, this);
  }

  private controlPlaneJoinConfig(spec: ClusterSpec, master: Host, token: pulumi.Output<string>): pulumi.Output<string> {
    const role = { controlPlane: true, labels: { "kubeha.io/cluster": spec.clusterName }, taints: [] };
    const ignore = [...spec.kubernetes.ignorePreflightErrors];
    return pulumi.all([token, this.caCertHash]).apply(([t, hash]) => renderTemplate("kubeadm/join.yaml", kubeadmJoinView(spec, master, role, t, hash, ignore)));
  }
}

/** Writes the (secret) join configuration and joins once; deleting the step resets the node. */
export function joinNode(prefix: string, target: ReadyTarget, config: pulumi.Output<string>, after: pulumi.Resource[], parent: pulumi.Resource): remote.Command {
  const file = putFile(`${prefix}-kubeadm-join-config`, target, { path: "/etc/kubeha/kubeadm-join.yaml", content: config, mode: "0600", secret: true }, { parent, dependsOn: after });
  return runScript(`${prefix}-kubeadm-join`, target, { script: renderTemplate("scripts/kubeadm-join.sh", {}), deleteCommand: resetCommand(target, "join") }, { parent, dependsOn: [file] });
}

/**
 * Undoes kubeadm on a node, markers included: a node added back later must join again. Only when
 * STEP still owns kubeadm there: when the first master leaves the config, the next one's join
 * step gives way to an init step that takes the node over, and must not reset it.
 */
export function resetCommand(target: ReadyTarget, step: "init" | "join"): string {
  const owner = `owner=$(cat ${KUBEADM_STEP_FILE} 2>/dev/null || echo ${step})`;
  const keep = `if [ "$owner" != ${step} ]; then echo "[kubeha] kubeadm here belongs to its $owner step now: not reset"; exit 0; fi`;
  return `${target.sudo}sh -c '${owner}; ${keep}; kubeadm reset -f && rm -rf /etc/cni/net.d /etc/kubeha/kubeadm-join.yaml /etc/kubeha/kubeadm-join.done /etc/kubeha/kubeadm-init.done /etc/kubeha/kubeadm-rejoin.started ${KUBEADM_STEP_FILE}'`;
}

/** Every master of the config but this one. */
function otherMasters(spec: ClusterSpec, master: Host): Host[] {
  return spec.masters.filter((m) => m.name !== master.name);
}

/** Stands for the token in the rejoin configuration of the first master (kubeadm-init.sh). */
export const REJOIN_TOKEN_PLACEHOLDER = "@@TOKEN@@";

/** Which kubeha step (init or join) owns kubeadm on a node: written by both scripts. */
export const KUBEADM_STEP_FILE = "/etc/kubeha/kubeadm-step";

/**
 * Run on a master when a node leaves the config, before the node itself is reset: drains it while
 * it is Ready (a dead node's pods cannot terminate, so draining it would only wait out the timeout),
 * then deletes its Node.
 */
export function drainCommand(master: ReadyTarget, node: string): string {
  const kubectl = `${master.sudo}kubectl --kubeconfig=/etc/kubernetes/admin.conf`;
  const ready = `${kubectl} get node ${node} -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null | grep -qx True`;
  return `if ${ready}; then ${kubectl} drain ${node} --ignore-daemonsets --delete-emptydir-data --force --timeout=120s; fi; ${kubectl} delete node ${node} --ignore-not-found`;
}

/** A kubeadm bootstrap token "[a-z0-9]{6}.[a-z0-9]{16}", a secret from @pulumi/random. */
function bootstrapToken(name: string, parent: pulumi.Resource): pulumi.Output<string> {
  const part = (suffix: string, length: number) => new random.RandomPassword(`${name}-token-${suffix}`, { length, upper: false, special: false }, { parent }).result;
  return pulumi.secret(pulumi.interpolate`${part("id", 6)}.${part("secret", 16)}`);
}
