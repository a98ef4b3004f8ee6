// Which host, bootstrap stage and step a planned resource belongs to. Every per-host resource is
// named `<component>-<host>-<suffix>` (components/host/steps.ts); the suffix is found among the
// step registry's and the components' file names, longest first, so host names may hold dashes.
import { STEPS } from "../components/host/steps";

export type StageId = "hosts" | "etcd" | "loadBalancer" | "controlPlane" | "workers" | "addons" | "stack";

/** The bootstrap stages (index.ts), and the stack's own resources last. */
export const STAGE_ORDER: readonly StageId[] = ["hosts", "etcd", "loadBalancer", "controlPlane", "workers", "addons", "stack"];

export const STAGE_TITLES: Readonly<Record<StageId, string>> = {
  hosts: "SSH reachability",
  etcd: "etcd",
  loadBalancer: "API endpoint (load balancer)",
  controlPlane: "control plane",
  workers: "workers",
  addons: "add-ons",
  stack: "stack",
};

const STAGE_OF_COMPONENT: Readonly<Record<string, StageId>> = {
  "kubeha:index:HostInventory": "hosts",
  "kubeha:index:EtcdCluster": "etcd",
  "kubeha:index:LoadBalancerPair": "loadBalancer",
  "kubeha:index:ControlPlane": "controlPlane",
  "kubeha:index:WorkerPool": "workers",
  "kubeha:index:ClusterAddons": "addons",
};

export type StepKind = "script" | "file" | "upload" | "certificate" | "check";

export interface StepInfo {
  readonly suffix: string;
  readonly kind: StepKind;
  /** What it is (files: "keepalived config") or does (scripts: the registry's description). */
  readonly what: string;
}

/** The files components put on hosts (putFile), and the other per-host resources, by suffix. */
const OTHER_STEPS: readonly StepInfo[] = [
  { suffix: "reachable", kind: "check", what: "waits until SSH answers" },
  { suffix: "host-key", kind: "check", what: "records the SSH host key on first use" },
  { suffix: "modules", kind: "file", what: "kernel modules list" },
  { suffix: "sysctl", kind: "file", what: "sysctl settings" },
  { suffix: "hosts", kind: "file", what: "/etc/hosts entries" },
  { suffix: "containerd-conf", kind: "file", what: "containerd config" },
  { suffix: "kubelet-unit", kind: "file", what: "kubelet unit" },
  { suffix: "kubelet-dropin", kind: "file", what: "kubelet drop-in" },
  { suffix: "kubeadm-config", kind: "file", what: "kubeadm init config" },
  { suffix: "kubeadm-rejoin-config", kind: "file", what: "kubeadm rejoin config" },
  { suffix: "kubeadm-join-config", kind: "file", what: "kubeadm join config" },
  { suffix: "bootstrap-token", kind: "file", what: "bootstrap token file" },
  { suffix: "nginx-conf", kind: "file", what: "nginx config" },
  { suffix: "keepalived-conf", kind: "file", what: "keepalived config" },
  { suffix: "keepalived-auth", kind: "file", what: "keepalived VRRP password" },
  { suffix: "keepalived-wait-address", kind: "file", what: "keepalived wait-for-address drop-in" },
  { suffix: "check-apiserver", kind: "file", what: "keepalived apiserver check script" },
  { suffix: "apiserver-gate-program", kind: "file", what: "apiserver boot gate program" },
  { suffix: "apiserver-gate-unit", kind: "file", what: "apiserver boot gate unit" },
  { suffix: "snapshots-program", kind: "file", what: "etcd snapshot program" },
  { suffix: "restore-program", kind: "file", what: "etcd restore program" },
  { suffix: "snapshots-service", kind: "file", what: "etcd snapshot unit" },
  { suffix: "snapshots-timer", kind: "file", what: "etcd snapshot timer" },
  { suffix: "unit", kind: "file", what: "etcd unit" },
  { suffix: "initial-cluster", kind: "file", what: "etcd initial-cluster file" },
  { suffix: "peer-key", kind: "certificate", what: "etcd peer key" },
  { suffix: "peer-csr", kind: "certificate", what: "etcd peer certificate request" },
  { suffix: "peer-cert", kind: "certificate", what: "etcd peer certificate" },
  { suffix: "server-key", kind: "certificate", what: "etcd server key" },
  { suffix: "server-csr", kind: "certificate", what: "etcd server certificate request" },
  { suffix: "server-cert", kind: "certificate", what: "etcd server certificate" },
];

