// validateConfig: raw stack config -> ClusterSpec, or a ConfigError listing every problem.
// Pure: the only outside fact it needs (does a key file exist?) is passed in.
import { DEFAULTS } from "./defaults";
import { Problems } from "./errors";
import { booleanField, enumField, integerField, stringField } from "./fields";
import { readEndpoint } from "./endpoint";
import { HOST_NAME, hostFieldPath, readHosts, withRole } from "./hosts";
import { readKubernetes } from "./kubernetes";
import { Cidr, cidrContains, formatCidr, ipToInt, isIpv4, isNetworkOrBroadcast, parseCidr, slash24Of } from "./network";
import { readWorkerPools } from "./pools";
import { checkArtifactDir, checkOfflineVersion, requiredArtifacts } from "./artifacts";
import { checkKnownKeys } from "./known";
import { readBastion } from "./bastion";
import { checkHostKeys, readBastionHostKey, readHostKeyPolicy, readStepTimeout } from "./hostTrust";
import { checkPorts } from "./ports";
import { readEtcdSnapshots } from "./etcdSnapshots";
import { PATHS } from "../plan/paths";
import { ClusterSpec, CONTROL_PLANE_ENGINES, Host, RawConfig, SshSettings, STAGES } from "./types";

export interface ValidationEnv {
  fileExists(path: string): boolean;
  /** The file's text, or undefined when it cannot be read (kubeha:knownHostsFile); none: no file can be read. */
  readFile?(path: string): string | undefined;
}

export function validateConfig(raw: RawConfig, env: ValidationEnv): ClusterSpec {
  const problems = new Problems();
  checkKnownKeys(raw, problems);
  const clusterName = stringField(raw, "clusterName", DEFAULTS.clusterName, problems);
  if (!HOST_NAME.test(clusterName)) problems.add("clusterName", `"${clusterName}" is not a valid name`, "use lower-case letters, digits and '-'");
  const ssh = readSsh(raw, env, problems);
  const hosts = readHosts(raw.hosts, problems);
  checkHostKeys(hosts, ssh.port, ssh.bastion, ssh.hostKeys, (name) => hostFieldPath(raw.hosts, name, "hostKey"), problems);
  const hostCidr = readHostCidr(raw, hosts, problems);
  const masters = withRole(hosts, "master");
  if (hosts.length > 0 && masters.length === 0) {
    problems.add("hosts", "no host has role master", "give role master to three hosts (one is possible, but not highly available)");
  }
  const controlPlaneEngine = readEngine(raw, problems);
  const etcd = readEtcd(raw, hosts, masters, problems);
  const endpoint = readEndpoint(raw, hosts, hostCidr, problems);
  const kubernetes = readKubernetes(raw, hostCidr, hosts.filter((h) => h.roles.includes("master") || h.roles.includes("worker")).length, problems);
  checkPorts(hosts, etcd, endpoint, ssh.port, problems);
  const workerPools = readWorkerPools(raw.workerPools, hosts, problems);
  const packageSource = enumField(raw, "packageSource", ["online", "offline"] as const, DEFAULTS.packageSource, problems);
  const artifactDir = stringField(raw, "artifactDir", DEFAULTS.artifactDir, problems);
  const deployUntil = enumField(raw, "deployUntil", STAGES, DEFAULTS.deployUntil, problems);
  const allowDestroy = booleanField(raw, "allowDestroy", DEFAULTS.allowDestroy, problems);
  if (packageSource === "offline") {
    const required = requiredArtifacts(etcd.topology === "external", deployUntil, etcd.snapshots !== undefined);
    checkArtifactDir(artifactDir, required, (path) => env.fileExists(path), problems);
    checkOfflineVersion(kubernetes.version, required, problems);
  }
  problems.throwIfAny();
  return {
    clusterName,
    ssh,
    hostCidr: formatCidr(hostCidr!),
    hosts,
    masters,
    controlPlaneEngine,
    etcd,
    endpoint,
    kubernetes,
    workerPools,
    packages: { source: packageSource, artifactDir: artifactDir || undefined },
    deployUntil,
    allowDestroy,
  };
}

/** Engines the open issues plan, named so that choosing one says it is not built yet. */
const PLANNED_ENGINES: Record<string, string> = {
  binary: "the control plane as plain systemd units (seed 001) is not built yet",
  k3s: "K3s servers on the external etcd (seed 004) are not built yet",
};

function readEngine(raw: RawConfig, problems: Problems): ClusterSpec["controlPlaneEngine"] {
  const value = stringField(raw, "controlPlaneEngine", DEFAULTS.controlPlaneEngine, problems);
  const engine = CONTROL_PLANE_ENGINES.find((e) => e === value);
  if (engine) return engine;
  const known = CONTROL_PLANE_ENGINES.join(", ");
  if (value in PLANNED_ENGINES) problems.add("controlPlaneEngine", `"${value}": ${PLANNED_ENGINES[value]}`, `use ${known} (the default)`);
  else problems.add("controlPlaneEngine", `"${value}" is not one of ${known}`, `use one of ${known}`);
  return DEFAULTS.controlPlaneEngine;
}

