// Host keys and step timeouts: known_hosts parsing and lookup, key text, the source order, and
// the config rules (issue 12 parts 1 and 4). Pure functions, no mocks.
import * as crypto from "crypto";
import { fingerprint, hostKeysOf, normalizeHostKey } from "../../config/hostKeyText";
import { knownKeysFor, parseKnownHosts } from "../../config/knownHosts";
import { ConfigError, Problems } from "../../config/errors";
import { validateConfig } from "../../config/validate";
import { hostKeySource } from "../../plan/hostKeys";
import { expectRejected, problemsOf } from "../fixtures/problems";
import { fakeHostKey } from "../fixtures/mockProgram";
import { fakeFiles, seed000, withKeys } from "../fixtures/topologies";

const ED = normalizeHostKey(fakeHostKey("m1"))!;
const ED2 = normalizeHostKey(fakeHostKey("m2"))!;

function hashed(name: string): string {
  const salt = crypto.randomBytes(20);
  return `|1|${salt.toString("base64")}|${crypto.createHmac("sha1", salt).update(name).digest("base64")}`;
}

function lines(text: string) {
  const problems = new Problems();
  const parsed = parseKnownHosts(text, "knownHostsFile", problems);
  try {
    problems.throwIfAny();
    return { parsed, problems: [] as string[] };
  } catch (err) {
    return { parsed, problems: (err as ConfigError).problems.map((p) => `${p.key}: ${p.problem}`) };
  }
}

describe("host key text", () => {
  test("a public key line loses its comment; a blob of another type or garbage is refused", () => {
    expect(normalizeHostKey(`${ED} root@m1`)).toBe(ED);
    expect(normalizeHostKey(ED.replace("ssh-ed25519", "ssh-rsa"))).toBeUndefined();
    expect(normalizeHostKey("ssh-ed25519 not-base64!")).toBeUndefined();
    expect(normalizeHostKey("")).toBeUndefined();
  });

  test("the fingerprint is OpenSSH's SHA256 of the blob, without padding", () => {
    const blob = Buffer.from(ED.split(" ")[1], "base64");
    expect(fingerprint(ED)).toBe(`SHA256:${crypto.createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`);
    expect(fingerprint(ED)).not.toMatch(/=$/);
  });

  test("the first-use read keeps every key line of sshd's key files and nothing else", () => {
    expect(hostKeysOf(`${ED} root@m1\ncat: /etc/ssh/x: No such file\n${ED2}\n`)).toEqual([ED, ED2]);
  });
});

describe("known_hosts", () => {
  test("plain, port, hashed, wildcard and negated names are found as ssh finds them", () => {
    const { parsed, problems } = lines([`# comment`, `10.0.0.11,m1 ${ED}`, `[10.0.0.12]:2222 ${ED2}`, `${hashed("10.0.0.13")} ${ED}`, `10.0.1.* ${ED2}`, `10.0.2.*,!10.0.2.9 ${ED}`].join("\n"));
    expect(problems).toEqual([]);
    expect(knownKeysFor(parsed, "10.0.0.11", 22).keys).toEqual([ED]);
    expect(knownKeysFor(parsed, "10.0.0.12", 22).keys).toEqual([]);
    expect(knownKeysFor(parsed, "10.0.0.12", 2222).keys).toEqual([ED2]);
    expect(knownKeysFor(parsed, "10.0.0.13", 22).keys).toEqual([ED]);
    expect(knownKeysFor(parsed, "10.0.0.14", 22).keys).toEqual([]);
    expect(knownKeysFor(parsed, "10.0.1.7", 22).keys).toEqual([ED2]);
    expect(knownKeysFor(parsed, "10.0.2.8", 22).keys).toEqual([ED]);
    expect(knownKeysFor(parsed, "10.0.2.9", 22).keys).toEqual([]);
  });

  test("a revoked key is left out; a CA line is reported, not trusted", () => {
    const { parsed } = lines([`10.0.0.11 ${ED}`, `10.0.0.11 ${ED2}`, `@revoked * ${ED2}`, `@cert-authority *.lab ${ED}`].join("\n"));
    expect(knownKeysFor(parsed, "10.0.0.11", 22)).toEqual({ keys: [ED], revoked: [ED2], certAuthority: false });
    expect(knownKeysFor(parsed, "h.lab", 22)).toEqual({ keys: [], revoked: [ED2], certAuthority: true });
  });

  test("malformed lines and unknown markers are problems of kubeha:knownHostsFile with the line number", () => {
    expect(lines(`10.0.0.11 ssh-ed25519\n@trusted 10.0.0.11 ${ED}`).problems).toEqual([
      'knownHostsFile: line 1 of the known_hosts file is not "HOSTS TYPE BASE64-KEY"',
      "knownHostsFile: line 2 of the known_hosts file has the unknown marker @trusted",
    ]);
  });
});

