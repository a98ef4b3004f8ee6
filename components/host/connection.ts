// How kubeha reaches each host over SSH.
import * as pulumi from "@pulumi/pulumi";
import { types } from "@pulumi/command";
import { Host, SshSettings } from "../../config/types";
import { Target } from "./remote";

export function targetFor(host: Host, ssh: SshSettings, privateKey: pulumi.Output<string>): Target {
  const connection: types.input.remote.ConnectionArgs = {
    host: host.address,
    port: ssh.port,
    user: ssh.user,
    privateKey,
    hostKey: host.hostKey,
    // Hosts may still be booting: retry the dial for about a minute before giving up.
    dialErrorLimit: 30,
    perDialTimeout: 5,
    proxy: ssh.bastion ? { host: ssh.bastion.host, port: ssh.bastion.port, user: ssh.bastion.user, privateKey } : undefined,
  };
  return { host, connection, sudo: ssh.user === "root" ? "" : "sudo -n " };
}
