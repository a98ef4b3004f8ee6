// The cluster plan: every fact derived from the validated spec, computed once, here. Components
// and views read these and never derive them again (who runs init, the etcd URLs, the endpoint,
// the SANs, who joins with the bootstrap token, the hosts' prefix length).
import { NodeArtifacts, nodeArtifacts } from "../config/artifacts";
import { Membership, membershipOf } from "../config/membership";
import { parseCidr } from "../config/network";
import { ClusterSpec, EtcdSnapshotSettings, Host, STAGES } from "../config/types";
import { PORTS } from "./paths";

export interface EtcdPlan {
  readonly topology: "stacked" | "external";
  readonly members: readonly Host[];
  /** Client URLs of every member, in member order. */
  readonly endpoints: readonly string[];
  /** "name=peerURL,..." of every member. */
  readonly initialCluster: string;
  /** The initial-cluster token of kubeha's external etcd (its unit's), and of any cluster a restore makes. */
  readonly clusterToken: string;
  /** Scheduled snapshots on every member (kubeha:etcdSnapshots); undefined: off. */
  readonly snapshots?: EtcdSnapshotSettings;
}

export interface ApiPlan {
  /** host:port every kubelet and kubeadm uses: VIP:lbPort, or the node-local nginx in local mode. */
  readonly controlPlaneEndpoint: string;
  /** host:port of the exported kubeconfig: the HA endpoint, or the first master in local mode (127.0.0.1 only works on nodes). */
  readonly externalEndpoint: string;
  /** SANs of the apiserver certificate: the VIP, every master, loopback, and the user's extras. */
  readonly sans: readonly string[];
}

export interface ClusterPlan {
  readonly spec: ClusterSpec;
  /** The master that runs `kubeadm init` (kept first across updates by keepInitMasterFirst). */
  readonly initMaster: Host;
  /** Every worker of every pool. */
  readonly workers: readonly Host[];
  /** Names of every node this deployment joins with a bootstrap token (workers only when their stage is deployed): each set has its own token. */
  readonly joiners: readonly string[];
  /** Prefix length of the hosts' network (the VIP's address on the lb hosts). */
  readonly hostPrefix: number;
  readonly etcd: EtcdPlan;
  readonly api: ApiPlan;
  /** The etcd members and masters, published as a stack output for the next update's guard. */
  readonly membership: Membership;
  /** Offline mode: what each Kubernetes node takes from the artifact directory, by host name. */
  readonly artifacts: ReadonlyMap<string, NodeArtifacts>;
}

export function clientUrl(member: Pick<Host, "address">): string {
  return `https://${member.address}:${PORTS.etcdClient}`;
}

export function peerUrl(member: Pick<Host, "address">): string {
  return `https://${member.address}:${PORTS.etcdPeer}`;
}

export function apiserverUrl(master: Host): string {
  return `https://${master.address}:${PORTS.apiserver}`;
}

export function etcdEndpoints(members: readonly Host[]): string[] {
  return members.map(clientUrl);
}

/** Every master of the config but this one. */
export function otherMasters(plan: ClusterPlan, master: Host): Host[] {
  return plan.spec.masters.filter((m) => m.name !== master.name);
}

/** The plan of a validated spec; `imageFiles` lists kubeha:artifactDir/images (offline mode). */
export function planCluster(spec: ClusterSpec, imageFiles: readonly string[] = []): ClusterPlan {
  const [initMaster] = spec.masters;
  const workers = spec.workerPools.flatMap((pool) => pool.hosts);
  // The joins this deployment runs: workers join only when their stage is deployed.
  const deploysWorkers = STAGES.indexOf(spec.deployUntil) >= STAGES.indexOf("workers");
  const controlPlaneEndpoint = `${spec.endpoint.address}:${spec.endpoint.port}`;
  const sans = [spec.endpoint.vip, ...spec.masters.map((m) => m.address), ...spec.masters.map((m) => m.name), "127.0.0.1", "localhost", ...spec.kubernetes.certSans];
  return {
    spec,
    initMaster,
    workers,
    joiners: [...spec.masters.slice(1), ...(deploysWorkers ? workers : [])].map((h) => h.name),
    hostPrefix: parseCidr(spec.hostCidr)!.prefix,
    membership: membershipOf(spec),
    etcd: {
      topology: spec.etcd.topology,
      members: spec.etcd.members,
      endpoints: etcdEndpoints(spec.etcd.members),
      initialCluster: spec.etcd.members.map((m) => `${m.name}=${peerUrl(m)}`).join(","),
      clusterToken: `${spec.clusterName}-etcd`,
      snapshots: spec.etcd.snapshots,
    },
    artifacts: new Map(
      spec.packages.source === "offline"
        ? [...spec.masters, ...workers].map((host) => [host.name, nodeArtifacts(imageFiles, { controlPlane: host.roles.includes("master"), stackedEtcd: spec.etcd.topology === "stacked" })])
        : [],
    ),
    api: {
      controlPlaneEndpoint,
      externalEndpoint: spec.endpoint.mode === "vip" ? controlPlaneEndpoint : `${initMaster.address}:${PORTS.apiserver}`,
      sans: [...new Set(sans.filter((s): s is string => !!s))],
    },
  };
}
