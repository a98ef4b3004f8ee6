// HostInventory: one cheap SSH round trip per host. Every later step on a host depends on it, so
// an unreachable host fails fast, once, with its name, before anything is changed anywhere.
import * as pulumi from "@pulumi/pulumi";
import { remote } from "@pulumi/command";
import { Host, SshSettings } from "../../config/types";
import { targetFor } from "./connection";
import { Target } from "./remote";

export interface ReadyTarget extends Target {
  /** Completes once the host answered over SSH. */
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

export interface HostInventoryArgs {
  readonly hosts: readonly Host[];
  readonly ssh: SshSettings;
  /** Secret. */
  readonly privateKey: pulumi.Output<string>;
}

export class HostInventory extends pulumi.ComponentResource {
  readonly targets: ReadonlyMap<string, ReadyTarget>;

  constructor(name: string, args: HostInventoryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kubeha:index:HostInventory", name, {}, opts);
    const targets = new Map<string, ReadyTarget>();
    for (const host of args.hosts) {
      const target = targetFor(host, args.ssh, args.privateKey);
      const ready = new remote.Command(`${name}-${host.name}-reachable`, { connection: target.connection, create: reachableCommand(args.ssh.user), addPreviousOutputInEnv: false }, { parent: this });
      targets.set(host.name, { ...target, ready });
    }
    this.targets = targets;
    this.registerOutputs({});
  }

  get(name: string): ReadyTarget {
    const target = this.targets.get(name);
    if (!target) throw new Error(`kubeha: no host named ${name}`);
    return target;
  }
}
