// Ports that collide on a host: nginx's lbPort and sshd's sshPort against each other and against
// what else kubeha runs there (apiserver, etcd, kubelet, kube-proxy, scheduler, controller-manager).
import { KUBERNETES_PORTS, NODE_PORT_RANGE, PORTS } from "../plan/paths";
import { Problems } from "./errors";
import { ApiEndpoint, ClusterSpec, Host } from "./types";

/** What listens on a host besides sshd and nginx: port -> its owner. */
export function clusterPortsOn(host: Host, etcd: ClusterSpec["etcd"]): Map<number, string> {
  const ports = new Map<number, string>();
  const node = host.roles.includes("master") || host.roles.includes("worker");
  if (node) {
    ports.set(KUBERNETES_PORTS.kubelet, "the kubelet");
    ports.set(KUBERNETES_PORTS.kubeletHealthz, "the kubelet's health check");
    ports.set(KUBERNETES_PORTS.kubeProxyMetrics, "kube-proxy's metrics");
    ports.set(KUBERNETES_PORTS.kubeProxyHealthz, "kube-proxy's health check");
  }
  if (host.roles.includes("master")) {
    ports.set(PORTS.apiserver, "the apiserver");
    ports.set(KUBERNETES_PORTS.controllerManager, "kube-controller-manager");
    ports.set(KUBERNETES_PORTS.scheduler, "kube-scheduler");
  }
  if (etcd.members.some((m) => m.name === host.name)) {
    ports.set(PORTS.etcdClient, "etcd's clients");
    ports.set(PORTS.etcdPeer, "etcd's peers");
    if (etcd.topology === "stacked") ports.set(KUBERNETES_PORTS.stackedEtcdMetrics, "etcd's metrics");
  }
  return ports;
}

function inNodePortRange(port: number): boolean {
  return port >= NODE_PORT_RANGE.first && port <= NODE_PORT_RANGE.last;
}

const isNode = (host: Host) => host.roles.includes("master") || host.roles.includes("worker");
const nodePortRange = `${NODE_PORT_RANGE.first}-${NODE_PORT_RANGE.last}`;

export function checkPorts(hosts: readonly Host[], etcd: ClusterSpec["etcd"], endpoint: ApiEndpoint, sshPort: number, problems: Problems): void {
  const free = (port: number) => (port === 16443 ? 8443 : 16443);
  const lbOwners = new Map<string, string[]>();
  for (const host of endpoint.lbHosts) {
    const owner = endpoint.port === sshPort ? "sshd (kubeha:sshPort)" : clusterPortsOn(host, etcd).get(endpoint.port);
    if (owner) lbOwners.set(owner, [...(lbOwners.get(owner) ?? []), host.name]);
  }
  for (const [owner, names] of lbOwners) {
    problems.add("lbPort", `nginx would listen on ${endpoint.port} on ${names.join(", ")}, where it is the port of ${owner}`, `use a free port, e.g. ${free(endpoint.port)}`);
  }
  const lbNodes = endpoint.lbHosts.filter(isNode);
  if (inNodePortRange(endpoint.port) && lbNodes.length > 0) {
    problems.add(
      "lbPort",
      `${endpoint.port} is in the NodePort range ${nodePortRange} of nodes ${lbNodes.map((h) => h.name).join(", ")}: a Service given that NodePort would take the API endpoint's traffic`,
      `use a port outside ${nodePortRange}, e.g. 16443`,
    );
  }
  const sshOwners = new Map<string, string[]>();
  for (const host of hosts) {
    const owner = clusterPortsOn(host, etcd).get(sshPort);
    if (owner) sshOwners.set(owner, [...(sshOwners.get(owner) ?? []), host.name]);
  }
  for (const [owner, names] of sshOwners) {
    problems.add(
      "sshPort",
      `${sshPort} is the port of ${owner} on ${names.join(", ")}, so sshd and it cannot both listen there`,
      "give sshd another port on the hosts (22 is the default) and set kubeha:sshPort to it",
    );
  }
  const sshNodes = hosts.filter(isNode);
  if (inNodePortRange(sshPort) && sshNodes.length > 0) {
    problems.add(
      "sshPort",
      `${sshPort} is in the NodePort range ${nodePortRange}: a Service given that NodePort would take the SSH traffic of every node`,
      `give sshd a port outside ${nodePortRange}, e.g. 22`,
    );
  }
}
