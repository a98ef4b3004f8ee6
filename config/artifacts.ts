// Validation of the offline artifact directory: it must hold every file the deployed stages use.
import { VERSIONS } from "../plan/versions";
import { Problems } from "./errors";
import { Stage, STAGES } from "./types";

/** What each need takes from kubeha:artifactDir (layout of scripts/artifacts). */
const ETCD_FILES = ["bin/etcd", "bin/etcdctl"];
const KUBERNETES_FILES = ["bin/kubeadm", "bin/kubelet", "bin/kubectl", "images"];
/** kubeha:etcdSnapshots: every member takes them with etcdctl and checks them with etcdutl. */
const SNAPSHOT_FILES = ["bin/etcdctl", "bin/etcdutl"];

export function requiredArtifacts(externalEtcd: boolean, deployUntil: Stage, snapshots = false): string[] {
  const needsKubernetes = STAGES.indexOf(deployUntil) >= STAGES.indexOf("controlPlane");
  // Stacked etcd (and so its snapshots) exists only once the control plane does.
  const needsSnapshotTools = snapshots && (externalEtcd || needsKubernetes);
  const files = [...(externalEtcd ? ETCD_FILES : []), ...(needsKubernetes ? KUBERNETES_FILES : []), ...(needsSnapshotTools ? SNAPSHOT_FILES : [])];
  return [...new Set(files)];
}

export function checkArtifactDir(artifactDir: string, required: readonly string[], fileExists: (path: string) => boolean, problems: Problems): void {
  if (required.length === 0) return;
  const build = "build them with `npm run artifacts` (scripts/artifacts/README.md) and set kubeha:artifactDir to the directory it prints";
  if (artifactDir === "") {
    problems.add("artifactDir", `packageSource offline needs an artifact directory with ${required.join(", ")}`, build);
    return;
  }
  if (!fileExists(artifactDir)) {
    problems.add("artifactDir", `${artifactDir} does not exist`, build);
    return;
  }
  const missing = required.filter((file) => !fileExists(`${artifactDir}/${file}`));
  if (missing.length > 0) problems.add("artifactDir", `${artifactDir} lacks ${missing.join(", ")}`, build);
}

/**
 * Offline, kubeadm runs with imagePullPolicy Never on the images `npm run artifacts` built: those of
 * plan/deployed-versions.json's Kubernetes release, and no other.
 */
export function checkOfflineVersion(version: string, required: readonly string[], problems: Problems): void {
  if (!required.includes("bin/kubeadm") || version === VERSIONS.kubernetes) return;
  problems.add(
    "kubernetesVersion",
    `${version} is not the release of the offline artifacts (${VERSIONS.kubernetes}, plan/deployed-versions.json): kubeadm would look for images that are not there`,
    `set kubeha:kubernetesVersion ${VERSIONS.kubernetes}, or use packageSource online`,
  );
}

/** Images only control-plane nodes run (kubeadm's static pods), by file name under images/. */
const CONTROL_PLANE_IMAGES = ["kube-apiserver.tar", "kube-controller-manager.tar", "kube-scheduler.tar"];
/** kubeadm's etcd image: a static pod on the masters with stacked etcd only. */
const STACKED_ETCD_IMAGE = "etcd.tar";

export interface NodeArtifacts {
  /** Binaries under bin/ installed into /usr/local/bin. */
  readonly tools: string[];
  /** Image archives under images/ imported into containerd. */
  readonly images: string[];
}

/**
 * What one node takes from the artifact directory. Workers skip kubectl and the control plane's
 * images (a third of the directory): less to copy and import on every worker, which is what
 * makes adding workers cheap. Images kubeha does not know (a user's own) go to every node.
 */
export function nodeArtifacts(imageFiles: readonly string[], node: { controlPlane: boolean; stackedEtcd: boolean }): NodeArtifacts {
  const skip = new Set([...(node.controlPlane ? [] : CONTROL_PLANE_IMAGES), ...(node.controlPlane && node.stackedEtcd ? [] : [STACKED_ETCD_IMAGE])]);
  return {
    tools: node.controlPlane ? ["kubeadm", "kubelet", "kubectl"] : ["kubeadm", "kubelet"],
    images: imageFiles.filter((file) => file.endsWith(".tar") && !skip.has(file)).sort(),
  };
}
