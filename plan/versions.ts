// The versions kubeha deploys, from plan/versions.json (which scripts/artifacts/build.sh reads too).
import versions from "./versions.json";

export const VERSIONS = {
  /** The default kubeha:kubernetesVersion. */
  kubernetes: versions.kubernetes,
  /** kubeadm 1.31+ refuses an external etcd older than 3.5 (Debian 12 ships 3.4): the release is installed instead. */
  etcdMinor: versions.etcdMinor,
  /** The release downloaded in online mode: the etcd of kubeadm 1.32's own image. */
  etcd: versions.etcdOnline,
  /** The sandbox image kubeadm 1.31-1.33 expects; containerd must name the same one. */
  pauseImage: `registry.k8s.io/pause:${versions.pause}`,
  flannelImage: `ghcr.io/flannel-io/flannel:${versions.flannel}`,
  flannelCniPluginImage: `ghcr.io/flannel-io/flannel-cni-plugin:${versions.flannelCniPlugin}`,
} as const;

export const IMAGE_REPOSITORY = "registry.k8s.io";
