// Every on-host path, marker, port and unit name kubeha uses: the one home of each. Components
// pass these to the remote steps, and every script template gets them as {{paths.*}} and
// {{ports.*}} (templates spell none of them by hand).

/** Ports. */
export const PORTS = {
  /** kube-apiserver on every master. */
  apiserver: 6443,
  etcdClient: 2379,
  etcdPeer: 2380,
} as const;

/**
 * Ports the Kubernetes components listen on at kubeadm's defaults. kubeha renders none of them,
 * but nothing else on a host may take them (config/ports.ts refuses lbPort or sshPort there).
 */
export const KUBERNETES_PORTS = {
  kubelet: 10250,
  kubeletHealthz: 10248,
  kubeProxyMetrics: 10249,
  kubeProxyHealthz: 10256,
  controllerManager: 10257,
  scheduler: 10259,
  /** kubeadm's stacked etcd: --listen-metrics-urls=http://127.0.0.1:2381. */
  stackedEtcdMetrics: 2381,
} as const;

/** The apiserver's default --service-node-port-range: a NodePort Service takes its port on every node. */
export const NODE_PORT_RANGE = { first: 30000, last: 32767 } as const;

const KUBEHA = "/etc/kubeha";
const KUBEHA_LIB = "/var/lib/kubeha";
const KUBERNETES = "/etc/kubernetes";
const ETCD_CONFIG = "/etc/etcd";
const SYSTEMD = "/etc/systemd/system";
const KUBEHA_PROGRAMS = "/usr/local/lib/kubeha";
/** A master's kube-apiserver boot gate (templates/controlPlane/kubeadm/apiserver-gate.sh). */
const APISERVER_GATE_UNIT = "kubeha-apiserver-gate.service";
/** An etcd member's scheduled snapshot (templates/etcd/etcd-snapshot.sh) and its timer. */
const ETCD_SNAPSHOT = "kubeha-etcd-snapshot";