function readSsh(raw: RawConfig, env: ValidationEnv, problems: Problems): SshSettings {
  const user = stringField(raw, "sshUser", DEFAULTS.sshUser, problems);
  if (!/^[a-z_][a-z0-9_-]{0,31}$/.test(user)) problems.add("sshUser", `"${user}" is not a user name`, "give the login user on the hosts, e.g. root");
  const port = integerField(raw, "sshPort", DEFAULTS.sshPort, [1, 65535], problems);
  const inline = raw.sshPrivateKey !== undefined && raw.sshPrivateKey !== "";
  const path = stringField(raw, "sshPrivateKeyPath", DEFAULTS.sshPrivateKeyPath, problems);
  if (!inline && path === "") {
    problems.add("sshPrivateKey", "no SSH private key is configured", "run `pulumi config set --secret kubeha:sshPrivateKey < ~/.ssh/id_ed25519`, or set kubeha:sshPrivateKeyPath");
  } else if (inline && path !== "") {
    problems.add("sshPrivateKeyPath", "both sshPrivateKey and sshPrivateKeyPath are set", "keep one of the two");
  } else if (!inline && !env.fileExists(path)) {
    problems.add("sshPrivateKeyPath", `${path} does not exist`, "point it at a readable private key file, or use kubeha:sshPrivateKey");
  }
  const bastionAt = readBastion(stringField(raw, "sshBastion", DEFAULTS.sshBastion, problems), user, problems);
  const bastionKey = readBastionHostKey(raw, bastionAt !== undefined, problems);
  const bastion = bastionAt && { ...bastionAt, ...(bastionKey ? { hostKey: bastionKey } : {}) };
  const hostKeys = readHostKeyPolicy(raw, { readFile: (p) => env.readFile?.(p) }, problems);
  return { user, port, privateKeyPath: inline ? undefined : path || undefined, bastion, hostKeys, stepTimeoutSeconds: readStepTimeout(raw, problems) };
}

function readHostCidr(raw: RawConfig, hosts: readonly Host[], problems: Problems): Cidr | undefined {
  const text = stringField(raw, "hostCidr", DEFAULTS.hostCidr, problems);
  const first = hosts.find((h) => isIpv4(h.address));
  let cidr: Cidr | undefined;
  if (text !== "") {
    cidr = parseCidr(text);
    if (!cidr) problems.add("hostCidr", `"${text}" is not a network in CIDR form`, "write it as ADDRESS/PREFIX, e.g. 192.168.1.0/24");
  } else if (first) {
    cidr = slash24Of(first.address);
  }
  if (!cidr) return undefined;
  for (const host of hosts) {
    if (isIpv4(host.address) && !cidrContains(cidr, host.address)) {
      problems.add("hostCidr", `host ${host.name} (${host.address}) is outside the hosts' network ${formatCidr(cidr)}`, "set kubeha:hostCidr to the network that holds every host");
    } else if (isIpv4(host.address) && isNetworkOrBroadcast(cidr, host.address)) {
      const which = ipToInt(host.address) === cidr.base ? "network" : "broadcast";
      problems.add(
        hostFieldPath(raw.hosts, host.name, "address"),
        `${host.address} (host ${host.name}) is the ${which} address of the hosts' network ${formatCidr(cidr)}, not a host's`,
        "give the host's own address, or set kubeha:hostCidr to its real network",
      );
    }
  }
  return cidr;
}

function readEtcd(raw: RawConfig, hosts: readonly Host[], masters: readonly Host[], problems: Problems): ClusterSpec["etcd"] {
  const snapshots = readEtcdSnapshots(raw, problems, MANAGED_DIRECTORIES);
  const withSnapshots = (etcd: Omit<ClusterSpec["etcd"], "snapshots">): ClusterSpec["etcd"] => (snapshots ? { ...etcd, snapshots } : etcd);
  const topology = enumField(raw, "etcdTopology", ["stacked", "external"] as const, DEFAULTS.etcdTopology, problems);
  const etcdHosts = withRole(hosts, "etcd");
  if (topology === "stacked") {
    if (etcdHosts.length > 0) {
      problems.add(
        "hosts",
        `hosts ${etcdHosts.map((h) => h.name).join(", ")} have role etcd, but etcdTopology is stacked (kubeadm runs etcd on the masters)`,
        "drop the etcd role, or set kubeha:etcdTopology external",
      );
    }
    checkOddMembers(masters.length, "masters (stacked etcd runs on each)", problems);
    return withSnapshots({ topology, members: masters });
  }
  checkOddMembers(etcdHosts.length, "hosts with role etcd", problems);
  return withSnapshots({ topology, members: etcdHosts });
}

/** Directories kubeha, kubeadm or etcd own on the hosts: snapshots kept there would go with a reset or a restore. */
const MANAGED_DIRECTORIES = [PATHS.stackedEtcdData, PATHS.etcdData, PATHS.etcdConfigDir, PATHS.kubernetesDir, PATHS.kubehaDir, PATHS.kubehaLibDir, PATHS.kubehaProgramDir];

function checkOddMembers(count: number, what: string, problems: Problems): void {
  if (count === 0) problems.add("hosts", `etcd has no members: there are no ${what}`, "give 3 (or 5) hosts that role");
  else if (count % 2 === 0) problems.add("hosts", `etcd would have ${count} members (${what}): an even count tolerates no more failures than one fewer`, `use ${count - 1} or ${count + 1}`);
}
