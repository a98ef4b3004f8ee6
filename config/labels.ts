// Which node labels and taints a worker pool may set: the kubelet refuses most keys of the
// kubernetes.io and k8s.io namespaces, and some keys are kubeha's or Kubernetes' own.

/** Labels the kubelet sets itself, and labels kubeha sets on every node (components/controlPlane/kubeadm/kubeadmEngine.ts). */
const OWN_LABELS: Record<string, string> = {
  "kubernetes.io/hostname": "the kubelet sets it to the node name",
  "kubernetes.io/os": "the kubelet sets it",
  "kubernetes.io/arch": "the kubelet sets it",
  "beta.kubernetes.io/os": "the kubelet sets it",
  "beta.kubernetes.io/arch": "the kubelet sets it",
};
/** Keys of the kubernetes.io / k8s.io namespaces the kubelet accepts in --node-labels (k8s.io/kubelet well_known_labels.go). */
const KUBELET_ALLOWED_LABELS = [
  "topology.kubernetes.io/region",
  "topology.kubernetes.io/zone",
  "failure-domain.beta.kubernetes.io/region",
  "failure-domain.beta.kubernetes.io/zone",
  "beta.kubernetes.io/instance-type",
];
const KUBELET_ALLOWED_PREFIXES = ["kubelet.kubernetes.io/", "node.kubernetes.io/"];

function prefixOf(key: string): string {
  return key.includes("/") ? key.split("/")[0] : "";
}

function inKubernetesNamespace(key: string): boolean {
  const prefix = prefixOf(key);
  return ["kubernetes.io", "k8s.io"].some((domain) => prefix === domain || prefix.endsWith(`.${domain}`));
}

/** Why a pool cannot set this (syntactically valid) label key, with what to do; undefined when it can. */
export function refusedLabel(key: string): { problem: string; fix: string } | undefined {
  if (prefixOf(key) === "kubeha.io") return { problem: `label ${key} is kubeha's own (kubeha.io/cluster and kubeha.io/pool are set on every node)`, fix: "use a key with your own prefix" };
  if (key.startsWith("node-role.kubernetes.io/")) return { problem: `label ${key} cannot be set by a kubelet (node roles are kubeha's: control-plane on the masters)`, fix: "use another label key" };
  if (key in OWN_LABELS) return { problem: `label ${key} would override the node's own (${OWN_LABELS[key]})`, fix: "drop it, or use a key with your own prefix" };
  if (inKubernetesNamespace(key) && !KUBELET_ALLOWED_LABELS.includes(key) && !KUBELET_ALLOWED_PREFIXES.some((p) => key.startsWith(p))) {
    return {
      problem: `label ${key} is in the kubernetes.io/k8s.io namespace, which the kubelet refuses in --node-labels`,
      fix: "use node.kubernetes.io/..., topology.kubernetes.io/region|zone, or a key with your own prefix",
    };
  }
  return undefined;
}

/** Why a pool cannot set a taint with this key; undefined when it can. */
export function refusedTaintKey(key: string): { problem: string; fix: string } | undefined {
  if (key.startsWith("node-role.kubernetes.io/"))
    return { problem: `taint ${key} is kubeha's own (the masters' control-plane taint)`, fix: "use a key with your own prefix, e.g. dedicated=gpu:NoSchedule" };
  if (key.startsWith("node.kubernetes.io/"))
    return { problem: `taint ${key} is the node controller's (not-ready, unreachable, pressure): it adds and removes those itself`, fix: "use a key with your own prefix" };
  return undefined;
}
