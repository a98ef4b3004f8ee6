// Validation of the API endpoint: VIP, load-balancer hosts, port and VRRP settings (config/vrrp.ts).
import { DEFAULTS, DEFAULT_PRIORITY_START, DEFAULT_PRIORITY_STEP } from "./defaults";
import { Problems } from "./errors";
import { enumField, integerField, stringField } from "./fields";
import { withRole } from "./hosts";
import { Cidr, cidrContains, formatCidr, isIpv4, isNetworkOrBroadcast } from "./network";
import { ApiEndpoint, Host } from "./types";
import { readVrrp } from "./vrrp";

export function readEndpoint(raw: Record<string, unknown>, hosts: readonly Host[], hostCidr: Cidr | undefined, problems: Problems): ApiEndpoint {
  const mode = enumField(raw, "apiEndpoint", ["vip", "local"] as const, DEFAULTS.apiEndpoint, problems);
  const port = integerField(raw, "lbPort", DEFAULTS.lbPort, [1, 65535], problems);
  const vrrp = readVrrp(raw, problems);
  if (mode === "local") {
    for (const host of withRole(hosts, "lb")) {
      problems.add("hosts", `host ${host.name} has role lb, but apiEndpoint is local (nginx runs on every node, no VIP)`, "drop the lb role, or set kubeha:apiEndpoint vip");
    }
    const nodes = hosts.filter((h) => h.roles.includes("master") || h.roles.includes("worker"));
    return { mode, address: "127.0.0.1", port, lbHosts: nodes, vrrp };
  }
  const lbHosts = withRole(hosts, "lb");
  if (lbHosts.length === 0) {
    problems.add("hosts", "apiEndpoint is vip but no host has role lb", "add role lb to two or three hosts (the masters, or dedicated load-balancer hosts)");
  } else if (lbHosts.length === 1) {
    problems.add("hosts", `only ${lbHosts[0].name} has role lb, so the VIP could not move anywhere`, "give role lb to at least two hosts");
  }
  const vip = stringField(raw, "vip", DEFAULTS.vip, problems);
  checkVip(vip, hosts, hostCidr, problems);
  return { mode, address: vip, port, vip, lbHosts: assignPriorities(lbHosts, problems), vrrp };
}

function checkVip(vip: string, hosts: readonly Host[], hostCidr: Cidr | undefined, problems: Problems): void {
  if (vip === "") {
    problems.add("vip", "apiEndpoint is vip but no VIP is set", "set a free address of the hosts' subnet: `pulumi config set kubeha:vip 192.168.1.100`");
    return;
  }
  if (!isIpv4(vip)) {
    problems.add("vip", `"${vip}" is not an IPv4 address`, "give a free IPv4 address of the hosts' subnet");
    return;
  }
  const owner = hosts.find((h) => h.address === vip);
  if (owner) problems.add("vip", `${vip} is the address of host ${owner.name}`, "choose a free address that no host uses");
  if (hostCidr && (!cidrContains(hostCidr, vip) || isNetworkOrBroadcast(hostCidr, vip))) {
    problems.add("vip", `${vip} is not a usable address of the hosts' network ${formatCidr(hostCidr)}`, "choose a free address inside that network (VRRP moves it only within one L2 segment)");
  }
}

/** The track script's fixed weight (negated): larger than any allowed spread, so a failing host drops below every healthy one. */
export const MAX_PRIORITY_SPREAD = 100;

/** Keeps given priorities (all or none must be set) and rejects duplicates; hands out 150, 140, ... otherwise. */
function assignPriorities(lbHosts: Host[], problems: Problems): Host[] {
  const given = lbHosts.filter((h) => h.vrrpPriority !== undefined);
  if (given.length === 0) {
    return lbHosts.map((h, i) => ({ ...h, vrrpPriority: DEFAULT_PRIORITY_START - i * DEFAULT_PRIORITY_STEP }));
  }
  if (given.length < lbHosts.length) {
    const missing = lbHosts.filter((h) => h.vrrpPriority === undefined).map((h) => h.name);
    problems.add("hosts", `vrrpPriority is set on some lb hosts but not on ${missing.join(", ")}`, "set vrrpPriority on every lb host, or on none (then 150, 140, ... in host order)");
  }
  const byPriority = new Map<number, string>();
  for (const host of given) {
    const other = byPriority.get(host.vrrpPriority!);
    if (other) {
      problems.add("hosts", `lb hosts ${other} and ${host.name} have the same vrrpPriority ${host.vrrpPriority}`, "give every lb host a different vrrpPriority; the highest holds the VIP");
    }
    byPriority.set(host.vrrpPriority!, host.name);
  }
  const priorities = [...byPriority.keys()];
  const spread = Math.max(...priorities) - Math.min(...priorities);
  if (spread >= MAX_PRIORITY_SPREAD) {
    problems.add(
      "hosts",
      `the lb hosts' vrrpPriority values are ${spread} apart`,
      `keep them less than ${MAX_PRIORITY_SPREAD} apart (e.g. 150, 140, 130): a failing health check subtracts ${MAX_PRIORITY_SPREAD}`,
    );
  }
  return lbHosts;
}
