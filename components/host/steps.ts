// The step registry: each remote script step's one name. The resource name is
// `<prefix>-<suffix>` (prefix: component and host), the script is templates/<template>.mustache,
// and the description says what the step does. Components run steps through runStep; tests look
// steps up here, never by matching command text.
import * as pulumi from "@pulumi/pulumi";
import { remote } from "@pulumi/command";
import { runScript, RunScriptArgs, Target } from "./remote";
import { renderScript } from "./script";

export interface ScriptStep {
  /** Resource name suffix: stable, it is part of every deployed stack's state. */
  readonly suffix: string;
  /** Template under templates/, without .mustache. */
  readonly template: string;
  readonly description: string;
  /** Templates under templates/ inserted after the shell library (see renderScript). */
  readonly libraries?: readonly string[];
}

function step(suffix: string, template: string, description: string, libraries?: readonly string[]): ScriptStep {
  return libraries ? { suffix, template, description, libraries } : { suffix, template, description };
}

/** The drain of a master's apiserver out of every nginx's rotation while it starts. */
export const APISERVER_DRAIN = ["controlPlane/kubeadm/apiserver-drain.sh"];

export const STEPS = {
  // host layer
  packages: step("packages", "host/install-packages.sh", "installs the distribution packages a role needs (online), or checks they are there"),
  etcdStaging: step("staging", "host/make-directory.sh", "makes the directory the etcd binaries are copied into"),
  hostCleanup: step("cleanup", "host/cleanup.sh", "nothing at first; deleted last (the host left, or the cluster is destroyed), it removes kubeha's files and keys"),
  // external etcd
  etcdInstall: step("install", "etcd/install-etcd.sh", "installs etcd 3.5 into /usr/local/bin"),
  etcdPrune: step("prune", "etcd/etcd-prune.sh", "removes members that left the config, before any new one joins"),
  etcdStart: step("start", "etcd/apply-etcd.sh", "starts, joins or restarts one member, rolling"),
  etcdHealthy: step("healthy", "etcd/etcd-health.sh", "waits until every member is healthy over TLS"),
  // scheduled etcd snapshots (either topology)
  etcdToolsStaging: step("snapshots-tools-staging", "host/make-directory.sh", "makes the directory the etcd tools are copied into"),
  etcdTools: step("snapshots-tools", "etcd/install-etcd-tools.sh", "installs etcdctl and etcdutl where snapshots are taken, without touching a running etcd"),
  etcdSnapshotsEnable: step("snapshots-enable", "etcd/enable-etcd-snapshots.sh", "starts the snapshot timer on its schedule (takes no snapshot itself)"),
  // stacked etcd (kubeadm's static pods)
  stackedEtcdHealthy: step("healthy", "etcd/etcd-health-stacked.sh", "waits until every master's member answers /health"),
  stackedEtcdPrune: step("etcd-prune", "etcd/etcd-prune-stacked.sh", "removes the members of masters that left the config, before the others join"),
  stackedEtcdStaleMember: step("etcd-stale-member", "etcd/etcd-stale-member-stacked.sh", "drops the old member of a master that lost its etcd data"),
  // node preparation
  prepareNode: step("prepare", "node/prepare-node.sh", "swap off, kernel modules, sysctls, hostname, hosts entries"),
  containerd: step("containerd", "node/apply-containerd.sh", "(re)starts containerd after its configuration changed"),
  kubernetesOnline: step("kubernetes", "node/install-kubernetes-online.sh", "installs kubeadm, kubelet and kubectl from pkgs.k8s.io"),
  kubernetesOffline: step("kubernetes", "node/install-kubernetes-offline.sh", "installs the uploaded binaries and imports the uploaded images"),
  // API endpoint
  nginxApply: step("nginx-apply", "endpoint/apply-nginx.sh", "validates and (re)loads nginx"),
  keepalivedApply: step("keepalived-apply", "endpoint/apply-keepalived.sh", "validates and (re)loads keepalived"),
  vipAnswers: step("vip-answers", "endpoint/wait-endpoint.sh", "waits until the endpoint accepts connections"),
  // control plane: kubeadm engine
  kubeadmInit: step("kubeadm-init", "controlPlane/kubeadm/kubeadm-init.sh", "kubeadm init on the first master, once (or its rejoin when reinstalled, drained until ready)", APISERVER_DRAIN),
  apiserverGate: step("apiserver-gate", "controlPlane/kubeadm/enable-apiserver-gate.sh", "enables the boot gate that keeps this master's apiserver out of rotation until it answers ready"),
  kubeadmJoin: step("kubeadm-join", "controlPlane/kubeadm/kubeadm-join.sh", "kubeadm join through the HA endpoint, once (a master's apiserver drained until ready)", APISERVER_DRAIN),
  bootstrapToken: step("bootstrap-token-issue", "controlPlane/kubeadm/bootstrap-token.sh", "issues the bootstrap token of the joining nodes (a new one when they change)"),
  bootstrapTokenRevoke: step("bootstrap-token-revoke", "controlPlane/kubeadm/bootstrap-token-revoke.sh", "revokes the bootstrap token once every node has joined"),
  nodeRegistered: step("registered", "controlPlane/kubeadm/node-ready.sh", "waits until a node has registered; its deletion drains and deletes the Node"),
  kubeadmEtcdEndpoints: step("kubeadm-etcd-endpoints", "controlPlane/kubeadm/kubeadm-etcd-endpoints.sh", "uploads the external etcd members into kubeadm's cluster configuration"),
  leaderElection: step(
    "leader-election",
    "controlPlane/kubeadm/leader-election.sh",
    "keeps the controller-manager's and scheduler's leader-election timings as configured (restarts them when changed)",
  ),
  apiserverEtcdServers: step("apiserver-etcd-servers", "controlPlane/kubeadm/apiserver-etcd-servers.sh", "restarts this master's apiserver on the configured etcd members", APISERVER_DRAIN),
} as const satisfies Record<string, ScriptStep>;

export type StepId = keyof typeof STEPS;

/** The resource name of a step. */
export function stepName(prefix: string, step: ScriptStep): string {
  return `${prefix}-${step.suffix}`;
}

export interface StepArgs extends Omit<RunScriptArgs, "script" | "carriesSecret"> {
  /** Values the template renders (paths, ports and units come with every script). */
  readonly view?: object;
  /** Secret values the template renders too (a join token): the script then carries a secret. */
  readonly secrets?: Record<string, pulumi.Output<string>>;
}

/** Runs a registered step on a target. */
export function runStep(prefix: string, target: Target, step: ScriptStep, args: StepArgs, opts: pulumi.CustomResourceOptions): remote.Command {
  const { view, secrets, ...rest } = args;
  if (!secrets) return runScript(stepName(prefix, step), target, { script: renderScript(step.template, view, undefined, step.libraries), ...rest }, opts);
  const script = pulumi.all(secrets).apply((values) => renderScript(step.template, { ...view, ...values }, undefined, step.libraries));
  return runScript(stepName(prefix, step), target, { script, carriesSecret: true, ...rest }, opts);
}
