// HostInventory: how each host is reached and trusted, one cheap SSH round trip per host, and the
// host's cleanup step (components/host/cleanup.ts). Every later step on a host depends on these, so
// an unreachable host (or one that presents the wrong host key) fails fast, once, with its name,
// before anything is changed anywhere.
import * as pulumi from "@pulumi/pulumi";
import { remote } from "@pulumi/command";
import { Host, SshSettings } from "../../config/types";
import { hostKeySource } from "../../plan/hostKeys";
import { bastionConnection, hostConnection, stepTimeouts, targetFor } from "./connection";
import { cleanupCommand } from "./cleanup";
import { endpointKey } from "./hostKeys";
import { stepOptions, Target } from "./remote";
import { runStep, STEPS } from "./steps";

export interface ReadyTarget extends Target {
  /**
   * Completes once the host answered over SSH and its cleanup step is in place: every step on the
   * host waits for it, so that deleting the host's steps ends with removing kubeha's files.
   */
  readonly ready: remote.Command;
}

const PROBE = "uname -srm && cat /etc/os-release | grep ^PRETTY_NAME=";

/**
 * The probe every step waits for. Every step needs root, which a non-root kubeha:sshUser gets
 * with `sudo -n`: the probe checks that it works, so a user without passwordless sudo fails here,
 * before anything is changed, instead of in the first step (the user name is a validated login name).
 */
export function reachableCommand(user: string): string {
  if (user === "root") return PROBE;
  const fix = `give ${user} passwordless sudo (sudoers: ${user} ALL=(ALL) NOPASSWD: ALL), or set kubeha:sshUser root`;
  return `${PROBE} && { sudo -n true 2>/dev/null || { echo "kubeha: ${user} cannot run sudo without a password here, and kubeha's steps need root. Fix: ${fix}." >&2; exit 1; }; }`;
}

/** The resource-name part of the bastion (capitals: no host name can take it). */
const BASTION = "sshBastion";

export const INSECURE_WARNING =
  "kubeha:insecureSkipHostKeyVerification is true: SSH host keys are NOT verified, and kubeha sends CA keys, the service-account key and join tokens to whatever answers on the hosts' addresses. Unset it once the hosts' keys are pinned, listed in kubeha:knownHostsFile, or trusted on first use.";

export interface HostInventoryArgs {
  readonly hosts: readonly Host[];
  readonly ssh: SshSettings;
  /** Secret. */
  readonly privateKey: pulumi.Output<string>;
}

export class HostInventory extends pulumi.ComponentResource {
  readonly targets: ReadonlyMap<string, ReadyTarget>;
  /** Endpoint name (a host's, or "sshBastion") -> its host keys' fingerprints and where they come from. */
  readonly hostKeys: Record<string, pulumi.Output<string>>;

  constructor(name: string, args: HostInventoryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kubeha:index:HostInventory", name, {}, opts);
    const { ssh, privateKey } = args;
    if (!ssh.hostKeys.verify) void pulumi.log.warn(INSECURE_WARNING, this);
    const timeouts = { parent: this, customTimeouts: stepTimeouts(ssh) };
    const hostKeys: Record<string, pulumi.Output<string>> = {};

    let proxy: ReturnType<typeof bastionConnection>;
    if (ssh.bastion) {
      const source = hostKeySource({ address: ssh.bastion.host, port: ssh.bastion.port, pinned: ssh.bastion.hostKey }, ssh.hostKeys);
      const key = endpointKey(`${name}-${BASTION}`, source, bastionConnection(ssh, privateKey, undefined)!, timeouts);
      proxy = bastionConnection(ssh, privateKey, key.hostKey);
      hostKeys[BASTION] = key.description;
    }

    const targets = new Map<string, ReadyTarget>();
    for (const host of args.hosts) {
      const source = hostKeySource({ address: host.address, port: ssh.port, pinned: host.hostKey }, ssh.hostKeys);
      const key = endpointKey(`${name}-${host.name}`, source, hostConnection(host, ssh, privateKey, undefined, proxy), timeouts);
      hostKeys[host.name] = key.description;
      const target = targetFor(host, ssh, hostConnection(host, ssh, privateKey, key.hostKey, proxy));
      const reachable = new remote.Command(
        `${name}-${host.name}-reachable`,
        { connection: target.connection, create: reachableCommand(ssh.user), addPreviousOutputInEnv: false },
        stepOptions(target, { parent: this }),
      );
      // Every later step of the host waits for its cleanup step, which is thus deleted after them all.
      const ready = runStep(`${name}-${host.name}`, target, STEPS.hostCleanup, { deleteCommand: cleanupCommand(target) }, { parent: this, dependsOn: [reachable] });
      targets.set(host.name, { ...target, ready });
    }
    this.targets = targets;
    this.hostKeys = hostKeys;
    this.registerOutputs({});
  }

  get(name: string): ReadyTarget {
    const target = this.targets.get(name);
    if (!target) throw new Error(`kubeha: no host named ${name}`);
    return target;
  }
}
