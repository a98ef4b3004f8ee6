// Host-key verification and step bounds, under mocks (issue 12 parts 1 and 4): which key each
// connection must see, where it came from, and the timeout every remote step carries.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { normalizeHostKey } from "../../config/hostKeyText";
import { READ_HOST_KEYS } from "../../components/host/hostKeys";
import { fakeHostKey, ProgramRun, Recorded, runProgram } from "../fixtures/mockProgram";
import { seed001, withKeys } from "../fixtures/topologies";

const HOSTS = seed001.hosts as { name: string; address: string }[];
const remoteSteps = (run: ProgramRun) => run.resources.filter((r) => r.type.startsWith("command:remote:"));
const onHost = (run: ProgramRun, address: string) => remoteSteps(run).filter((r) => r.inputs.connection.host === address);
const keyOf = (name: string) => normalizeHostKey(fakeHostKey(name))!;
const FINGERPRINT = /^ssh-ed25519 SHA256:[A-Za-z0-9+/]{43} \(/;

describe("by default every host's key is trusted on first use", () => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runProgram(seed001);
  });

  test("one first-use read per host, over a connection that accepts any key and carries no secret", () => {
    for (const host of HOSTS) {
      const reads = onHost(run, host.address).filter((r) => r.inputs.create === READ_HOST_KEYS);
      expect(reads.map((r) => r.name)).toEqual([`kubeha-hosts-${host.name}-host-key`]);
      expect(reads[0].inputs.connection.hostKey).toBeUndefined();
      expect(reads[0].inputs.stdin).toBeUndefined();
    }
  });

  test("every other step on a host verifies the key that read recorded", () => {
    for (const host of HOSTS) {
      const others = onHost(run, host.address).filter((r: Recorded) => r.inputs.create !== READ_HOST_KEYS);
      expect(others.length).toBeGreaterThan(3);
      for (const step of others) expect({ step: step.name, hostKey: step.inputs.connection.hostKey }).toEqual({ step: step.name, hostKey: keyOf(`kubeha-hosts-${host.name}-host-key`) });
    }
  });

  test("the stack output shows each host's fingerprint and its source", () => {
    const shown = run.outputs.hostKeys as Record<string, string>;
    expect(Object.keys(shown).sort()).toEqual(HOSTS.map((h) => h.name).sort());
    for (const text of Object.values(shown)) expect(text).toMatch(new RegExp(`${FINGERPRINT.source}trusted on first use\\)$`));
  });

  test("every remote step is bounded by kubeha:stepTimeout (default 20m)", () => {
    for (const step of remoteSteps(run)) expect({ step: step.name, timeouts: step.customTimeouts }).toEqual({ step: step.name, timeouts: { create: "1200s", update: "1200s", delete: "1200s" } });
  });
});

describe("pinned keys, a known_hosts file and a bastion", () => {
  let run: ProgramRun;
  const pinned = keyOf("pinned");
  const listed = keyOf("listed");
  beforeAll(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kubeha-known-"));
    const file = path.join(dir, "known_hosts");
    fs.writeFileSync(file, `${HOSTS[1].address} ${listed}\n`);
    const hosts = (seed001.hosts as object[]).map((h, i) => (i === 0 ? { ...h, hostKey: `${pinned} root@pinned` } : h));
    run = await runProgram(withKeys(seed001, { hosts, knownHostsFile: file, sshBastion: "jump@10.9.0.1:2200", stepTimeout: "45m" }));
  });

  test("a pinned host and a listed host need no first-use read; the others and the bastion do", () => {
    const reads = remoteSteps(run)
      .filter((r) => r.inputs.create === READ_HOST_KEYS)
      .map((r) => r.name)
      .sort();
    expect(reads).toEqual(["kubeha-hosts-sshBastion-host-key", ...HOSTS.slice(2).map((h) => `kubeha-hosts-${h.name}-host-key`)].sort());
    expect(onHost(run, HOSTS[0].address).every((r) => r.inputs.connection.hostKey === pinned)).toBe(true);
    expect(onHost(run, HOSTS[1].address).every((r) => r.inputs.connection.hostKey === listed)).toBe(true);
  });

  test("the bastion's key is read directly from it, and every jump verifies it", () => {
    const read = remoteSteps(run).find((r) => r.name === "kubeha-hosts-sshBastion-host-key")!;
    expect(read.inputs.connection).toMatchObject({ host: "10.9.0.1", port: 2200, user: "jump" });
    expect(read.inputs.connection.proxy).toBeUndefined();
    for (const step of remoteSteps(run).filter((r) => r.inputs.connection.host !== "10.9.0.1")) {
      expect({ step: step.name, proxyKey: step.inputs.connection.proxy?.hostKey }).toEqual({ step: step.name, proxyKey: keyOf("kubeha-hosts-sshBastion-host-key") });
    }
  });

  test("the output names each source", () => {
    const shown = run.outputs.hostKeys as Record<string, string>;
    expect(shown[HOSTS[0].name]).toMatch(/\(pinned in config\)$/);
    expect(shown[HOSTS[1].name]).toMatch(/\(from kubeha:knownHostsFile\)$/);
    expect(shown.sshBastion).toMatch(/\(trusted on first use\)$/);
  });

  test("kubeha:stepTimeout sets every step's bound", () => {
    for (const step of remoteSteps(run)) expect(step.customTimeouts).toEqual({ create: "2700s", update: "2700s", delete: "2700s" });
  });
});

describe("kubeha:insecureSkipHostKeyVerification", () => {
  let run: ProgramRun;
  beforeAll(async () => {
    run = await runProgram(withKeys(seed001, { insecureSkipHostKeyVerification: true }));
  });

  test("reads no key, pins none, and says so in the output", () => {
    expect(remoteSteps(run).filter((r) => r.inputs.create === READ_HOST_KEYS)).toEqual([]);
    expect(remoteSteps(run).every((r) => r.inputs.connection.hostKey === undefined)).toBe(true);
    for (const text of Object.values(run.outputs.hostKeys as Record<string, string>)) expect(text).toMatch(/NOT VERIFIED/);
  });
});
