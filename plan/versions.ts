// The versions kubeha deploys, from plan/deployed-versions.json (which scripts/artifacts/build.sh reads too).
import * as fs from "fs";
import * as path from "path";

interface Versions {
  readonly kubernetes: string;
  readonly etcdMinor: string;
  readonly etcdOnline: string;
  readonly pause: string;
  readonly flannel: string;
  readonly flannelCniPlugin: string;
}

// Read, not imported: the file is not named versions.json, which Node.js would resolve
// "./versions" to before versions.ts under the loader Pulumi runs the program with.
const versions = JSON.parse(fs.readFileSync(path.join(__dirname, "deployed-versions.json"), "utf8")) as Versions;

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

/**
 * The Kubernetes minors kubeha's templates serve: kubeadm.k8s.io/v1beta4 configs (kubeadm 1.31 and
 * later) and the pause image above, which kubeadm 1.31-1.33 expect.
 */
export const KUBERNETES_MINORS = { first: 31, last: 33 } as const;

export const IMAGE_REPOSITORY = "registry.k8s.io";