/** Families of per-host resources named by what they carry: pki-ca-crt, file-peer-key, artifact-bin-kubeadm, upload-etcd. */
const FAMILIES: readonly { prefix: string; kind: StepKind; what: (rest: string) => string }[] = [
  { prefix: "pki-", kind: "file", what: (rest) => `Kubernetes PKI file ${rest}` },
  { prefix: "file-", kind: "file", what: (rest) => `etcd TLS file ${rest}` },
  { prefix: "artifact-", kind: "upload", what: (rest) => `artifact ${rest.replace("-", "/")}` },
  { prefix: "upload-", kind: "upload", what: (rest) => `${rest} binary` },
];

const KNOWN: readonly StepInfo[] = [...Object.values(STEPS).map((s): StepInfo => ({ suffix: s.suffix, kind: "script", what: s.description })), ...OTHER_STEPS]
  // Longest first: "kubeadm-join-config" before "kubeadm-join", "bootstrap-token-issue" before "bootstrap-token".
  .filter((s, i, all) => all.findIndex((o) => o.suffix === s.suffix) === i)
  .sort((a, b) => b.suffix.length - a.suffix.length);

export interface Identity {
  readonly stage: StageId;
  /** The component's resource name (kubeha-pool-workers for a pool). */
  readonly component: string;
  /** The host it runs on, or undefined for a cluster-wide resource. */
  readonly host?: string;
  readonly step: StepInfo;
}

/** The stage, host and step of a resource, from its name, type and parent component. */
export function identify(name: string, type: string, parentType: string, parentName: string): Identity {
  const stage = STAGE_OF_COMPONENT[parentType] ?? "stack";
  const rest = parentName && name.startsWith(`${parentName}-`) ? name.slice(parentName.length + 1) : name;
  const perHost = type.startsWith("command:remote:") || type.startsWith("tls:");
  if (perHost && stage !== "stack") {
    for (const family of FAMILIES) {
      const at = rest.lastIndexOf(`-${family.prefix}`);
      if (at > 0)
        return { stage, component: parentName, host: rest.slice(0, at), step: { suffix: rest.slice(at + 1), kind: family.kind, what: family.what(rest.slice(at + 1 + family.prefix.length)) } };
    }
    for (const step of KNOWN) {
      if (rest.endsWith(`-${step.suffix}`) && rest.length > step.suffix.length + 1) return { stage, component: parentName, host: rest.slice(0, -step.suffix.length - 1), step };
    }
    const whole = KNOWN.find((s) => s.suffix === rest);
    if (whole) return { stage, component: parentName, step: whole };
  }
  return { stage, component: parentName, step: { suffix: rest, kind: kindOfType(type), what: whatOfType(type, rest) } };
}

function kindOfType(type: string): StepKind {
  return type.startsWith("tls:") || type.startsWith("random:") ? "certificate" : type.startsWith("command:") ? "script" : "check";
}

/** A cluster-wide resource in words: "private key pki-ca-key", "Kubernetes Namespace flannel-ns". */
function whatOfType(type: string, rest: string): string {
  const kinds: Record<string, string> = {
    "tls:index/privateKey:PrivateKey": "private key",
    "tls:index/selfSignedCert:SelfSignedCert": "CA certificate",
    "tls:index/certRequest:CertRequest": "certificate request",
    "tls:index/locallySignedCert:LocallySignedCert": "certificate",
    "random:index/randomPassword:RandomPassword": "generated secret",
    "pulumi-nodejs:dynamic/kubeha:DestroyGuard": "destroy guard (kubeha:allowDestroy; no host)",
  };
  if (kinds[type]) return `${kinds[type]} ${rest}`;
  if (type.startsWith("kubernetes:")) return `Kubernetes ${type.split(":").pop()} ${rest}`;
  if (type.startsWith("pulumi:providers:")) return `${type.split(":").pop()} provider ${rest}`;
  return `${type} ${rest}`;
}
