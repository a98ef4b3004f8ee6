// How kubeha reaches each host over SSH: address, key, the host key it must present, the jump host.
import * as pulumi from "@pulumi/pulumi";
import { types } from "@pulumi/command";
import { Host, SshSettings } from "../../config/types";
import { Target } from "./remote";

type Connection = types.input.remote.ConnectionArgs;

/** The bastion's connection (also the jump of every host's). */
export function bastionConnection(ssh: SshSettings, privateKey: pulumi.Output<string>, hostKey: pulumi.Input<string> | undefined): Connection | undefined {
  const b = ssh.bastion;
  return b ? { host: b.host, port: b.port, user: b.user, privateKey, hostKey, perDialTimeout: 10 } : undefined;
}

/** A host's connection; hostKey: the keys it may present, one per line (undefined: any, by explicit opt-out or for the first-use read). */
export function hostConnection(host: Host, ssh: SshSettings, privateKey: pulumi.Output<string>, hostKey: pulumi.Input<string> | undefined, proxy: Connection | undefined): Connection {
  return {
    host: host.address,
    port: ssh.port,
    user: ssh.user,
    privateKey,
    hostKey,
    // Hosts may still be booting: retry the dial for about a minute before giving up. 5 s bounds
    // both the TCP connect and the SSH handshake of each attempt.
    dialErrorLimit: 30,
    perDialTimeout: 5,
    proxy,
  };
}

/** Every remote step's timeouts, from kubeha:stepTimeout (the command plugin enforces them). */
export function stepTimeouts(ssh: SshSettings): pulumi.CustomTimeouts {
  const t = `${ssh.stepTimeoutSeconds}s`;
  return { create: t, update: t, delete: t };
}

export function targetFor(host: Host, ssh: SshSettings, connection: Connection): Target {
  return { host, connection, sudo: ssh.user === "root" ? "" : "sudo -n ", timeouts: stepTimeouts(ssh) };
}
