// OpenSSH known_hosts files (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"), read the way ssh reads them:
// comma-separated host patterns with * and ? wildcards and !negation, [host]:port for other ports,
// hashed names (|1|salt|hmac-sha1), and the @revoked marker. @cert-authority lines are kept so that
// a host only they cover is reported: kubeha verifies keys, not host certificates.
import * as crypto from "crypto";
import { Problems } from "./errors";
import { HOST_KEY_TYPES } from "./hostKeyText";

export interface KnownHostsLine {
  readonly lineNumber: number;
  readonly marker?: "@revoked" | "@cert-authority";
  readonly patterns: readonly string[];
  /** "TYPE BASE64". */
  readonly key: string;
}

/** The lines of a known_hosts file; malformed lines are problems of `configKey`. */
export function parseKnownHosts(text: string, configKey: string, problems: Problems): KnownHostsLine[] {
  const lines: KnownHostsLine[] = [];
  text.split("\n").forEach((raw, index) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const fields = line.split(/\s+/);
    const marker = fields[0].startsWith("@") ? fields.shift() : undefined;
    const [hosts, type, blob] = fields;
    const where = `line ${index + 1} of the known_hosts file`;
    if (marker !== undefined && marker !== "@revoked" && marker !== "@cert-authority") {
      problems.add(configKey, `${where} has the unknown marker ${marker}`, "use @revoked or @cert-authority, or remove the marker");
      return;
    }
    if (!hosts || !type || !blob || !HOST_KEY_TYPES.includes(type) || !/^[A-Za-z0-9+/]+={0,2}$/.test(blob)) {
      problems.add(configKey, `${where} is not "HOSTS TYPE BASE64-KEY"`, "write it as ssh-keyscan prints it, e.g. `ssh-keyscan -t ed25519 10.0.0.11 >> FILE`");
      return;
    }
    lines.push({ lineNumber: index + 1, marker, patterns: hosts.split(","), key: `${type} ${blob}` });
  });
  return lines;
}

/** The name ssh looks up for a host: the address, or [address]:port off port 22. */
export function knownHostsName(address: string, port: number): string {
  return port === 22 ? address : `[${address}]:${port}`;
}

function hashedMatches(pattern: string, name: string): boolean {
  const [, magic, salt, hash] = pattern.split("|");
  if (magic !== "1" || !salt || !hash) return false;
  return crypto.createHmac("sha1", Buffer.from(salt, "base64")).update(name).digest("base64") === hash;
}

function wildcardMatches(pattern: string, name: string): boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
    "i",
  );
  return re.test(name);
}

/** Whether a line's patterns cover the name: some pattern matches and no negated one does. */
export function lineMatches(line: KnownHostsLine, name: string): boolean {
  let matched = false;
  for (const pattern of line.patterns) {
    if (pattern.startsWith("!")) {
      if (wildcardMatches(pattern.slice(1), name)) return false;
    } else if (pattern.startsWith("|") ? hashedMatches(pattern, name) : wildcardMatches(pattern, name)) {
      matched = true;
    }
  }
  return matched;
}

export interface KnownKeys {
  /** The keys listed for the host, revoked ones left out. */
  readonly keys: string[];
  /** Keys a @revoked line names for the host. */
  readonly revoked: string[];
  /** Whether a @cert-authority line covers the host. */
  readonly certAuthority: boolean;
}

export function knownKeysFor(lines: readonly KnownHostsLine[], address: string, port: number): KnownKeys {
  const name = knownHostsName(address, port);
  const matching = lines.filter((l) => lineMatches(l, name));
  const revoked = matching.filter((l) => l.marker === "@revoked").map((l) => l.key);
  const keys = [...new Set(matching.filter((l) => l.marker === undefined && !revoked.includes(l.key)).map((l) => l.key))];
  return { keys, revoked, certAuthority: matching.some((l) => l.marker === "@cert-authority") };
}
