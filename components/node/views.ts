// Pure view builders for node preparation and containerd.
import { ClusterSpec } from "../../config/types";
import { VERSIONS } from "../../plan/versions";

export const KERNEL_MODULES = ["overlay", "br_netfilter"];
export const SYSCTLS = [
  { key: "net.bridge.bridge-nf-call-iptables", value: "1" },
  { key: "net.bridge.bridge-nf-call-ip6tables", value: "1" },
  { key: "net.ipv4.ip_forward", value: "1" },
];
/** Distribution packages every node needs (online mode installs the missing ones); jq reads etcd's and the API's JSON in the step scripts. */
export const NODE_PACKAGES = "containerd runc containernetworking-plugins conntrack socat iptables ethtool curl gpg ca-certificates jq";

export function hostsBlockView(spec: ClusterSpec) {
  return { clusterName: spec.clusterName, hosts: spec.hosts.map((h) => ({ name: h.name, address: h.address })) };
}

export function containerdView(spec: ClusterSpec) {
  return { sandboxImage: VERSIONS.pauseImage, systemdCgroup: spec.kubernetes.cgroupDriver === "systemd" ? "true" : "false" };
}
