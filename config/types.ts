// The validated, typed description of a cluster that every component is built from.
// Produced by validateConfig() from raw stack config; plain data, no Pulumi types.
import { KnownHostsLine } from "./knownHosts";

export const ROLES = ["master", "worker", "etcd", "lb"] as const;
export type Role = (typeof ROLES)[number];

/** Control-plane engines kubeha has (kubeha:controlPlaneEngine). */
export const CONTROL_PLANE_ENGINES = ["kubeadm"] as const;
export type ControlPlaneEngineName = (typeof CONTROL_PLANE_ENGINES)[number];

export const STAGES = ["etcd", "loadBalancer", "controlPlane", "workers", "addons"] as const;
export type Stage = (typeof STAGES)[number];

export interface Host {
  readonly name: string;
  readonly address: string;
  readonly roles: readonly Role[];
  /** VRRP priority; set on every load-balancer host in vip mode. */
  readonly vrrpPriority?: number;
  /** Pinned SSH host public key ("ssh-ed25519 AAAA..."); unset: kubeha:knownHostsFile, else trusted on first use. */
  readonly hostKey?: string;
}

export interface Taint {
  readonly key: string;
  readonly value: string;
  readonly effect: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
}

export interface WorkerPool {
  readonly name: string;
  readonly hosts: readonly Host[];
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly Taint[];
}

export interface SshSettings {
  readonly user: string;
  readonly port: number;
  /** Exactly one of these is the key: an inline secret config value or a file path. */
  readonly privateKeyPath?: string;
  readonly bastion?: { readonly user: string; readonly host: string; readonly port: number; readonly hostKey?: string };
  readonly hostKeys: HostKeyPolicy;
  /** How long one remote step may run (kubeha:stepTimeout). */
  readonly stepTimeoutSeconds: number;
}

/** Where host keys come from beyond the pinned ones (config/hostTrust.ts, plan/hostKeys.ts). */
export interface HostKeyPolicy {
  /** false only with kubeha:insecureSkipHostKeyVerification. */
  readonly verify: boolean;
  readonly knownHostsFile?: string;
  readonly knownHosts: readonly KnownHostsLine[];
}

export interface VrrpSettings {
  /** 2 (RFC 3768, whole-second adverts, PASS authentication) or 3 (RFC 5798, centiseconds, no authentication). */
  readonly version: 2 | 3;
  readonly routerId: number;
  readonly interface: string;
  /** Seconds between adverts: whole with version 2, in centiseconds with version 3 (e.g. 0.2). */
  readonly advertInterval: number;
  /** Seconds a backup waits before taking the VIP from a lower-priority holder; 0: at once. */
  readonly preemptDelay: number;
}

/** Lease timings of kube-controller-manager's and kube-scheduler's leader election, as Go durations. */
export interface LeaderElection {
  readonly leaseDuration: string;
  readonly renewDeadline: string;
  readonly retryPeriod: string;
}

/** Scheduled etcd snapshots on every member (kubeha:etcdSnapshots). */
export interface EtcdSnapshotSettings {
  /** A systemd OnCalendar expression. */
  readonly schedule: string;
  /** How many snapshots each member keeps, newest first. */
  readonly keep: number;
  /** Where each member keeps them (absolute, no trailing slash). */
  readonly directory: string;
}

export interface ApiEndpoint {
  readonly mode: "vip" | "local";
  /** The address clients use with `port`: the VIP, or 127.0.0.1 in local mode. */
  readonly address: string;
  readonly port: number;
  readonly vip?: string;
  /** Hosts running keepalived + nginx (vip), or nginx only (local: every node). */
  readonly lbHosts: readonly Host[];
  readonly vrrp: VrrpSettings;
}

export interface KubernetesSettings {
  readonly version: string;
  readonly podCidr: string;
  readonly serviceCidr: string;
  readonly dnsServiceIp: string;
  readonly certSans: readonly string[];
  readonly cni: "flannel" | "none";
  readonly cgroupDriver: "systemd" | "cgroupfs";
  /** false: no eviction or image collection for disk pressure (hosts that cannot measure their disk). */
  readonly kubeletDiskEviction: boolean;
  readonly ignorePreflightErrors: readonly string[];
  /** kubeha:leaderElection; undefined: Kubernetes' defaults, nothing rendered. */
  readonly leaderElection?: LeaderElection;
}

export interface ClusterSpec {
  readonly clusterName: string;
  readonly ssh: SshSettings;
  readonly hostCidr: string;
  readonly hosts: readonly Host[];
  readonly masters: readonly Host[];
  /** How the control plane runs on the masters and how nodes join it. */
  readonly controlPlaneEngine: ControlPlaneEngineName;
  readonly etcd: {
    readonly topology: "stacked" | "external";
    readonly members: readonly Host[];
    /** kubeha:etcdSnapshots; undefined: off, no timer. */
    readonly snapshots?: EtcdSnapshotSettings;
  };
  readonly endpoint: ApiEndpoint;
  readonly kubernetes: KubernetesSettings;
  readonly workerPools: readonly WorkerPool[];
  readonly packages: { readonly source: "online" | "offline"; readonly artifactDir?: string };
  readonly deployUntil: Stage;
  /** kubeha:allowDestroy: `pulumi destroy` may reset the hosts (else it is refused before any host is touched). */
  readonly allowDestroy: boolean;
}

/** Stack config as read, before validation: every field may be missing or of the wrong type. */
export interface RawConfig {
  readonly [key: string]: unknown;
}