/** On-host paths. */
export const PATHS = {
  // kubeha's own state on every node
  kubehaDir: KUBEHA,
  kubehaLogDir: "/var/log/kubeha",
  /** The host's SSH public keys, read by the trust-on-first-use step (sshd's defaults, made by ssh-keygen -A). */
  sshHostPublicKeys: "/etc/ssh/ssh_host_*_key.pub",
  /** Hosts entries of the cluster, merged into /etc/hosts by prepare-node. */
  hostsBlock: `${KUBEHA}/hosts-block`,
  /** Where offline artifacts are uploaded on each node (bin/ and images/ below). */
  artifactStaging: `${KUBEHA_LIB}/artifacts`,
  /** Staged uploads (artifacts, etcd binaries): removed with kubeha's other files by the host's cleanup step. */
  kubehaLibDir: KUBEHA_LIB,

  /** kubeha's programs that run on a host outside its steps (the apiserver boot gate). */
  kubehaProgramDir: KUBEHA_PROGRAMS,
  apiserverGateScript: `${KUBEHA_PROGRAMS}/apiserver-gate.sh`,
  apiserverGateUnit: `${SYSTEMD}/${APISERVER_GATE_UNIT}`,
  /** The unit's enablement (systemctl enable): removed with the unit by the host's cleanup. */
  apiserverGateWants: `${SYSTEMD}/multi-user.target.wants/${APISERVER_GATE_UNIT}`,
  /** Takes, verifies and prunes one etcd snapshot: run by its timer, and by `npm run backup`. */
  etcdSnapshotScript: `${KUBEHA_PROGRAMS}/etcd-snapshot.sh`,
  /** This host's part in `npm run restore` (templates/etcd/etcd-restore.sh). */
  etcdRestoreScript: `${KUBEHA_PROGRAMS}/etcd-restore.sh`,
  /** Where a snapshot to restore is received. */
  etcdRestoreStaging: `${KUBEHA_LIB}/restore`,
  /** Static pod manifests parked by a restore (the kubelet stops their pods) until it resumes them. */
  pausedManifestDir: `${KUBEHA}/paused-manifests`,
  etcdSnapshotService: `${SYSTEMD}/${ETCD_SNAPSHOT}.service`,
  etcdSnapshotTimer: `${SYSTEMD}/${ETCD_SNAPSHOT}.timer`,
  /** The timer's enablement: removed with the units by the host's cleanup. */
  etcdSnapshotTimerWants: `${SYSTEMD}/timers.target.wants/${ETCD_SNAPSHOT}.timer`,

  // kubeadm, driven by kubeha's steps
  kubeadmInitConfig: `${KUBEHA}/kubeadm-init.yaml`,
  /** The first master's control-plane JoinConfiguration with a token placeholder (kubeadm-init.sh). */
  kubeadmRejoinConfig: `${KUBEHA}/kubeadm-rejoin.yaml`,
  /** Secret: holds the bootstrap token. */
  kubeadmJoinConfig: `${KUBEHA}/kubeadm-join.yaml`,
  kubeadmInitMarker: `${KUBEHA}/kubeadm-init.done`,
  kubeadmJoinMarker: `${KUBEHA}/kubeadm-join.done`,
  kubeadmRejoinMarker: `${KUBEHA}/kubeadm-rejoin.started`,
  /** Which kubeha step (init or join) owns kubeadm on a node: written by both scripts. */
  kubeadmStepFile: `${KUBEHA}/kubeadm-step`,
  kubeadmLock: "/run/kubeha-kubeadm.lock",
  kubeadmInitLog: "/var/log/kubeha/kubeadm-init.log",
  kubeadmJoinLog: "/var/log/kubeha/kubeadm-join.log",
  /** Secret: where kubeha's bootstrap token was kept before its revoke step (removed there, and no longer written). */
  bootstrapTokenFile: `${KUBEHA}/bootstrap-token`,

  // Kubernetes (kubeadm's layout)
  kubernetesDir: KUBERNETES,
  adminKubeconfig: `${KUBERNETES}/admin.conf`,
  kubeletKubeconfig: `${KUBERNETES}/kubelet.conf`,
  bootstrapKubeletKubeconfig: `${KUBERNETES}/bootstrap-kubelet.conf`,
  staticPodDir: `${KUBERNETES}/manifests`,
  apiserverManifest: `${KUBERNETES}/manifests/kube-apiserver.yaml`,
  controllerManagerManifest: `${KUBERNETES}/manifests/kube-controller-manager.yaml`,
  schedulerManifest: `${KUBERNETES}/manifests/kube-scheduler.yaml`,
  kubernetesPki: `${KUBERNETES}/pki`,
  clusterCaCert: `${KUBERNETES}/pki/ca.crt`,
  /** kubeadm's stacked etcd PKI, healthcheck client included. */
  stackedEtcdPki: `${KUBERNETES}/pki/etcd`,
  /** Stacked etcd's data directory (kubeadm's default). */
  stackedEtcdData: "/var/lib/etcd",
  /** The external etcd's CA and client certificate, for kube-apiserver. */
  externalEtcdClientPki: `${KUBERNETES}/pki/etcd-external`,
  cniConfigDir: "/etc/cni/net.d",
  /** The CNI plugins' state (host-local IPAM's leases of the node's old pod subnet). */
  cniStateDir: "/var/lib/cni",
  /** flannel's subnet lease of this node (subnet.env). */
  flannelRunDir: "/run/flannel",

  // external etcd (kubeha's own units)
  /** The external etcd's own configuration: its PKI, initial-cluster and bootstrap.env. */
  etcdConfigDir: ETCD_CONFIG,
  etcdPki: `${ETCD_CONFIG}/pki`,
  etcdData: "/var/lib/etcd/kubeha",
  /** The configured members, "name=peerURL,...": read only by a member bootstrapping a new cluster. */
  etcdInitialCluster: `${ETCD_CONFIG}/initial-cluster`,
  /** ETCD_INITIAL_CLUSTER and _STATE for the unit, decided when the member first starts. */
  etcdBootstrapEnv: `${ETCD_CONFIG}/bootstrap.env`,
  /** Where the etcd binaries are staged before they are installed into /usr/local/bin. */
  etcdStaging: `${KUBEHA_LIB}/etcd`,
  etcdUnit: "/etc/systemd/system/etcd.service",
  /** Where kubeha installs binaries (etcd, and kubeadm, kubelet, kubectl offline). */
  binDir: "/usr/local/bin",
  etcdctl: "/usr/local/bin/etcdctl",
  /** etcd's offline tool (snapshot status and restore), installed beside etcdctl where snapshots are taken. */
  etcdutl: "/usr/local/bin/etcdutl",
  /** Where the etcd tools are staged on a snapshot host before they are installed (stacked masters have no etcd staging). */
  etcdToolsStaging: `${KUBEHA_LIB}/etcd-tools`,

  // node preparation
  kernelModules: "/etc/modules-load.d/kubeha.conf",
  sysctls: "/etc/sysctl.d/99-kubeha.conf",
  containerdConfig: "/etc/containerd/config.toml",
  kubeletUnit: "/etc/systemd/system/kubelet.service",
  kubeletDropIn: "/etc/systemd/system/kubelet.service.d/10-kubeadm.conf",

  // API endpoint
  nginxConf: "/etc/nginx/nginx.conf",
  keepalivedConf: "/etc/keepalived/keepalived.conf",
  /** The VRRP password lives in its own 0600 file, so keepalived.conf stays readable in previews. */
  keepalivedAuth: "/etc/keepalived/kubeha-auth.conf",
  keepalivedCheckScript: "/etc/keepalived/check_apiserver.sh",
  /** systemd drop-in: keepalived starts once its unicast source address is configured. */
  keepalivedDropIn: "/etc/systemd/system/keepalived.service.d/kubeha.conf",
} as const;

/**
 * Network links the CNI leaves on a node: the bridge plugin's default bridge (flannel's delegate
 * sets no other name) and flannel's VXLAN device (VNI 1). They keep the node's old pod subnet.
 */
export const LINKS = {
  cniBridge: "cni0",
  flannelVxlan: "flannel.1",
} as const;

/** System users kubeha's files name (nginx's workers run as Debian's www-data). */
export const USERS = {
  nginx: "www-data",
} as const;

/** systemd units kubeha starts, stops or restarts. */
export const UNITS = {
  etcd: "etcd.service",
  nginx: "nginx.service",
  keepalived: "keepalived.service",
  containerd: "containerd.service",
  kubelet: "kubelet.service",
  apiserverGate: APISERVER_GATE_UNIT,
  etcdSnapshot: `${ETCD_SNAPSHOT}.service`,
  etcdSnapshotTimer: `${ETCD_SNAPSHOT}.timer`,
} as const;
