// Scheduled etcd snapshots (components/etcd/etcdSnapshots.ts) under Pulumi mocks: every member of
// either topology gets the tools, the program, its service and timer, started once the cluster is
// healthy; kubeha:etcdSnapshots off gives none; nothing about them is secret or leaks one.
import { PATHS, UNITS } from "../../plan/paths";
import { STEPS } from "../../components/host/steps";
import { runProgram, ProgramRun } from "../fixtures/mockProgram";
import { seed000, seed001, withKeys } from "../fixtures/topologies";

const EXTERNAL_MEMBERS = { master1: "192.168.109.134", master2: "192.168.109.135", node1: "192.168.109.136" };
const STACKED_MEMBERS = { "kube-master01": "172.26.133.161", "kube-master02": "172.26.133.162", "kube-master03": "172.26.133.163" };

let external: ProgramRun;
let stacked: ProgramRun;
let custom: ProgramRun;
let off: ProgramRun;
beforeAll(async () => {
  external = await runProgram(seed001);
  stacked = await runProgram(seed000);
  custom = await runProgram(withKeys(seed001, { etcdSnapshots: { schedule: "*-*-* 00/6:00:00", keep: 4, directory: "/srv/etcd-backups/" } }));
  off = await runProgram(withKeys(seed000, { etcdSnapshots: "off" }));
});

const hostsWith = (run: ProgramRun, path: string) =>
  run
    .files()
    .filter((f) => f.path === path)
    .map((f) => f.host)
    .sort();

test("every etcd member of either topology, and no other host, gets the program, its service and its timer", () => {
  for (const [run, members] of [
    [external, EXTERNAL_MEMBERS],
    [stacked, STACKED_MEMBERS],
  ] as const) {
    for (const path of [PATHS.etcdSnapshotScript, PATHS.etcdSnapshotService, PATHS.etcdSnapshotTimer]) expect(hostsWith(run, path)).toEqual(Object.values(members).sort());
    const enabled = run.scripts().filter((s) => s.name.endsWith(`-${STEPS.etcdSnapshotsEnable.suffix}`));
    expect(enabled.map((s) => s.name).sort()).toEqual(Object.keys(members).map((m) => `kubeha-etcd-${m}-snapshots-enable`));
  }
});

test("the program connects to its local member with the client certificate of its topology", () => {
  const program = (run: ProgramRun, host: string) => run.files().find((f) => f.path === PATHS.etcdSnapshotScript && f.host === host)!.content;
  const ext = program(external, EXTERNAL_MEMBERS.node1);
  expect(ext).toContain('NAME="node1"');
  expect(ext).toContain('ENDPOINT="https://127.0.0.1:2379"');
  expect(ext).toContain(`CERT="${PATHS.etcdPki}/client.crt"`);
  const st = program(stacked, STACKED_MEMBERS["kube-master02"]);
  expect(st).toContain('NAME="kube-master02"');
  expect(st).toContain(`CERT="${PATHS.stackedEtcdPki}/healthcheck-client.crt"`);
  expect(st).toContain(`KEY="${PATHS.stackedEtcdPki}/healthcheck-client.key"`);
  for (const text of [ext, st]) expect(text).toMatch(/^KEEP=24$/m);
});

test("the configured schedule, count and directory are rendered", () => {
  const timer = custom.files().find((f) => f.path === PATHS.etcdSnapshotTimer)!.content;
  expect(timer).toMatch(/^OnCalendar=\*-\*-\* 00\/6:00:00$/m);
  const program = custom.files().find((f) => f.path === PATHS.etcdSnapshotScript)!.content;
  expect(program).toMatch(/^KEEP=4$/m);
  expect(program).toContain('DIRECTORY="/srv/etcd-backups"');
  expect(custom.named("kubeha-etcd-master1-snapshots-enable").inputs.stdin).toContain('SCHEDULE="*-*-* 00/6:00:00"');
});