describe("where a host key comes from", () => {
  const policy = { verify: true, knownHostsFile: "/k", knownHosts: lines(`10.0.0.11 ${ED2}\n10.0.0.12 ${ED2}`).parsed };
  test("pinned, then known_hosts, then first use; nothing when verification is off", () => {
    expect(hostKeySource({ address: "10.0.0.11", port: 22, pinned: ED }, policy)).toEqual({ kind: "pinned", keys: [ED] });
    expect(hostKeySource({ address: "10.0.0.12", port: 22 }, policy)).toEqual({ kind: "knownHostsFile", keys: [ED2] });
    expect(hostKeySource({ address: "10.0.0.13", port: 22 }, policy)).toEqual({ kind: "firstUse" });
    expect(hostKeySource({ address: "10.0.0.11", port: 22 }, { verify: false, knownHosts: [] })).toEqual({ kind: "insecure" });
  });
});

describe("config rules", () => {
  const files = (known: string) => ({ ...fakeFiles, readFile: (p: string) => (p === "/known" ? known : undefined) });
  const spec = (raw: Record<string, unknown>, known = "") => validateConfig(withKeys(seed000, raw), files(known));

  test("defaults: verification on, no file, a 20-minute step timeout", () => {
    const { ssh } = spec({});
    expect(ssh.hostKeys).toEqual({ verify: true, knownHostsFile: undefined, knownHosts: [] });
    expect(ssh.stepTimeoutSeconds).toBe(1200);
  });

  test("kubeha:knownHostsFile is read and parsed", () => {
    expect(spec({ knownHostsFile: "/known" }, `172.26.133.161 ${ED}`).ssh.hostKeys.knownHosts).toHaveLength(1);
  });

  test("an unreadable known_hosts file names the key and the fix", () => {
    expectRejected(withKeys(seed000, { knownHostsFile: "/nope" }), "knownHostsFile", /\/nope cannot be read/);
  });

  test("skipping verification conflicts with a pinned key and with a known_hosts file", () => {
    const hosts = (seed000.hosts as object[]).map((h, i) => (i === 0 ? { ...h, hostKey: ED } : h));
    expectRejected(withKeys(seed000, { hosts, insecureSkipHostKeyVerification: true }), "hosts[0].hostKey", /insecureSkipHostKeyVerification turns verification off/);
    expect(problemsOf(withKeys(seed000, { knownHostsFile: "/known", insecureSkipHostKeyVerification: true }), files(""))).toContainEqual(
      expect.stringMatching(/^kubeha:insecureSkipHostKeyVerification: host keys cannot be both skipped and read/),
    );
  });

  test("a pinned key that known_hosts revokes, and hosts only a CA line covers, are refused", () => {
    const hosts = (seed000.hosts as object[]).map((h, i) => (i === 0 ? { ...h, hostKey: ED } : h));
    expect(problemsOf(withKeys(seed000, { hosts, knownHostsFile: "/known" }), files(`@revoked * ${ED}`))).toContainEqual(
      expect.stringMatching(/^kubeha:hosts\[0\]\.hostKey: the pinned key of host kube-master01 is marked @revoked/),
    );
    expect(problemsOf(withKeys(seed000, { knownHostsFile: "/known" }), files(`@cert-authority 172.26.133.* ${ED}`))).toContainEqual(
      expect.stringMatching(/^kubeha:knownHostsFile: only a @cert-authority line covers host kube-node01/),
    );
  });

  test("the bastion's pinned key needs a bastion and must be a key", () => {
    expectRejected(withKeys(seed000, { sshBastionHostKey: ED }), "sshBastionHostKey", /kubeha:sshBastion is not/);
    expectRejected(withKeys(seed000, { sshBastion: "jump@10.9.0.1", sshBastionHostKey: "ssh-ed25519 AAAA" }), "sshBastionHostKey", /not an SSH public key/);
    expect(spec({ sshBastion: "jump@10.9.0.1", sshBastionHostKey: `${ED} c` }).ssh.bastion).toEqual({ user: "jump", host: "10.9.0.1", port: 22, hostKey: ED });
  });

  test.each([
    ["90s", 90],
    ["45m", 2700],
    ["2h", 7200],
  ])("kubeha:stepTimeout %s is %i s", (text, seconds) => {
    expect(spec({ stepTimeout: text }).ssh.stepTimeoutSeconds).toBe(seconds);
  });

  test.each(["30s", "25h", "20", "1h30m", "-5m"])("kubeha:stepTimeout %s is refused", (text) => {
    expectRejected(withKeys(seed000, { stepTimeout: text }), "stepTimeout", /is not a duration from 1m to 24h/);
  });
});
