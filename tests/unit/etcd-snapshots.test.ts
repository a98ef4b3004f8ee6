// kubeha:etcdSnapshots' validation (config/etcdSnapshots.ts) and the pure parts of `npm run
// backup` (scripts/backup.js): no mocks, no hosts.
import { DEFAULT_ETCD_SNAPSHOTS, isSnapshotDirectory, readEtcdSnapshots } from "../../config/etcdSnapshots";
import { restoreHosts } from "../../components/etcd/etcdRestore";
import { Problems } from "../../config/errors";
import { validateConfig } from "../../config/validate";
import { expectRejected } from "../fixtures/problems";
import { fakeFiles, seed000, seed001, withKeys } from "../fixtures/topologies";
import { PATHS } from "../../plan/paths";
import { STEPS } from "../../components/host/steps";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const backup = require("../../scripts/backup.js") as {
  snapshotPath(stdout: string): string | undefined;
  checksumOf(text: string): string | undefined;
  ENABLE_STEP_SUFFIX: string;
  SNAPSHOT_PROGRAM: string;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const restore = require("../../scripts/restore.js") as { hasQuorum(healthy: number, members: number): boolean; PLAN: [string, string][]; PROGRAM_SUFFIX: string; RESTORE_PROGRAM: string };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const stackSsh = require("../../scripts/lib/stack-ssh.js") as {
  etcdHostTargets(resources: unknown[], suffix: string): { host: string; connection: Record<string, unknown> }[];
  knownHostsLines(host: string, port: number, hostKey?: string): string[];
};

function read(value: unknown): { settings: ReturnType<typeof readEtcdSnapshots>; problems: number } {
  const problems = new Problems();
  return { settings: readEtcdSnapshots({ etcdSnapshots: value }, problems), problems: problems.count };
}

describe("kubeha:etcdSnapshots", () => {
  test("unset or default: hourly, the newest 24, in /var/backups/kubeha/etcd", () => {
    expect(read(undefined)).toEqual({ settings: DEFAULT_ETCD_SNAPSHOTS, problems: 0 });
    expect(read("default").settings).toEqual({ schedule: "hourly", keep: 24, directory: "/var/backups/kubeha/etcd" });
    expect(validateConfig(seed000, fakeFiles).etcd.snapshots).toEqual(DEFAULT_ETCD_SNAPSHOTS);
  });

  test("off: none", () => {
    expect(read("off")).toEqual({ settings: undefined, problems: 0 });
    expect(validateConfig(withKeys(seed001, { etcdSnapshots: "off" }), fakeFiles).etcd.snapshots).toBeUndefined();
  });

  test("a mapping sets some fields and keeps the defaults of the others, also as a stack file's JSON text", () => {
    expect(read({ keep: 3 }).settings).toEqual({ ...DEFAULT_ETCD_SNAPSHOTS, keep: 3 });
    expect(read('{"schedule":"daily","directory":"/srv/snap/"}').settings).toEqual({ schedule: "daily", keep: 24, directory: "/srv/snap" });
    expect(read({ keep: "7" }).settings?.keep).toBe(7);
  });

  test("bad values are refused, each naming its field and the fix", () => {
    expectRejected(withKeys(seed000, { etcdSnapshots: "sometimes" }), "etcdSnapshots", /is not a snapshot setting/);
    expectRejected(withKeys(seed000, { etcdSnapshots: { keep: 0 } }), "etcdSnapshots.keep", /expected an integer from 1 to 1000/);
    expectRejected(withKeys(seed000, { etcdSnapshots: { keep: 2.5 } }), "etcdSnapshots.keep", /expected an integer/);
    expectRejected(withKeys(seed000, { etcdSnapshots: { schedule: "every hour" } }), "etcdSnapshots.schedule", /not a systemd calendar expression/);
    expectRejected(withKeys(seed000, { etcdSnapshots: { schedule: 5 } }), "etcdSnapshots.schedule", /not a systemd calendar expression/);
    expectRejected(withKeys(seed000, { etcdSnapshots: { directory: "backups" } }), "etcdSnapshots.directory", /not an absolute directory/);
    expectRejected(withKeys(seed000, { etcdSnapshots: { directory: "/srv/my backups" } }), "etcdSnapshots.directory", /not an absolute directory/);
    expectRejected(withKeys(seed000, { etcdSnapshots: { keeep: 3 } }), "etcdSnapshots.keeep", /unknown field "keeep" \(did you mean keep\?\)/);
  });

  test("a directory inside, or above, what kubeha, kubeadm or etcd manage is refused (a reset or restore would take it)", () => {
    expectRejected(withKeys(seed000, { etcdSnapshots: { directory: "/var/lib/etcd/snapshots" } }), "etcdSnapshots.directory", /overlaps \/var\/lib\/etcd/);
    expectRejected(withKeys(seed000, { etcdSnapshots: { directory: "/etc/kubernetes/backup" } }), "etcdSnapshots.directory", /overlaps \/etc\/kubernetes/);
    expectRejected(withKeys(seed000, { etcdSnapshots: { directory: "/var/lib" } }), "etcdSnapshots.directory", /overlaps \/var\/lib\/etcd/);
    expectRejected(withKeys(seed000, { etcdSnapshots: { directory: `${PATHS.kubehaLibDir}/snap` } }), "etcdSnapshots.directory", /overlaps/);
    expect(validateConfig(withKeys(seed000, { etcdSnapshots: { directory: "/var/lib/etcd-backups" } }), fakeFiles).etcd.snapshots?.directory).toBe("/var/lib/etcd-backups");
  });

  test("directories: absolute, plain characters, no parent steps, not the root", () => {
    expect(["/var/backups/kubeha/etcd", "/srv/a_b-c.d"].every(isSnapshotDirectory)).toBe(true);
    expect(["/", "//", "relative", "/a/../etc", "/a;b", "/a$b", "/a b"].some(isSnapshotDirectory)).toBe(false);
  });
});

describe("the restore's hosts and order", () => {
  const host = (name: string) => ({ name, address: `10.0.0.${name.length}`, roles: [] });
  test("members first, then the masters that are not members; each with its part", () => {
    const parts = restoreHosts([host("e1"), host("m1"), host("e2")], [host("m1"), host("m22")]).map((r) => `${r.host.name}:${r.member ? "member" : ""}${r.master ? "+master" : ""}`);
    expect(parts).toEqual(["e1:member", "m1:member+master", "e2:member", "m22:+master"]);
  });

  test("quorum is a majority of the members; the plan pauses the control plane before etcd stops and resumes it after etcd is healthy", () => {
    expect([restore.hasQuorum(2, 3), restore.hasQuorum(1, 3), restore.hasQuorum(0, 3), restore.hasQuorum(3, 5), restore.hasQuorum(2, 4)]).toEqual([true, false, false, true, false]);
    const modes = restore.PLAN.map(([mode]) => mode);
    expect(modes).toEqual(["pause-control-plane", "stop-etcd", "restore", "start-etcd", "wait-healthy", "resume-control-plane"]);
  });
});

describe("npm run backup's and restore's pure parts", () => {
  test("the scripts name the programs and steps as plan/paths.ts and the components do (plain JavaScript cannot import them)", () => {
    expect([backup.SNAPSHOT_PROGRAM, restore.RESTORE_PROGRAM]).toEqual([PATHS.etcdSnapshotScript, PATHS.etcdRestoreScript]);
    expect(backup.ENABLE_STEP_SUFFIX).toBe(`-${STEPS.etcdSnapshotsEnable.suffix}`);
    expect(restore.PROGRAM_SUFFIX).toBe("-restore-program");
  });

  const SIG = "4dabf18193072939515e22adb298388d";
  const secret = (value: unknown) => ({ [SIG]: "1b47061264138c4ac30d75fd1eb44270", plaintext: JSON.stringify(value) });
  const step = (name: string, connection: unknown) => ({
    type: "command:remote:Command",
    urn: `urn:pulumi:lab::kubeha::kubeha:index:EtcdCluster$command:remote:Command::${name}`,
    inputs: { connection },
  });

  test("the members come from their snapshot timer steps, with their connections revealed (secrets nested in secrets too)", () => {
    const resources = [
      step("kubeha-etcd-m1-snapshots-enable", secret({ host: "10.0.0.1", port: 22, user: "root", privateKey: secret("KEY"), hostKey: "ssh-ed25519 AAAA" })),
      step("kubeha-etcd-m1-snapshots-program", { host: "10.0.0.1" }),
      step("kubeha-etcd-kube-etcd-2-snapshots-enable", { host: "10.0.0.2", user: "debian", privateKey: "KEY" }),
      { type: "kubeha:index:EtcdCluster", urn: "urn:pulumi:lab::kubeha::kubeha:index:EtcdCluster::kubeha-etcd-x-snapshots-enable" },
    ];
    const targets = stackSsh.etcdHostTargets(resources, "-snapshots-enable");
    expect(targets.map((t) => t.host)).toEqual(["m1", "kube-etcd-2"]);
    expect(targets[0].connection).toEqual({ host: "10.0.0.1", port: 22, user: "root", privateKey: "KEY", hostKey: "ssh-ed25519 AAAA" });
  });

  test("known_hosts lines pin each key of the host, with the port when it is not 22", () => {
    expect(stackSsh.knownHostsLines("10.0.0.1", 22, "ssh-ed25519 AAAA\nssh-rsa BBBB\n")).toEqual(["10.0.0.1 ssh-ed25519 AAAA", "10.0.0.1 ssh-rsa BBBB"]);
    expect(stackSsh.knownHostsLines("10.0.0.1", 2222, "ssh-ed25519 AAAA")).toEqual(["[10.0.0.1]:2222 ssh-ed25519 AAAA"]);
    expect(stackSsh.knownHostsLines("10.0.0.1", 22, undefined)).toEqual([]);
  });

  test("the snapshot's path is the program's last line, and only a plain absolute .db path", () => {
    expect(backup.snapshotPath("[kubeha] snapshot of member m1 ...\nsnapshot: /var/backups/kubeha/etcd/etcd-m1-20261204T101010Z.db\n")).toBe("/var/backups/kubeha/etcd/etcd-m1-20261204T101010Z.db");
    expect(backup.snapshotPath("snapshot: /x/$(reboot).db")).toBeUndefined();
    expect(backup.snapshotPath("snapshot: /x/a.db\nsomething after")).toBeUndefined();
  });

  test("a checksum file gives its digest, and nothing else does", () => {
    const hex = "a".repeat(64);
    expect(backup.checksumOf(`${hex}  etcd-m1-1.db\n`)).toBe(hex);
    expect(backup.checksumOf("not a checksum")).toBeUndefined();
  });
});
