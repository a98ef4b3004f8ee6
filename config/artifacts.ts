// Validation of the offline artifact directory: it must hold every file the deployed stages use.
import { Problems } from "./errors";
import { Stage, STAGES } from "./types";

/** What each need takes from kubeha:artifactDir (layout of scripts/artifacts). */
const ETCD_FILES = ["bin/etcd", "bin/etcdctl"];
const KUBERNETES_FILES = ["bin/kubeadm", "bin/kubelet", "bin/kubectl", "images"];

export function requiredArtifacts(externalEtcd: boolean, deployUntil: Stage): string[] {
  const needsKubernetes = STAGES.indexOf(deployUntil) >= STAGES.indexOf("controlPlane");
  return [...(externalEtcd ? ETCD_FILES : []), ...(needsKubernetes ? KUBERNETES_FILES : [])];
}

export function checkArtifactDir(
  artifactDir: string,
  required: readonly string[],
  fileExists: (path: string) => boolean,
  problems: Problems,
): void {
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
