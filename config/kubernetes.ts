// Validation of the Kubernetes settings: version, pod and service networks, SANs, CNI, cgroup driver.
import { KUBERNETES_MINORS, VERSIONS } from "../plan/versions";
import { DEFAULTS } from "./defaults";
import { Problems } from "./errors";
import { booleanField, enumField, stringField, stringListField } from "./fields";
import { readLeaderElection } from "./leaderElection";
import { Cidr, cidrsOverlap, DNS_NAME, formatCidr, isIpv4, nthAddress, parseCidr } from "./network";
import { KubernetesSettings } from "./types";

/** kube-controller-manager's default --node-cidr-mask-size: each node's pod range is a /24. */
const NODE_POD_PREFIX = 24;
const VERSION = /^1\.(\d+)\.(\d+)$/;

/** `nodeCount`: the masters and workers, each of which takes a /24 of the pod network. */
export function readKubernetes(raw: Record<string, unknown>, hostCidr: Cidr | undefined, nodeCount: number, problems: Problems): KubernetesSettings {
  const version = stringField(raw, "kubernetesVersion", DEFAULTS.kubernetesVersion, problems).replace(/^v/, "");
  const minor = VERSION.exec(version);
  const { first, last } = KUBERNETES_MINORS;
  if (!minor) {
    problems.add("kubernetesVersion", `"${version}" is not a supported Kubernetes version`, `give a full release of 1.${first} to 1.${last}, e.g. ${VERSIONS.kubernetes}`);
  } else if (Number(minor[1]) < first || Number(minor[1]) > last) {
    problems.add(
      "kubernetesVersion",
      `${version} is not a supported Kubernetes version: kubeha's templates serve 1.${first} to 1.${last} (kubeadm v1beta4 configs, the pause image ${VERSIONS.pauseImage})`,
      `give a release of 1.${first} to 1.${last}, e.g. ${VERSIONS.kubernetes}`,
    );
  }
  const pod = readCidr(raw, "podCidr", DEFAULTS.podCidr, problems);
  const service = readCidr(raw, "serviceCidr", DEFAULTS.serviceCidr, problems);
  const networks: [string, Cidr | undefined][] = [
    ["podCidr", pod],
    ["serviceCidr", service],
    ["hostCidr", hostCidr],
  ];
  for (let i = 0; i < networks.length; i++) {
    for (let j = i + 1; j < networks.length; j++) {
      const [keyA, a] = networks[i];
      const [keyB, b] = networks[j];
      if (a && b && cidrsOverlap(a, b)) {
        problems.add(keyA, `${formatCidr(a)} overlaps ${keyB} ${formatCidr(b)}`, `choose ${keyA} and ${keyB} so that they do not overlap`);
      }
    }
  }
  if (pod && pod.prefix > 22) problems.add("podCidr", `/${pod.prefix} is too small for per-node /24 pod ranges`, "use a /22 or larger, e.g. 10.244.0.0/16");
  else if (pod && 2 ** (NODE_POD_PREFIX - pod.prefix) < nodeCount) {
    problems.add(
      "podCidr",
      `${formatCidr(pod)} holds ${2 ** (NODE_POD_PREFIX - pod.prefix)} per-node /24 pod ranges, fewer than the ${nodeCount} nodes`,
      "use a larger pod network, e.g. 10.244.0.0/16 (256 nodes)",
    );
  }
  if (pod && pod.prefix < NODE_POD_PREFIX - 16) {
    problems.add("podCidr", `/${pod.prefix} is too large: kube-controller-manager refuses a pod network more than 16 bits larger than its /24 node ranges`, "use a /8 or smaller, e.g. 10.244.0.0/16");
  }
  if (service && service.prefix > 28) problems.add("serviceCidr", `/${service.prefix} is too small`, "use a /28 or larger, e.g. 10.96.0.0/12");
  if (service && service.prefix < 12)
    problems.add("serviceCidr", `/${service.prefix} is too large: the apiserver refuses an IPv4 service network larger than /12`, "use a /12 or smaller, e.g. 10.96.0.0/12");
  const certSans = stringListField(raw, "certSans", problems);
  for (const san of certSans) {
    if (!isIpv4(san) && !DNS_NAME.test(san)) {
      problems.add("certSans", `"${san}" is neither an IPv4 address nor a DNS name`, "list IP addresses and DNS names only");
    }
  }
  const ignorePreflightErrors = stringListField(raw, "ignorePreflightErrors", problems);
  for (const check of ignorePreflightErrors) {
    if (!/^[A-Za-z0-9][-A-Za-z0-9_.]*$/.test(check))
      problems.add("ignorePreflightErrors", `"${check}" is not a preflight check name`, "list check names as kubeadm prints them, e.g. Swap or SystemVerification");
  }
  return {
    version,
    podCidr: pod ? formatCidr(pod) : DEFAULTS.podCidr,
    serviceCidr: service ? formatCidr(service) : DEFAULTS.serviceCidr,
    dnsServiceIp: nthAddress(service ?? parseCidr(DEFAULTS.serviceCidr)!, 10),
    certSans,
    cni: enumField(raw, "cni", ["flannel", "none"] as const, DEFAULTS.cni, problems),
    cgroupDriver: enumField(raw, "cgroupDriver", ["systemd", "cgroupfs"] as const, DEFAULTS.cgroupDriver, problems),
    kubeletDiskEviction: booleanField(raw, "kubeletDiskEviction", DEFAULTS.kubeletDiskEviction, problems),
    ignorePreflightErrors,
    leaderElection: readLeaderElection(raw, problems),
  };
}

function readCidr(raw: Record<string, unknown>, key: string, fallback: string, problems: Problems): Cidr | undefined {
  const text = stringField(raw, key, fallback, problems);
  const cidr = parseCidr(text);
  if (!cidr) problems.add(key, `"${text}" is not a network in CIDR form`, "write it as ADDRESS/PREFIX with no host bits set, e.g. 10.244.0.0/16");
  return cidr;
}
