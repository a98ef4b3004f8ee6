// Validation of kubeha:hosts: names, addresses, roles, VRRP priorities and pinned host keys.
import { Problems } from "./errors";
import { isObject, textOf } from "./fields";
import { normalizeHostKey } from "./hostKeyText";
import { checkKnownFields } from "./known";
import { isIpv4, nonHostAddress } from "./network";
import { Host, Role, ROLES } from "./types";

/** A DNS label: also safe to use as a Pulumi resource-name part, hostname and node name. */
export const HOST_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** The fields of a host entry (Pulumi.yaml's kubeha:hosts description names them too). */
export const HOST_FIELDS = ["name", "address", "roles", "vrrpPriority", "hostKey"] as const satisfies readonly (keyof Host)[];
/** Names a host cannot have: prepare-node writes every name into /etc/hosts, where localhost is 127.0.0.1. */
const RESERVED_NAMES = ["localhost"];

export function readHosts(value: unknown, problems: Problems): Host[] {
  if (!Array.isArray(value) || value.length === 0) {
    problems.add("hosts", "no hosts are configured", "add a list of {name, address, roles} objects to the stack config");
    return [];
  }
  const hosts: Host[] = [];
  value.forEach((entry, index) => {
    const host = readHost(entry, index, problems);
    if (host) hosts.push(host);
  });
  checkUnique(hosts, (h) => h.name, "name", problems);
  checkUnique(hosts, (h) => h.address, "address", problems);
  return hosts;
}

function readHost(entry: unknown, index: number, problems: Problems): Host | undefined {
  const key = `hosts[${index}]`;
  if (!isObject(entry)) {
    problems.add(key, `expected an object {name, address, roles}, got ${JSON.stringify(entry)}`, "write each host as a YAML mapping");
    return undefined;
  }
  checkKnownFields(entry, HOST_FIELDS, (field) => `${key}.${field}`, problems);
  const name = textOf(entry.name);
  if (!HOST_NAME.test(name)) {
    problems.add(
      `${key}.name`,
      `"${name}" is not a valid host name (the kubelet and kubeadm take it as the node name, an RFC 1123 DNS label)`,
      "use 1-63 lower-case letters, digits and '-', starting and ending with a letter or digit",
    );
  } else if (RESERVED_NAMES.includes(name)) {
    problems.add(`${key}.name`, `"${name}" cannot be a host's name: it is every host's own name for 127.0.0.1`, "give the host its own name, e.g. its hostname");
  }
  const address = textOf(entry.address);
  if (!isIpv4(address)) {
    problems.add(`${key}.address`, `"${address}" (host ${name}) is not an IPv4 address`, "give the host's IPv4 address, e.g. 192.168.1.10");
  } else if (nonHostAddress(address)) {
    problems.add(`${key}.address`, `${address} (host ${name}) ${nonHostAddress(address)}, not a host's address`, "give the address other hosts reach it on, e.g. 192.168.1.10");
  }
  const roles = readRoles(entry.roles, `${key}.roles`, name, problems);
  const host: { -readonly [K in keyof Host]: Host[K] } = { name, address, roles };
  if (entry.vrrpPriority !== undefined) {
    const p = entry.vrrpPriority;
    if (typeof p !== "number" || !Number.isInteger(p) || p < 1 || p > 254) {
      problems.add(`${key}.vrrpPriority`, `${JSON.stringify(p)} (host ${name}) is not a VRRP priority`, "use an integer from 1 to 254");
    } else {
      host.vrrpPriority = p;
    }
  }
  if (entry.hostKey !== undefined) {
    const hostKey = normalizeHostKey(textOf(entry.hostKey));
    if (hostKey === undefined) {
      problems.add(`${key}.hostKey`, `host ${name} has a malformed hostKey`, "paste the host's public key as 'TYPE BASE64', e.g. from `ssh-keyscan -t ed25519 HOST`");
    } else {
      host.hostKey = hostKey;
    }
  }
  return host;
}

function readRoles(value: unknown, key: string, hostName: string, problems: Problems): Role[] {
  if (!Array.isArray(value) || value.length === 0) {
    problems.add(key, `host ${hostName} has no roles`, `give it one or more of ${ROLES.join(", ")}`);
    return [];
  }
  const roles: Role[] = [];
  for (const role of value) {
    if ((ROLES as readonly unknown[]).includes(role)) roles.push(role as Role);
    else problems.add(key, `host ${hostName} has unknown role ${JSON.stringify(role)}`, `use only ${ROLES.join(", ")}`);
  }
  if (roles.includes("master") && roles.includes("worker")) {
    problems.add(key, `host ${hostName} is both master and worker`, "give it one of the two roles; masters keep their NoSchedule taint");
  }
  return roles;
}

function checkUnique(hosts: Host[], field: (h: Host) => string, what: string, problems: Problems): void {
  const seen = new Map<string, string>();
  for (const host of hosts) {
    const value = field(host);
    const other = seen.get(value);
    if (other !== undefined) {
      problems.add("hosts", `hosts ${other} and ${host.name} have the same ${what} ${value}`, `give every host its own ${what}`);
    } else {
      seen.set(value, host.name);
    }
  }
}

export function withRole(hosts: readonly Host[], role: Role): Host[] {
  return hosts.filter((h) => h.roles.includes(role));
}

/** The config path of a host's field, e.g. hosts[3].address, for rules that see hosts after they were read. */
export function hostFieldPath(rawHosts: unknown, name: string, field: (typeof HOST_FIELDS)[number]): string {
  const index = Array.isArray(rawHosts) ? rawHosts.findIndex((entry) => isObject(entry) && textOf(entry.name) === name) : -1;
  return index < 0 ? "hosts" : `hosts[${index}].${field}`;
}
