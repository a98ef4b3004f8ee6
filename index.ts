// kubeha: a highly available Kubernetes cluster on plain Linux hosts, over SSH.
// Read config -> validate -> etcd -> load balancer -> control plane -> workers -> add-ons -> outputs.
import { loadClusterSpec, sshPrivateKey } from "./config/load";
import { againstPreviousDeployment, membershipOf } from "./config/previousDeployment";
import { parseCidr } from "./config/network";
import { STAGES, Stage } from "./config/types";
import { ClusterAddons } from "./components/clusterAddons";
import { ControlPlane } from "./components/controlPlane";
import { EtcdCluster } from "./components/etcdCluster";
import { HostInventory } from "./components/hostInventory";
import { LoadBalancerPair } from "./components/loadBalancerPair";
import { WorkerPool } from "./components/workerPool";

export = async () => {
  const spec = await againstPreviousDeployment(loadClusterSpec());
  const deploys = (stage: Stage) => STAGES.indexOf(stage) <= STAGES.indexOf(spec.deployUntil);
  const name = spec.clusterName;

  const hosts = new HostInventory(`${name}-hosts`, { hosts: spec.hosts, ssh: spec.ssh, privateKey: sshPrivateKey(spec) });

  const etcdArgs = { members: spec.etcd.members, targets: hosts.targets, clusterName: name, packageSource: spec.packages.source, artifactDir: spec.packages.artifactDir };
  const externalEtcd = spec.etcd.topology === "external" ? new EtcdCluster(`${name}-etcd`, { ...etcdArgs, topology: "external" }) : undefined;

  const loadBalancer = deploys("loadBalancer")
    ? new LoadBalancerPair(`${name}-lb`, { endpoint: spec.endpoint, masters: spec.masters, targets: hosts.targets, hostPrefix: parseCidr(spec.hostCidr)!.prefix, packageSource: spec.packages.source, after: externalEtcd ? [externalEtcd.healthy] : [] })
    : undefined;

  const controlPlane =
    loadBalancer && deploys("controlPlane")
      ? new ControlPlane(`${name}-cp`, {
          spec,
          targets: hosts.targets,
          etcd: externalEtcd,
          endpointReady: loadBalancer.ready,
          joiners: [...spec.masters.slice(1), ...spec.workerPools.flatMap((p) => p.hosts)].map((h) => h.name),
        })
      : undefined;

  // Stacked etcd members come with the masters: check them before any worker joins.
  const etcd = controlPlane && spec.etcd.topology === "stacked" ? new EtcdCluster(`${name}-etcd`, { ...etcdArgs, topology: "stacked", after: controlPlane.joinable }) : externalEtcd;

  const pools =
    controlPlane && deploys("workers")
      ? spec.workerPools.map((pool) => new WorkerPool(`${name}-pool-${pool.name}`, { pool, spec, targets: hosts.targets, controlPlane, after: etcd ? [etcd.healthy] : [] }))
      : [];

  if (controlPlane && deploys("addons")) {
    new ClusterAddons(`${name}-addons`, { kubeconfig: controlPlane.kubeconfig, kubernetes: spec.kubernetes, apiReady: controlPlane.joinable });
  }

  return definedOnly({
    apiEndpoint: loadBalancer?.endpoint,
    vip: spec.endpoint.vip,
    etcdEndpoints: etcd?.endpoints,
    kubeconfig: controlPlane?.kubeconfig,
    nodes: pools.length > 0 ? spec.workerPools.flatMap((p) => p.hosts.map((h) => h.name)) : undefined,
    deployedUntil: spec.deployUntil,
    membership: membershipOf(spec),
  });
};

/** Stack outputs without the stages that were not deployed (an undefined output only draws a warning). */
function definedOnly<T extends Record<string, unknown>>(outputs: T): Partial<T> {
  return Object.fromEntries(Object.entries(outputs).filter(([, value]) => value !== undefined)) as Partial<T>;
}
