// Pure view builders for kubeadm's configuration files and the admin kubeconfig.
import { createHash, createPublicKey } from "crypto";
import { ClusterSpec, Host, LeaderElection, Taint } from "../../../config/types";
import { ClusterPlan } from "../../../plan/cluster";
import { PATHS, PORTS } from "../../../plan/paths";
import { IMAGE_REPOSITORY } from "../../../plan/versions";

export function imagePullPolicy(spec: ClusterSpec): string {
  return spec.packages.source === "offline" ? "Never" : "IfNotPresent";
}

/**
 * The token `kubeadm init` always makes (its bootstrap-token phase also sets up the RBAC joins
 * need, so it cannot be skipped). A config-file init gives it no description, so kubeha's init
 * configuration names it, with a short life, and the init step deletes it by that description.
 */
export const KUBEADM_INIT_TOKEN = { description: "kubeha: kubeadm init's own token, deleted right after init", ttl: "15m" } as const;

export function kubeadmInitView(plan: ClusterPlan, first: Host, ignorePreflightErrors: string[]) {
  const { spec } = plan;
  const external = spec.etcd.topology === "external";
  const pki = PATHS.externalEtcdClientPki;
  return {
    nodeName: first.name,
    address: first.address,
    apiserverPort: PORTS.apiserver,
    imagePullPolicy: imagePullPolicy(spec),
    ignorePreflightErrors,
    clusterName: spec.clusterName,
    kubernetesVersion: spec.kubernetes.version,
    controlPlaneEndpoint: plan.api.controlPlaneEndpoint,
    imageRepository: IMAGE_REPOSITORY,
    podCidr: spec.kubernetes.podCidr,
    serviceCidr: spec.kubernetes.serviceCidr,
    certSans: plan.api.sans,
    externalEtcd: external ? { endpoints: plan.etcd.endpoints, caFile: `${pki}/ca.crt`, certFile: `${pki}/client.crt`, keyFile: `${pki}/client.key` } : false,
    stackedEtcd: !external,
    cgroupDriver: spec.kubernetes.cgroupDriver,
    kubeletDiskEviction: spec.kubernetes.kubeletDiskEviction,
    dnsServiceIp: spec.kubernetes.dnsServiceIp,
    leaderElectionArgs: leaderElectionArgs(spec.kubernetes.leaderElection),
    initToken: KUBEADM_INIT_TOKEN,
  };
}

/** kube-controller-manager's and kube-scheduler's leader-election flags; none for Kubernetes' defaults. */
export function leaderElectionArgs(timings: LeaderElection | undefined): { name: string; value: string }[] {
  if (!timings) return [];
  return [
    { name: "leader-elect-lease-duration", value: timings.leaseDuration },
    { name: "leader-elect-renew-deadline", value: timings.renewDeadline },
    { name: "leader-elect-retry-period", value: timings.retryPeriod },
  ];
}

export interface JoinRole {
  readonly controlPlane: boolean;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly Taint[];
}

export function kubeadmJoinView(plan: ClusterPlan, host: Host, role: JoinRole, token: string, caCertHash: string, ignorePreflightErrors: string[]) {
  return {
    nodeName: host.name,
    controlPlaneEndpoint: plan.api.controlPlaneEndpoint,
    token,
    caCertHash,
    imagePullPolicy: imagePullPolicy(plan.spec),
    ignorePreflightErrors,
    nodeLabels: Object.entries(role.labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(","),
    taints: role.taints,
    controlPlane: role.controlPlane ? { address: host.address, apiserverPort: PORTS.apiserver } : false,
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
