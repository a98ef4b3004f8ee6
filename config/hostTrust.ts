// How kubeha trusts the hosts it sends keys to, and how long it waits for them: the host-key
// sources (a pinned key, a known_hosts file, trust on first use) or the explicit opt-out, and the
// per-step timeout. Pure: the known_hosts file's text is passed in.
import { DEFAULTS } from "./defaults";
import { Problems } from "./errors";
import { booleanField, stringField } from "./fields";
import { normalizeHostKey } from "./hostKeyText";
import { knownKeysFor, KnownHostsLine, parseKnownHosts } from "./knownHosts";
import { Host, HostKeyPolicy } from "./types";

export interface FileReader {
  /** The file's text, or undefined when it cannot be read. */
  readFile(path: string): string | undefined;
}

export function readHostKeyPolicy(raw: Record<string, unknown>, env: FileReader, problems: Problems): HostKeyPolicy {
  const insecure = booleanField(raw, "insecureSkipHostKeyVerification", DEFAULTS.insecureSkipHostKeyVerification, problems);
  const file = stringField(raw, "knownHostsFile", DEFAULTS.knownHostsFile, problems);
  let knownHosts: KnownHostsLine[] = [];
  if (file !== "") {
    const text = env.readFile(file);
    if (text === undefined) problems.add("knownHostsFile", `${file} cannot be read`, "point it at an OpenSSH known_hosts file on the machine running Pulumi, or unset it");
    else knownHosts = parseKnownHosts(text, "knownHostsFile", problems);
  }
  if (insecure && file !== "") {
    problems.add("insecureSkipHostKeyVerification", "host keys cannot be both skipped and read from kubeha:knownHostsFile", "unset one of the two (verification is the default)");
  }
  return { verify: !insecure, knownHostsFile: file || undefined, knownHosts };
}

/** The bastion's pinned key, kubeha:sshBastionHostKey. */
export function readBastionHostKey(raw: Record<string, unknown>, hasBastion: boolean, problems: Problems): string | undefined {
  const text = stringField(raw, "sshBastionHostKey", DEFAULTS.sshBastionHostKey, problems);
  if (text === "") return undefined;
  if (!hasBastion) problems.add("sshBastionHostKey", "is set, but kubeha:sshBastion is not", "set kubeha:sshBastion, or unset kubeha:sshBastionHostKey");
  const key = normalizeHostKey(text);
  if (key === undefined) problems.add("sshBastionHostKey", "is not an SSH public key", "paste the bastion's key as 'TYPE BASE64', e.g. from `ssh-keyscan -t ed25519 BASTION`");
  return key;
}

/** Cross-field rules: a pinned key with verification off, a revoked pinned key, hosts only a CA line covers. */
export function checkHostKeys(
  hosts: readonly Host[],
  sshPort: number,
  bastion: { host: string; port: number; hostKey?: string } | undefined,
  policy: HostKeyPolicy,
  hostKeyPath: (name: string) => string,
  problems: Problems,
): void {
  const endpoints = [
    ...hosts.map((h) => ({ what: `host ${h.name}`, key: hostKeyPath(h.name), address: h.address, port: sshPort, pinned: h.hostKey })),
    ...(bastion ? [{ what: "the bastion", key: "sshBastionHostKey", address: bastion.host, port: bastion.port, pinned: bastion.hostKey }] : []),
  ];
  for (const e of endpoints) {
    if (e.pinned && !policy.verify) {
      problems.add(
        e.key,
        `${e.what} has a pinned key, but kubeha:insecureSkipHostKeyVerification turns verification off`,
        "unset kubeha:insecureSkipHostKeyVerification (the pinned key is then verified)",
      );
    }
    const known = knownKeysFor(policy.knownHosts, e.address, e.port);
    if (e.pinned && known.revoked.includes(e.pinned)) {
      problems.add(e.key, `the pinned key of ${e.what} is marked @revoked in ${policy.knownHostsFile}`, "pin the host's current key");
    }
    if (!e.pinned && known.keys.length === 0 && known.certAuthority) {
      problems.add(
        "knownHostsFile",
        `only a @cert-authority line covers ${e.what} (${e.address}); kubeha verifies host keys, not host certificates`,
        `add ${e.what}'s own key to ${policy.knownHostsFile} (ssh-keyscan -t ed25519 ${e.address}), or pin it`,
      );
    }
  }
}

const DURATION = /^(\d+)(s|m|h)$/;
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600 };

/** kubeha:stepTimeout in seconds: how long one remote step may run before it fails. */
export function readStepTimeout(raw: Record<string, unknown>, problems: Problems): number {
  const text = stringField(raw, "stepTimeout", DEFAULTS.stepTimeout, problems);
  const seconds = durationSeconds(text);
  if (seconds >= 60 && seconds <= 86400) return seconds;
  problems.add("stepTimeout", `"${text}" is not a duration from 1m to 24h`, "write it as a number with s, m or h, e.g. 20m");
  return durationSeconds(DEFAULTS.stepTimeout);
}

/** "90s", "20m", "2h" in seconds; NaN for anything else. */
function durationSeconds(text: string): number {
  const match = DURATION.exec(text);
  return match ? Number(match[1]) * UNIT_SECONDS[match[2]] : NaN;
}
