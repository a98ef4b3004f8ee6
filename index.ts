// kubeha: a highly available Kubernetes cluster on plain Linux hosts, over SSH.
// Read config -> validate -> plan -> etcd -> load balancer -> control plane -> workers -> add-ons
// -> the destroy guard -> outputs.
import { artifactImages, loadClusterSpec, sshPrivateKey } from "./config/load";
import { againstPreviousDeployment } from "./config/previousDeployment";
import { STAGES, Stage } from "./config/types";
import { planCluster } from "./plan/cluster";
import { ClusterAddons } from "./components/addons/clusterAddons";
import { DestroyGuard } from "./components/cluster/destroyGuard";
import { ControlPlane } from "./components/controlPlane/controlPlane";
import { EtcdCluster } from "./components/etcd/etcdCluster";
import { LoadBalancerPair } from "./components/endpoint/loadBalancerPair";
import { HostInventory } from "./components/host/hostInventory";
import { WorkerPool } from "./components/workers/workerPool";

export = async () => {
  const { spec, reference } = await againstPreviousDeployment(loadClusterSpec());
  const plan = planCluster(spec, artifactImages(spec));
  const deploys = (stage: Stage) => STAGES.indexOf(stage) <= STAGES.indexOf(spec.deployUntil);
  const name = spec.clusterName;

  const hosts = new HostInventory(`${name}-hosts`, { hosts: spec.hosts, ssh: spec.ssh, privateKey: sshPrivateKey(spec) });

  const etcdArgs = { etcd: plan.etcd, masters: spec.masters, targets: hosts.targets, clusterName: name, packageSource: spec.packages.source, artifactDir: spec.packages.artifactDir };
  const externalEtcd = plan.etcd.topology === "external" ? new EtcdCluster(`${name}-etcd`, etcdArgs) : undefined;

  const loadBalancer = deploys("loadBalancer")
    ? new LoadBalancerPair(`${name}-lb`, {
        endpoint: spec.endpoint,
        masters: spec.masters,
        targets: hosts.targets,
        hostPrefix: plan.hostPrefix,
        packageSource: spec.packages.source,
        after: externalEtcd ? [externalEtcd.healthy] : [],
      })
    : undefined;

  const controlPlane = loadBalancer && deploys("controlPlane") ? new ControlPlane(`${name}-cp`, { plan, targets: hosts.targets, etcd: externalEtcd, endpointReady: loadBalancer.ready }) : undefined;

  // Stacked etcd members come with the masters: check them before any worker joins.
  const etcd = controlPlane && plan.etcd.topology === "stacked" ? new EtcdCluster(`${name}-etcd`, { ...etcdArgs, after: controlPlane.joinable }) : externalEtcd;

  const pools = controlPlane && deploys("workers") ? spec.workerPools.map((pool) => new WorkerPool(`${name}-pool-${pool.name}`, { pool, controlPlane, after: etcd ? [etcd.healthy] : [] })) : [];

  // kubeha's bootstrap token is revoked once every node that needed it has joined.
  controlPlane?.afterNodesJoined(pools.flatMap((pool) => pool.registered));

  const addons =
    controlPlane && deploys("addons") ? new ClusterAddons(`${name}-addons`, { kubeconfig: controlPlane.kubeconfig, kubernetes: spec.kubernetes, apiReady: controlPlane.joinable }) : undefined;

  // Deleted first by `pulumi destroy`, which it refuses unless kubeha:allowDestroy.
  const guarding = [...new Set([reference, hosts, etcd, loadBalancer, controlPlane, ...pools, addons])].filter((r): r is NonNullable<typeof r> => r !== undefined);
  new DestroyGuard(`${name}-destroy-guard`, { allowed: spec.allowDestroy, clusterName: name, guarding });

  return definedOnly({
    apiEndpoint: loadBalancer?.endpoint,
    vip: spec.endpoint.vip,
    etcdEndpoints: etcd?.endpoints,
    kubeconfig: controlPlane?.kubeconfig,
    nodes: pools.length > 0 ? plan.workers.map((h) => h.name) : undefined,
    deployedUntil: spec.deployUntil,
    membership: plan.membership,
    hostKeys: hosts.hostKeys,
  });
};

/** Stack outputs without the stages that were not deployed (an undefined output only draws a warning). */
function definedOnly<T extends Record<string, unknown>>(outputs: T): Partial<T> {
  return Object.fromEntries(Object.entries(outputs).filter(([, value]) => value !== undefined)) as Partial<T>;
}
