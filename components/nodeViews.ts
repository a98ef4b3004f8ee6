// Pure view builders for node preparation, containerd and kubeadm templates.
import { createHash, createPublicKey } from "crypto";
import { APISERVER_PORT } from "../config/defaults";
import { ClusterSpec, Host, Taint } from "../config/types";

export const KERNEL_MODULES = ["overlay", "br_netfilter"];
export const SYSCTLS = [
  { key: "net.bridge.bridge-nf-call-iptables", value: "1" },
  { key: "net.bridge.bridge-nf-call-ip6tables", value: "1" },
  { key: "net.ipv4.ip_forward", value: "1" },
];
/** The sandbox image kubeadm 1.31-1.33 expects; containerd must name the same one. */
export const PAUSE_IMAGE = "registry.k8s.io/pause:3.10";
export const IMAGE_REPOSITORY = "registry.k8s.io";
/** Distribution packages every node needs (online mode installs the missing ones). */
export const NODE_PACKAGES = "containerd runc containernetworking-plugins conntrack socat iptables ethtool curl gpg ca-certificates";

export function hostsBlockView(spec: ClusterSpec) {
  return { clusterName: spec.clusterName, hosts: spec.hosts.map((h) => ({ name: h.name, address: h.address })) };
}

export function containerdView(spec: ClusterSpec) {
  return { sandboxImage: PAUSE_IMAGE, systemdCgroup: spec.kubernetes.cgroupDriver === "systemd" ? "true" : "false" };
}

/** host:port every kubelet and kubeadm uses: VIP:lbPort, or the node-local nginx in local mode. */
export function controlPlaneEndpoint(spec: ClusterSpec): string {
  return `${spec.endpoint.address}:${spec.endpoint.port}`;
}

/** host:port the exported kubeconfig uses: the HA endpoint, or the first master in local mode (127.0.0.1 only works on nodes). */
export function externalEndpoint(spec: ClusterSpec): string {
  return spec.endpoint.mode === "vip" ? controlPlaneEndpoint(spec) : `${spec.masters[0].address}:${APISERVER_PORT}`;
}

/** SANs of the apiserver certificate: the VIP, every master, loopback, and the user's extras. */
export function apiserverSans(spec: ClusterSpec): string[] {
  const sans = [spec.endpoint.vip, ...spec.masters.map((m) => m.address), ...spec.masters.map((m) => m.name), "127.0.0.1", "localhost", ...spec.kubernetes.certSans];
  return [...new Set(sans.filter((s): s is string => !!s))];
}

export const EXTERNAL_ETCD_PKI = "/etc/kubernetes/pki/etcd-external";

export function imagePullPolicy(spec: ClusterSpec): string {
  return spec.packages.source === "offline" ? "Never" : "IfNotPresent";
}

export function kubeadmInitView(spec: ClusterSpec, first: Host, etcdEndpoints: string[], ignorePreflightErrors: string[]) {
  const external = spec.etcd.topology === "external";
  return {
    nodeName: first.name,
    address: first.address,
    apiserverPort: APISERVER_PORT,
    imagePullPolicy: imagePullPolicy(spec),
    ignorePreflightErrors,
    clusterName: spec.clusterName,
    kubernetesVersion: spec.kubernetes.version,
    controlPlaneEndpoint: controlPlaneEndpoint(spec),
    imageRepository: IMAGE_REPOSITORY,
    podCidr: spec.kubernetes.podCidr,
    serviceCidr: spec.kubernetes.serviceCidr,
    certSans: apiserverSans(spec),
    externalEtcd: external
      ? { endpoints: etcdEndpoints, caFile: `${EXTERNAL_ETCD_PKI}/ca.crt`, certFile: `${EXTERNAL_ETCD_PKI}/client.crt`, keyFile: `${EXTERNAL_ETCD_PKI}/client.key` }
      : false,
    stackedEtcd: !external,
    cgroupDriver: spec.kubernetes.cgroupDriver,
    kubeletDiskEviction: spec.kubernetes.kubeletDiskEviction,
    dnsServiceIp: spec.kubernetes.dnsServiceIp,
  };
}

export interface JoinRole {
  readonly controlPlane: boolean;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly Taint[];
}

export function kubeadmJoinView(spec: ClusterSpec, host: Host, role: JoinRole, token: string, caCertHash: string, ignorePreflightErrors: string[]) {
  return {
    nodeName: host.name,
    controlPlaneEndpoint: controlPlaneEndpoint(spec),
    token,
    caCertHash,
    imagePullPolicy: imagePullPolicy(spec),
    ignorePreflightErrors,
    nodeLabels: Object.entries(role.labels).map(([k, v]) => `${k}=${v}`).join(","),
    taints: role.taints,
    controlPlane: role.controlPlane ? { address: host.address, apiserverPort: APISERVER_PORT } : false,
  };
}

/** kubeadm's discovery hash: sha256 over the CA public key's DER SubjectPublicKeyInfo. */
export function caCertHash(caPublicKeyPem: string): string {
  const der = createPublicKey(caPublicKeyPem).export({ type: "spki", format: "der" });
  return `sha256:${createHash("sha256").update(der).digest("hex")}`;
}

export function kubeconfigView(clusterName: string, server: string, user: string, caPem: string, certPem: string, keyPem: string) {
  const b64 = (s: string) => Buffer.from(s).toString("base64");
  return { clusterName, server, user, caData: b64(caPem), certData: b64(certPem), keyData: b64(keyPem) };
}