test("the timer starts only once the cluster is healthy (external: after the members' rolling start; stacked: after the masters joined)", () => {
  for (const member of Object.keys(EXTERNAL_MEMBERS)) {
    const enable = `kubeha-etcd-${member}-snapshots-enable`;
    expect(external.waitsFor(enable, "kubeha-etcd-healthy")).toBe(true);
    for (const file of ["program", "service", "timer"]) expect(external.waitsFor(enable, `kubeha-etcd-${member}-snapshots-${file}`)).toBe(true);
  }
  for (const member of Object.keys(STACKED_MEMBERS)) {
    expect(stacked.waitsFor(`kubeha-etcd-${member}-snapshots-enable`, "kubeha-etcd-healthy")).toBe(true);
    expect(stacked.waitsFor(`kubeha-etcd-${member}-snapshots-enable`, `kubeha-cp-${member}-kubeadm-${member === "kube-master01" ? "init" : "join"}`)).toBe(true);
  }
});

test("the tools: etcdutl beside an external member's etcdctl; etcdctl and etcdutl on a stacked master; etcd itself is not touched", () => {
  expect(external.named("kubeha-etcd-master1-snapshots-tools").inputs.stdin).toContain('read -r -a TOOLS <<<"etcdutl"');
  expect(stacked.named("kubeha-etcd-kube-master01-snapshots-tools").inputs.stdin).toContain('read -r -a TOOLS <<<"etcdctl etcdutl"');
  // The member's own start step does not wait for (or re-run with) the tools.
  expect(external.waitsFor("kubeha-etcd-master1-start", "kubeha-etcd-master1-snapshots-tools")).toBe(false);
});

test("the enable step's deletion stops the timer and removes its files, and keeps the snapshots", () => {
  const step = external.named("kubeha-etcd-master1-snapshots-enable");
  expect(step.inputs.stdin).toMatch(/^# kubeha inputs: program=[0-9a-f]{16} service=[0-9a-f]{16} timer=[0-9a-f]{16}$/m);
  expect(step.inputs.delete).toContain(`systemctl disable --now ${UNITS.etcdSnapshotTimer}`);
  expect(step.inputs.delete).toContain(`rm -f ${PATHS.etcdSnapshotTimer} ${PATHS.etcdSnapshotService} ${PATHS.etcdSnapshotScript}`);
  expect(step.inputs.delete).not.toContain("/var/backups");
});

test("the host's cleanup removes the timer's units and enablement (the program goes with kubeha's program directory)", () => {
  const cleanup = external.named("kubeha-hosts-node1-cleanup").inputs.delete as string;
  for (const path of [PATHS.kubehaProgramDir, PATHS.etcdSnapshotService, PATHS.etcdSnapshotTimer, PATHS.etcdSnapshotTimerWants]) expect(cleanup).toContain(` ${path}`);
});

test("kubeha:etcdSnapshots off installs no timer, program or tools", () => {
  expect(hostsWith(off, PATHS.etcdSnapshotTimer)).toEqual([]);
  expect(off.scripts().filter((s) => s.name.includes("-snapshots-"))).toEqual([]);
});

test("every member and every master gets the restore program, with its part in a restore and the new cluster's members", () => {
  expect(hostsWith(external, PATHS.etcdRestoreScript)).toEqual(Object.values(EXTERNAL_MEMBERS).sort());
  const program = (run: ProgramRun, host: string) => run.files().find((f) => f.path === PATHS.etcdRestoreScript && f.host === host)!.content;
  const master1 = program(external, EXTERNAL_MEMBERS.master1);
  expect(master1).toMatch(/^MEMBER=yes\nMASTER=yes\nTOPOLOGY=external$/m);
  expect(master1).toContain(`DATA_DIR="${PATHS.etcdData}"`);
  expect(master1).toContain('INITIAL_CLUSTER="master1=https://192.168.109.134:2380,master2=https://192.168.109.135:2380,node1=https://192.168.109.136:2380"');
  expect(master1).toContain('TOKEN="kubeha-etcd"');
  expect(program(external, EXTERNAL_MEMBERS.node1)).toMatch(/^MEMBER=yes\nMASTER=no$/m);
  const stackedMaster = program(stacked, STACKED_MEMBERS["kube-master03"]);
  expect(stackedMaster).toMatch(/^MEMBER=yes\nMASTER=yes\nTOPOLOGY=stacked$/m);
  expect(stackedMaster).toContain(`DATA_DIR="${PATHS.stackedEtcdData}"`);
  expect(stackedMaster).toContain('PEER_URL="https://172.26.133.163:2380"');
});
