// Validation of kubeha:sshBastion, the jump host: user@host[:port], the host an address or DNS name.
import { Problems } from "./errors";
import { DNS_NAME, isIpv4, nonHostAddress } from "./network";
import { SshSettings } from "./types";

const BASTION = /^(?:([a-z_][a-z0-9_-]{0,31})@)?([^:@\s]+)(?::(\d+))?$/;

export function readBastion(text: string, defaultUser: string, problems: Problems): SshSettings["bastion"] {
  if (text === "") return undefined;
  const fix = "write it as user@host or user@host:port, host an IPv4 address or DNS name, port 1-65535";
  const match = BASTION.exec(text);
  if (!match) {
    problems.add("sshBastion", `"${text}" is not user@host[:port]`, fix);
    return undefined;
  }
  const [, user, host, portText] = match;
  const port = Number(portText ?? 22);
  // Loopback stays allowed: a local tunnel to the jump host is a bastion on 127.0.0.1.
  const unusable = isIpv4(host) ? (host.startsWith("127.") ? undefined : nonHostAddress(host)) : DNS_NAME.test(host) ? undefined : "is neither an IPv4 address nor a DNS name";
  if (unusable) problems.add("sshBastion", `the bastion host ${host} ${unusable}`, fix);
  if (!Number.isInteger(port) || port < 1 || port > 65535) problems.add("sshBastion", `the bastion port ${portText} is not a port`, fix);
  if (unusable || port < 1 || port > 65535) return undefined;
  return { user: user ?? defaultUser, host, port };
}
