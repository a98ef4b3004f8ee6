// IPv4 address and CIDR arithmetic for validation. Pure functions, no dependencies.

export interface Cidr {
  readonly base: number; // network address as an unsigned 32-bit integer
  readonly prefix: number;
}

/** A DNS name (RFC 1123 subdomain, lower case). */
export const DNS_NAME = /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/;

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function isIpv4(text: string): boolean {
  return IPV4.test(text);
}

export function ipToInt(ip: string): number {
  if (!isIpv4(ip)) throw new Error(`not an IPv4 address: ${ip}`);
  return ip.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

export function intToIp(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");
}

/** Parses "a.b.c.d/n"; returns undefined when malformed or when host bits are set. */
export function parseCidr(text: string): Cidr | undefined {
  const match = /^([^/]+)\/(\d{1,2})$/.exec(text);
  if (!match || !isIpv4(match[1])) return undefined;
  const prefix = Number(match[2]);
  if (prefix > 32) return undefined;
  const base = ipToInt(match[1]);
  if (base % blockSize(prefix) !== 0) return undefined;
  return { base, prefix };
}

export function blockSize(prefix: number): number {
  return 2 ** (32 - prefix);
}

export function cidrContains(cidr: Cidr, ip: string): boolean {
  const n = ipToInt(ip);
  return n >= cidr.base && n < cidr.base + blockSize(cidr.prefix);
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return a.base < b.base + blockSize(b.prefix) && b.base < a.base + blockSize(a.prefix);
}

/** The /24 network around an address: the default host network. */
export function slash24Of(ip: string): Cidr {
  const n = ipToInt(ip);
  return { base: n - (n % 256), prefix: 24 };
}

export function formatCidr(cidr: Cidr): string {
  return `${intToIp(cidr.base)}/${cidr.prefix}`;
}

/** The first address of a CIDR plus an offset, e.g. the cluster DNS service at .10 of the service CIDR. */
export function nthAddress(cidr: Cidr, offset: number): string {
  return intToIp(cidr.base + offset);
}

export function isNetworkOrBroadcast(cidr: Cidr, ip: string): boolean {
  const n = ipToInt(ip);
  return cidr.prefix < 31 && (n === cidr.base || n === cidr.base + blockSize(cidr.prefix) - 1);
}

/** Ranges no host can have: why an address is not one (0.0.0.0/8, loopback, multicast, reserved and broadcast), or undefined. */
export function nonHostAddress(ip: string): string | undefined {
  const first = Number(ip.split(".")[0]);
  if (first === 0) return "is in 0.0.0.0/8 ('this network', never a host's address)";
  if (first === 127) return "is a loopback address (every host's own)";
  if (first >= 224 && first <= 239) return "is a multicast address";
  if (first >= 240) return ip === "255.255.255.255" ? "is the broadcast address" : "is in the reserved range 240.0.0.0/4";
  return undefined;
}
