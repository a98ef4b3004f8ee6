import { VERSIONS } from "../plan/versions";
// Defaults of every scalar config key. Pulumi.yaml declares the same defaults for the CLI
// (tests/unit/project-config.test.ts keeps the two in step); they are repeated here because
// Pulumi.yaml defaults are applied by the CLI only, not under unit-test mocks.
export const DEFAULTS = {
  clusterName: "kubeha",
  sshUser: "root",
  sshPort: 22,
  sshPrivateKey: "",
  sshPrivateKeyPath: "",
  sshBastion: "",
  sshBastionHostKey: "",
  knownHostsFile: "",
  insecureSkipHostKeyVerification: false,
  stepTimeout: "20m",
  hostCidr: "",
  controlPlaneEngine: "kubeadm",
  etcdTopology: "stacked",
  etcdSnapshots: "default",
  apiEndpoint: "vip",
  vip: "",
  lbPort: 16443,
  vrrpRouterId: 51,
  vrrpInterface: "eth0",
  vrrpVersion: 2 as 2 | 3,
  vrrpAdvertInterval: 1,
  vrrpPreemptDelay: 0,
  kubernetesVersion: VERSIONS.kubernetes,
  podCidr: "10.244.0.0/16",
  serviceCidr: "10.96.0.0/12",
  certSans: [] as string[],
  cni: "flannel",
  ignorePreflightErrors: [] as string[],
  cgroupDriver: "systemd",
  leaderElection: "default",
  kubeletDiskEviction: true,
  packageSource: "online",
  artifactDir: "",
  deployUntil: "addons",
  allowDestroy: false,
} as const;

/** VRRP priorities handed out in host order when no load-balancer host sets one. */
export const DEFAULT_PRIORITY_START = 150;
export const DEFAULT_PRIORITY_STEP = 10;
