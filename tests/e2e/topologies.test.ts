// End-to-end: the seed topologies the main lab does not run, each deployed from nothing onto fresh
// hosts of a second lab (tests/fixtures/topologyLab.ts) and checked where it differs:
// - seed 000: stacked etcd under kubeadm, keepalived + nginx on the masters;
// - seed 001: external etcd on the masters, keepalived + nginx on two dedicated hosts;
// - seed 002: no VIP, an nginx on every node proxying 127.0.0.1:16443 to all apiservers;
// - seed 003's shape (external etcd and the VIP on the masters), whose first master dies and is
//   replaced by a new host; with stacked etcd, the master that became first is then reinstalled,
//   and the stacked etcd restored from a snapshot taken by `npm run backup`.
// Each ends with a second `pulumi up` that changes nothing. Seeds 000 and 001 are deployed with the
// code of the previous landed main (UPGRADE_FROM, tests/fixtures/upgrade.ts) and then taken over in
// place by the current code: nothing replaced or deleted, nothing on the hosts restarted.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { describeWithPlugins, etcdScript, forgetHost, pulumi } from "../fixtures/pulumiCli";
import { waitFor } from "../fixtures/lab";
import { ProbeSample, startReadyzProbe } from "../fixtures/cluster";
import { checkoutPreviousCode, describeStep, disallowedSteps, expectedDeletes, forbiddenCounts, hostState, hostStateChanges, preview, PreviousCode, UPGRADE_FROM } from "../fixtures/upgrade";
import {
  freshTopology,
  removeTopologyLab,
  T_STACK,
  writeTopology,
  T_HOSTS,
  T_VIP,
  tKubectl,
  tLab,
  tLastChanges,
  tReadyNodes,
  tSsh,
  tSshOk,
  tUp,
  tUpEvents,
  THost,
  TopologyHost,
} from "../fixtures/topologyLab";

jest.setTimeout(1200000);

const describeReal = describeWithPlugins("topology end-to-end tests");

const ALL_NODES = ["m1", "m2", "m3", "w1"];

/** Which of the given hosts hold the VIP now. */
function vipHolders(hosts: THost[]): THost[] {
  return hosts.filter((h) => tSsh(h, `ip -o addr show | grep -q ' ${T_VIP}/'`, 15000).status === 0);
}

/** Stacked etcd: the member list (JSON of etcd's gateway), asked on HOST with kubeadm's healthcheck client. */
function stackedMemberList(host: THost): string {
  return tSshOk(
    host,
    "curl -s --cacert /etc/kubernetes/pki/etcd/ca.crt --cert /etc/kubernetes/pki/etcd/healthcheck-client.crt --key /etc/kubernetes/pki/etcd/healthcheck-client.key -X POST -d '{}' https://127.0.0.1:2379/v3/cluster/member/list",
  );
}

/** Stacked etcd: member ID by host address, asked on m3. */
function stackedMembers(): Record<string, string> {
  const list = stackedMemberList("m3");
  return Object.fromEntries([...list.matchAll(/"ID":"(\d+)"[^{}]*?"peerURLs":\["https:\/\/([0-9.]+):2380"\]/g)].map((m) => [m[2], m[1]]));
}

/** Stacked etcd: "node=phase" of each etcd pod, sorted, comma-joined. */
function etcdPodPhases(): string {
  return tKubectl(["-n", "kube-system", "get", "pods", "-l", "component=etcd", "-o", 'jsonpath={range .items[*]}{.spec.nodeName}={.status.phase}{"\\n"}{end}']).stdout.trim().split("\n").sort().join();
}

let previous: PreviousCode | undefined;
/** The code of UPGRADE_FROM, checked out once for this file (removed in the last afterAll). */
function previousCode(): PreviousCode {
  previous ??= checkoutPreviousCode();
  return previous;
}

/** Deploys the topology stack from nothing, with the current code or the previous one. */
async function deployAndWaitReady(label: string, code?: PreviousCode): Promise<void> {
  const seconds = tUp(code?.pulumi);
  await waitFor("every node Ready", () => tReadyNodes().join() === ALL_NODES.join(), 300000, 2000);
  console.log(`${label}: pulumi up from nothing${code ? ` with the code of ${UPGRADE_FROM}` : ""} ${seconds.toFixed(0)} s, every node Ready`);
}

const formatOps = (counts: Record<string, number>) =>
  Object.entries(counts)
    .sort()
    .map(([op, n]) => `${op} ${n}`)
    .join(", ") || "none";

/** Every operation count of the stack's last update, "same" and "read" included. */
function lastUpdateCounts(): Record<string, number> {
  const result = pulumi(["stack", "history", "--stack", T_STACK, "--json", "--page-size", "1"]);
  if (result.status !== 0) throw new Error(`stack history failed:\n${result.stderr}`);
  return (JSON.parse(result.stdout) as { resourceChanges: Record<string, number> }[])[0].resourceChanges;
}

function stackOutputs(): Record<string, unknown> {
  const result = pulumi(["stack", "output", "--stack", T_STACK, "--json", "--show-secrets"]);
  if (result.status !== 0) throw new Error(`stack output failed:\n${result.stderr}`);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

/**
 * The stack was deployed by UPGRADE_FROM's code (issue 11, item 9). The current code's preview may
 * plan no replacement, no deletion and no create but of a component resource; its `pulumi up` then
 * replaces and deletes nothing, restarts no watched process on any host (same PID and start time of
 * kube-apiserver, etcd, kubelet, nginx's and keepalived's masters...), leaves every config file with
 * the content it had, keeps every stack output, and the API answers through the VIP throughout.
 * `expected` names processes that must be there, so that the comparison cannot pass on nothing.
 */
async function upgradesInPlace(label: string, expected: Partial<Record<THost, string[]>>): Promise<void> {
  const hosts = Object.keys(expected) as THost[];
  // A cluster just deployed is still starting its add-ons (flannel on a late node, CoreDNS once
  // flannel runs): the check is of a settled cluster, every kube-system and kube-flannel pod Ready
  // (a flanneld that starts during the upgrade would read as a process the upgrade started).
  const readiness = () =>
    ["kube-system", "kube-flannel"].flatMap((ns) =>
      tKubectl(["-n", ns, "get", "pods", "-o", 'jsonpath={range .items[*]}{.metadata.name}={.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}']).stdout.trim().split("\n"),
    );
  await waitFor("every kube-system and kube-flannel pod Ready", () => readiness().every((line) => line.endsWith("=True")), 300000, 2000);
  const outputsBefore = stackOutputs();
  const before = hostState(hosts, tSsh);
  for (const host of hosts) {
    expect({ host, running: expected[host]!.filter((name) => before.processes[host][name]) }).toEqual({ host, running: expected[host] });
    expect(Object.keys(before.files[host]).length).toBeGreaterThan(10);
  }
  const probe = startReadyzProbe(200, `${T_VIP}:16443`);
  let previewed: Record<string, number>;
  let upChanges: Record<string, number>;
  let seconds: number;
  let allowedDeletes: number;
  let samples: ProbeSample[];
  try {
    const planned = preview(T_STACK);
    previewed = planned.changeSummary;
    console.log(
      `${label}: upgrade from ${UPGRADE_FROM}, pulumi preview with the current code: ${formatOps(previewed)}` +
        planned.steps
          .filter((s) => s.op !== "same")
          .map((s) => `\n  ${describeStep(s)}`)
          .join(""),
    );
    expect(disallowedSteps(planned.steps)).toEqual([]);
    allowedDeletes = expectedDeletes(planned.steps);
    expect(forbiddenCounts(previewed, allowedDeletes)).toEqual({});
    // Every resource of the deployment is there, planned as same or update: not a vacuous preview.
    expect(previewed.same ?? 0).toBeGreaterThan(100);
    seconds = tUp();
    upChanges = lastUpdateCounts();
  } finally {
    samples = await probe.stop();
  }
  const after = hostState(hosts, tSsh);
  const failed = samples.filter((s) => !s.ok).length;
  console.log(
    `${label}: upgrade from ${UPGRADE_FROM}, pulumi up with the current code ${seconds.toFixed(0)} s: ${formatOps(upChanges)}; /readyz through the VIP: ${failed} of ${samples.length} failed`,
  );
  expect(forbiddenCounts(upChanges, allowedDeletes)).toEqual({});
  expect(upChanges.create ?? 0).toBe(previewed.create ?? 0);
  expect(hostStateChanges(before, after)).toEqual([]);
  // Sampled throughout (every 200 ms plus curl's time): not only before the up, as a probe on a pipe once was.
  expect(samples.length).toBeGreaterThan(seconds * 2);
  expect(failed).toBe(0);
  const outputsAfter = stackOutputs();
  for (const key of Object.keys(outputsBefore)) expect({ key, value: outputsAfter[key] }).toEqual({ key, value: outputsBefore[key] });
}

function secondUpChangesNothing(): void {
  tUp();
  expect(tLastChanges()).toEqual({});
}

/** The hosts once m1 is replaced by m4 (on the lab host lb2). */
function afterReplacement(roles: string[]): TopologyHost[] {
  return [
    { name: "m2", roles, vrrpPriority: 140 },
    { name: "m3", roles, vrrpPriority: 130 },
    { name: "m4", on: "lb2", roles, vrrpPriority: 120 },
    { name: "w1", roles: ["worker"] },
  ];
}

/**
 * What a destroyed cluster may not leave on a host, one line each: kubeha's and kubeadm's files,
 * etcd data, any private key outside sshd's own and the distribution's snakeoil (containerd's
 * image store is not searched), a cluster process, the VIP.
 */
const HOST_LEFTOVERS = [
  "ls -d /etc/kubeha /var/lib/kubeha /var/log/kubeha /etc/etcd /etc/keepalived/kubeha-auth.conf /etc/kubernetes/admin.conf /etc/kubernetes/kubelet.conf /var/lib/kubelet/pki 2>/dev/null",
  // kubeadm reset empties these (the directories stay)
  "find /etc/kubernetes/pki /var/lib/etcd -mindepth 1 -maxdepth 1 2>/dev/null",
  "grep -rlI --exclude-dir=containerd --exclude-dir=apt --exclude-dir=ssh --exclude-dir=.ssh 'PRIVATE KEY' /etc /var/lib /root 2>/dev/null | grep -v '^/etc/ssl/private/'",
  'for p in kube-apiserver etcd keepalived nginx; do pgrep -x "$p" >/dev/null && echo "running: $p"; done',
  `ip -o addr show | grep -q ' ${T_VIP}/' && echo 'holds the VIP'`,
  "true",
].join("; ");

/**
 * From the engine events of `pulumi up --json`: the resources matching `name` that it ran, and the span from the
 * first one's start to the last one's end (ms; the log's timestamps are whole seconds, so the
 * span is widened to whole seconds).
 */
function stepWindow(stdout: string, name: RegExp): { steps: string[]; from: number; to: number } {
  const steps = new Set<string>();
  let from = Infinity;
  let to = -Infinity;
  for (const event of engineEvents(stdout)) {
    const pre = event.resourcePreEvent?.metadata;
    const done = event.resOutputsEvent?.metadata;
    const resource = (pre ?? done)?.urn.split("::").pop();
    if (!resource || !name.test(resource) || (pre ?? done)!.op === "same") continue;
    steps.add(resource);
    if (pre) from = Math.min(from, event.timestamp * 1000);
    if (done) to = Math.max(to, event.timestamp * 1000 + 999);
  }
  return { steps: [...steps].sort(), from, to };
}

/** The steps (not "same") that had started and not yet completed at time `at` (ms) of a `pulumi up --json`. */
function stepsRunningAt(stdout: string, at: number): string[] {
  const started = new Map<string, number>();
  const running: string[] = [];
  for (const event of engineEvents(stdout)) {
    const pre = event.resourcePreEvent?.metadata;
    const done = event.resOutputsEvent?.metadata;
    if (pre && pre.op !== "same") started.set(pre.urn.split("::").pop()!, event.timestamp * 1000);
    if (done && done.op !== "same") {
      const name = done.urn.split("::").pop()!;
      const from = started.get(name);
      if (from !== undefined && from <= at && at <= event.timestamp * 1000 + 999) running.push(name);
      started.delete(name);
    }
  }
  return running.sort();
}

/** URNs of the stack's resources. */
function stackUrns(): string[] {
  const result = pulumi(["stack", "export", "--stack", T_STACK]);
  if (result.status !== 0) throw new Error(`stack export failed:\n${result.stderr}`);
  return ((JSON.parse(result.stdout) as { deployment: { resources?: { urn: string }[] } }).deployment.resources ?? []).map((r) => r.urn).sort();
}

interface DeleteEvent {
  readonly name: string;
  readonly phase: "start" | "done";
}

/** What the tests read of an engine event: its time (whole seconds) and a step's start or end. */
interface EngineEvent {
  readonly timestamp: number;
  readonly resourcePreEvent?: { readonly metadata: StepMetadata };
  readonly resOutputsEvent?: { readonly metadata: StepMetadata };
}

interface StepMetadata {
  readonly op: string;
  readonly urn: string;
}

/** The engine events that `pulumi up|destroy --json` prints, one JSON object a line. */
function engineEvents(stdout: string): EngineEvent[] {
  return stdout
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as EngineEvent);
}

/** The deletes among the engine events of `pulumi destroy --json`, in order: each resource's start and completion. */
function deleteEvents(stdout: string): DeleteEvent[] {
  return stepEvents(stdout, /./, "delete");
}

/** The steps matching `name` among the engine events, in order: each one's start and completion (of `op`, or any but "same"). */
function stepEvents(stdout: string, name: RegExp, op?: string): DeleteEvent[] {
  const events: DeleteEvent[] = [];
  const counts = (m: StepMetadata | undefined) => m !== undefined && name.test(m.urn.split("::").pop()!) && (op === undefined ? m.op !== "same" : m.op === op);
  for (const event of engineEvents(stdout)) {
    const pre = event.resourcePreEvent?.metadata;
    const done = event.resOutputsEvent?.metadata;
    if (counts(pre)) events.push({ name: pre!.urn.split("::").pop()!, phase: "start" });
    if (counts(done)) events.push({ name: done!.urn.split("::").pop()!, phase: "done" });
  }
  return events;
}

/** Whether every delete matching `first` completed before any delete matching `then` started. */
function deletedBefore(events: DeleteEvent[], first: RegExp, then: RegExp): { first: string; then: string; before: boolean } {
  const lastDone = Math.max(...events.map((e, i) => (e.phase === "done" && first.test(e.name) ? i : -1)));
  const firstStart = Math.min(...events.map((e, i) => (e.phase === "start" && then.test(e.name) ? i : Infinity)));
  return { first: String(first), then: String(then), before: lastDone >= 0 && firstStart < Infinity && lastDone < firstStart };
}

/** `pulumi up --json` (see tUpEvents) with a client asking /readyz through the VIP every 100 ms throughout. */
async function upProbed(): Promise<{ up: { seconds: number; stdout: string }; samples: ProbeSample[] }> {
  const probe = startReadyzProbe(100, `${T_VIP}:16443`);
  try {
    const up = tUpEvents();
    return { up, samples: await probe.stop() };
  } catch (error) {
    await probe.stop();
    throw error;
  }
}

/**
 * Hard-stops m1 for good, then replaces it in the config by m4 on the lab host lb2 (the other
 * hosts as before, the VIP priorities 140, 130 and 120), forgets m1's steps and runs `pulumi up`:
 * m4 must take m1's place, m1's Node must be gone, and m2, now the first master, must keep its
 * control plane (its old join step may not reset it).
 */
async function replaceFirstMaster(roles: string[], settings: Record<string, string>): Promise<void> {
  tLab(["stop", "m1"]);
  await waitFor("VIP on m2", () => vipHolders(["m2", "m3"]).join() === "m2", 30000, 500);
  // As when an operator replaces a dead host: its Node has been NotReady for a while.
  await waitFor("m1's Node NotReady", () => tKubectl(["get", "node", "m1", "-o", 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']).stdout.trim() === "Unknown", 180000, 2000);
  writeTopology(afterReplacement(roles), settings);
  // m1 cannot be reached: its own steps (reset, etcd leave) are dropped from the state.
  const forgot = forgetHost(T_STACK, "m1");
  expect({ status: forgot.status, stderr: forgot.stderr }).toEqual({ status: 0, stderr: "" });
  // With external etcd the up restarts m2's and m3's apiservers on the new members, drained: a
  // client through the VIP every 100 ms may see no failure while those steps run.
  const { up, samples } = await upProbed();
  console.log(`replacing m1 by m4 (${settings.etcdTopology} etcd): pulumi up ${up.seconds.toFixed(0)} s`);
  if (settings.etcdTopology === "external") {
    const restarts = stepWindow(up.stdout, /-apiserver-etcd-servers$/);
    const during = samples.filter((s) => s.at >= restarts.from && s.at <= restarts.to);
    const failed = during.filter((s) => !s.ok);
    const span = (t: number | undefined) => (t === undefined ? "none" : new Date(t).toISOString());
    console.log(
      `replacing m1 by m4: the apiservers restarted on the new etcd members (${restarts.steps.join(", ")}) in ${((restarts.to - restarts.from) / 1000).toFixed(0)} s; /readyz through the VIP: ${failed.length} of ${during.length} failed` +
        ` (window ${span(restarts.from)}..${span(restarts.to)}; the probe took ${samples.length} samples, ${span(samples[0]?.at)}..${span(samples[samples.length - 1]?.at)})`,
    );
    expect(restarts.steps).toEqual(expect.arrayContaining(["kubeha-cp-m2-apiserver-etcd-servers", "kubeha-cp-m3-apiserver-etcd-servers"]));
    expect(during.length).toBeGreaterThan(10);
    if (failed.length > 0) {
      // What was running then, and what the nginx in front saw: the cause, not only the count.
      for (const host of ["m2", "m3", "lb2"] as const) console.log(`${host}'s nginx errors:\n${tSsh(host, "tail -n 40 /var/log/nginx/error.log").stdout}`);
    }
    expect(failed.map((s) => `${new Date(s.at).toISOString()} HTTP ${s.code} while ${stepsRunningAt(up.stdout, s.at).join(", ")}`)).toEqual([]);
  }
  await waitFor("m2, m3, m4, w1 Ready", () => tReadyNodes().join() === "m2,m3,m4,w1", 300000, 2000);
  expect(tKubectl(["get", "nodes", "-o", "name"]).stdout.trim().split("\n").sort()).toEqual(["node/m2", "node/m3", "node/m4", "node/w1"]);
  expect(tSshOk("m2", "cat /etc/kubeha/kubeadm-step; test -f /etc/kubernetes/kubelet.conf && echo kubelet.conf").trim().split("\n")).toEqual(["init", "kubelet.conf"]);
  expect(vipHolders(["m2", "m3", "lb2"])).toEqual(["m2"]);
  expect(tKubectl(["get", "--raw", "/readyz"]).stdout).toBe("ok");
}

describeReal("seed topologies in a second lab", () => {
  afterAll(() => {
    removeTopologyLab();
    previous?.remove();
  });

  describe("seed 000: stacked etcd, VIP on the masters", () => {
    beforeAll(() =>
      freshTopology(
        [
          { name: "m1", roles: ["master", "lb"], vrrpPriority: 101 },
          { name: "m2", roles: ["master", "lb"], vrrpPriority: 100 },
          { name: "m3", roles: ["master", "lb"], vrrpPriority: 99 },
          { name: "w1", roles: ["worker"] },
        ],
        { etcdTopology: "stacked", apiEndpoint: "vip", vip: T_VIP, vrrpInterface: "host0" },
      ),
    );

    test(`deploys (with the code of ${UPGRADE_FROM}): every node Ready through VIP:16443, and kubeadm runs etcd as a static pod on each master`, async () => {
      await deployAndWaitReady("seed 000", previousCode());
      expect(etcdPodPhases()).toBe("m1=Running,m2=Running,m3=Running");
      // No external etcd unit anywhere.
      expect(tSsh("m1", "test -e /etc/systemd/system/etcd.service").status).toBe(1); // absent (255 would be ssh failing)
      expect(vipHolders(["m1", "m2", "m3"])).toEqual(["m1"]);
    });

    test(`the current code takes over ${UPGRADE_FROM}'s deployment in place: nothing replaced, deleted or restarted, the API answering through the VIP`, async () => {
      const cp = ["kube-apiserver", "etcd", "kubelet", "nginx", "keepalived"];
      await upgradesInPlace("seed 000", { m1: cp, m2: cp, m3: cp, w1: ["kubelet"] });
    });

    test("a second pulumi up changes nothing", () => secondUpChangesNothing());

    test("m1 hard-stopped for good and replaced by m4 (on lb2): kubeadm's etcd drops m1's member and adds m4's", async () => {
      await replaceFirstMaster(["master", "lb"], { etcdTopology: "stacked", apiEndpoint: "vip", vip: T_VIP, vrrpInterface: "host0" });
      // m1's mirror pod goes with its Node, once the pod garbage collector's quarantine (40 s) is over.
      await waitFor("etcd pods on m2, m3, m4 only", () => etcdPodPhases() === "m2=Running,m3=Running,m4=Running", 180000, 2000);
      const members = stackedMemberList("m2");
      expect([...members.matchAll(/"peerURLs":\["([^"]+)"/g)].map((m) => m[1]).sort()).toEqual([`https://${T_HOSTS.m2}:2380`, `https://${T_HOSTS.m3}:2380`, `https://${T_HOSTS.lb2}:2380`]);
    });

    test("then a second pulumi up changes nothing", () => secondUpChangesNothing());

    test("m2, now the first master, lost with its disk and rebuilt: it joins the running cluster again, under a new etcd member", async () => {
      const before = stackedMembers();
      tLab(["stop", "m2"]);
      await waitFor("m2's Node NotReady", () => tKubectl(["get", "node", "m2", "-o", 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']).stdout.trim() === "Unknown", 180000, 2000);
      tLab(["rebuild", "m2"]);
      const forgot = forgetHost(T_STACK, "m2", true);
      expect({ status: forgot.status, stderr: forgot.stderr }).toEqual({ status: 0, stderr: "" });
      const seconds = tUp();
      console.log(`first master m2 rebuilt (stacked etcd): pulumi up ${seconds.toFixed(0)} s`);
      await waitFor("m2, m3, m4, w1 Ready", () => tReadyNodes().join() === "m2,m3,m4,w1", 300000, 2000);
      // One cluster: m2 joined it (no second kubeadm init), its kubeadm state is the init step's.
      expect(tSshOk("m2", "cat /var/log/kubeha/kubeadm-init.log")).toContain("a new control plane instance was created");
      expect(tSshOk("m2", "cat /etc/kubeha/kubeadm-step").trim()).toBe("init");
      const after = stackedMembers();
      expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
      expect(after[T_HOSTS.m2]).not.toBe(before[T_HOSTS.m2]);
      expect(after[T_HOSTS.m3]).toBe(before[T_HOSTS.m3]);
      await waitFor("etcd pods Running on m2, m3, m4", () => etcdPodPhases() === "m2=Running,m3=Running,m4=Running", 120000, 2000);
      expect(tKubectl(["get", "--raw", "/readyz"]).stdout).toBe("ok");
    });

    test("then again a second pulumi up changes nothing", () => secondUpChangesNothing());

    test("a snapshot of the stacked etcd, taken by npm run backup, restored (forced: etcd has quorum): its objects are back, every node Ready", () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kubeha-t-backup-"));
      const configMaps = () =>
        tKubectl(["get", "configmaps", "-n", "default", "-o", "name"])
          .stdout.split("\n")
          .filter((l) => l.startsWith("configmap/kubeha-restore-"))
          .sort();
      try {
        tKubectl(["create", "configmap", "kubeha-restore-before", "-n", "default"]);
        const backup = etcdScript("backup", [T_STACK, "--dir", dir]);
        expect({ status: backup.status, stderr: backup.stderr }).toEqual({ status: 0, stderr: "" });
        const snapshot = /^backup: (\S+)$/m.exec(backup.stdout)![1];
        tKubectl(["delete", "configmap", "kubeha-restore-before", "-n", "default"]);
        tKubectl(["create", "configmap", "kubeha-restore-after", "-n", "default"]);
        const restored = etcdScript("restore", [T_STACK, snapshot, "--force"]);
        expect({ status: restored.status, stderr: restored.stderr }).toEqual({ status: 0, stderr: "" });
        console.log(`stacked etcd restored: ${/done: .* in ([\d.]+ s)/.exec(restored.stdout)?.[1]}`);
        expect(configMaps()).toEqual(["configmap/kubeha-restore-before"]);
        expect(tReadyNodes().join()).toBe("m2,m3,m4,w1");
        expect(etcdPodPhases()).toBe("m2=Running,m3=Running,m4=Running");
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    test("then a second pulumi up after the restore changes nothing", () => secondUpChangesNothing());

    test("pulumi destroy without kubeha:allowDestroy is refused before any resource is deleted, also with --skip-preview", () => {
      const before = stackUrns();
      for (const extra of [[], ["--skip-preview"]]) {
        const started = Date.now();
        const refused = pulumi(["destroy", "--stack", T_STACK, "--yes", ...extra], { timeoutMs: 600000 });
        console.log(`seed 000: pulumi destroy ${extra.join(" ")} refused in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        expect(refused.status).not.toBe(0);
        expect(`${refused.stdout}${refused.stderr}`).toContain(`kubeha refuses to destroy cluster kubeha (stack ${T_STACK}): kubeha:allowDestroy was not true at the last \`pulumi up\``);
        expect(stackUrns()).toEqual(before);
      }
      expect(tReadyNodes().join()).toBe("m2,m3,m4,w1");
      expect(tKubectl(["get", "--raw", "/readyz"]).stdout).toBe("ok");
    });

    test("with kubeha:allowDestroy applied by pulumi up, pulumi destroy resets every host: workers first, the masters one at a time, no key left", () => {
      writeTopology(afterReplacement(["master", "lb"]), { etcdTopology: "stacked", apiEndpoint: "vip", vip: T_VIP, vrrpInterface: "host0", allowDestroy: "true" });
      tUp();
      expect(tLastChanges()).toEqual({ update: 1 });
      const started = Date.now();
      const destroyed = pulumi(["destroy", "--stack", T_STACK, "--yes", "--skip-preview", "--json"], { timeoutMs: 1200000 });
      console.log(`seed 000: pulumi destroy (allowed) ${((Date.now() - started) / 1000).toFixed(0)} s`);
      expect({ status: destroyed.status, output: destroyed.status === 0 ? "" : `${destroyed.stdout}${destroyed.stderr}` }).toEqual({ status: 0, output: "" });
      expect(stackUrns().filter((urn) => !urn.includes("pulumi:pulumi:Stack"))).toEqual([]);
      const events = deleteEvents(destroyed.stdout);
      expect(events[0]).toEqual({ name: "kubeha-destroy-guard", phase: "start" });
      const masterReset = /^kubeha-cp-m\d-kubeadm-(init|join)$/;
      for (const [first, then] of [
        // the worker drained from a master and reset before any master is reset
        [/^kubeha-pool-workers-w1-registered$/, /^kubeha-pool-workers-w1-kubeadm-join$/],
        [/^kubeha-pool-workers-w1-kubeadm-join$/, masterReset],
        // the masters one at a time, the last joined first: stacked etcd keeps quorum until the last
        [/^kubeha-cp-m4-kubeadm-join$/, /^kubeha-cp-m3-kubeadm-join$/],
        [/^kubeha-cp-m3-kubeadm-join$/, /^kubeha-cp-m2-kubeadm-init$/],
        // the load balancers after the control plane, each host's cleanup last
        [/^kubeha-cp-m2-kubeadm-init$/, /^kubeha-lb-.*-keepalived-apply$/],
      ] as const) {
        expect(deletedBefore(events, first, then)).toEqual({ first: String(first), then: String(then), before: true });
      }
      for (const host of ["m2", "m3", "m4", "w1"]) {
        const [steps, cleanup] = [new RegExp(`^kubeha-(cp|lb|pool-workers)-${host}-`), new RegExp(`^kubeha-hosts-${host}-cleanup$`)];
        expect(deletedBefore(events, steps, cleanup)).toEqual({ first: String(steps), then: String(cleanup), before: true });
      }
      // No key, no kubeha file, no cluster process, no VIP on any host that was in the cluster.
      for (const host of ["m2", "m3", "lb2", "w1"] as THost[]) {
        const left = tSshOk(host, HOST_LEFTOVERS);
        expect({ host, left: left.trim().split("\n").filter(Boolean) }).toEqual({ host, left: [] });
      }
    });
  });

  describe("seed 001: external etcd on the masters, keepalived + nginx on two dedicated hosts", () => {
    beforeAll(() =>
      freshTopology(
        [
          { name: "m1", roles: ["master", "etcd"] },
          { name: "m2", roles: ["master", "etcd"] },
          { name: "m3", roles: ["master", "etcd"] },
          { name: "lb1", roles: ["lb"], vrrpPriority: 100 },
          { name: "lb2", roles: ["lb"], vrrpPriority: 90 },
          { name: "w1", roles: ["worker"] },
        ],
        { etcdTopology: "external", apiEndpoint: "vip", vip: T_VIP, vrrpInterface: "host0" },
      ),
    );

    test(`deploys (with the code of ${UPGRADE_FROM}): every node Ready through the VIP on lb1; nginx and keepalived only on the lb hosts`, async () => {
      await deployAndWaitReady("seed 001", previousCode());
      expect(vipHolders(["lb1", "lb2", "m1"])).toEqual(["lb1"]);
      expect(tSshOk("lb2", "systemctl is-active nginx keepalived").trim().split("\n")).toEqual(["active", "active"]);
      // 3: not active (systemd 252 of the lab's Debian 12 hosts); 255 would be ssh failing.
      expect(tSsh("m1", "systemctl is-active --quiet keepalived").status).toBe(3);
      // lb hosts run no Kubernetes: they are not nodes (checked above) and have no kubelet.
      expect(tSsh("lb1", "test -e /etc/kubernetes/kubelet.conf").status).toBe(1);
    });

    test(`the current code takes over ${UPGRADE_FROM}'s deployment in place: nothing replaced, deleted or restarted, the API answering through the VIP`, async () => {
      const cp = ["kube-apiserver", "etcd", "kubelet"];
      const lb = ["nginx", "keepalived"];
      await upgradesInPlace("seed 001", { m1: cp, m2: cp, m3: cp, lb1: lb, lb2: lb, w1: ["kubelet"] });
    });

    test("hard-stopping lb1 moves the VIP to lb2, and the API answers through it", async () => {
      tLab(["stop", "lb1"]);
      try {
        await waitFor("VIP on lb2", () => vipHolders(["lb2"]).length === 1, 30000, 500);
        await waitFor("API through the VIP", () => tKubectl(["get", "--raw", "/readyz"]).status === 0, 30000, 500);
      } finally {
        tLab(["start", "lb1"]);
      }
      await waitFor("VIP back on lb1", () => vipHolders(["lb1", "lb2"]).join() === "lb1", 120000, 1000);
    });

    test("a second pulumi up changes nothing", () => secondUpChangesNothing());
  });

  describe("seed 002: no VIP, nginx on every node as a local apiserver proxy", () => {
    beforeAll(() =>
      freshTopology(
        [
          { name: "m1", roles: ["master"] },
          { name: "m2", roles: ["master"] },
          { name: "m3", roles: ["master"] },
          { name: "w1", roles: ["worker"] },
        ],
        { etcdTopology: "stacked", apiEndpoint: "local" },
      ),
    );

    test("deploys: every node Ready; kubelets reach the apiservers through their own 127.0.0.1:16443", async () => {
      await deployAndWaitReady("seed 002");
      for (const node of ALL_NODES as THost[]) {
        expect(tSshOk(node, "grep -h 'server:' /etc/kubernetes/kubelet.conf").trim()).toBe("server: https://127.0.0.1:16443");
        expect(tSshOk(node, "curl -sk --max-time 5 https://127.0.0.1:16443/readyz")).toBe("ok");
      }
      // No VIP anywhere: nobody runs keepalived (3: not active, systemd 252 of the lab's Debian 12 hosts).
      expect(tSsh("m1", "systemctl is-active --quiet keepalived").status).toBe(3);
    });

    test("with m1's apiserver stopped, the worker's local proxy still reaches the others", async () => {
      tSshOk("m1", "mv /etc/kubernetes/manifests/kube-apiserver.yaml /etc/kubernetes/kube-apiserver.yaml.stopped");
      try {
        await waitFor("m1's apiserver to stop", () => tSsh("m1", `curl -sk --max-time 1 https://${T_HOSTS.m1}:6443/readyz`).stdout.trim() !== "ok", 120000, 1000);
        const answers = Array.from({ length: 20 }, () => tSsh("w1", "curl -sk --max-time 5 https://127.0.0.1:16443/readyz").stdout);
        expect(answers.filter((a) => a !== "ok")).toEqual([]);
      } finally {
        tSshOk("m1", "mv /etc/kubernetes/kube-apiserver.yaml.stopped /etc/kubernetes/manifests/kube-apiserver.yaml");
      }
    });

    test("a second pulumi up changes nothing", () => secondUpChangesNothing());
  });

  describe("seed 003's shape: the first master dies and a new host (m4) replaces it", () => {
    // Deployed with Kubernetes' leader-election defaults, then switched to the fast profile while running.
    const settings = { etcdTopology: "external", apiEndpoint: "vip", vip: T_VIP, vrrpInterface: "host0", leaderElection: "fast" };
    const cp = ["master", "etcd", "lb"];
    const hosts: TopologyHost[] = [
      { name: "m1", roles: cp, vrrpPriority: 150 },
      { name: "m2", roles: cp, vrrpPriority: 140 },
      { name: "m3", roles: cp, vrrpPriority: 130 },
      { name: "w1", roles: ["worker"] },
    ];
    const etcdctl = "ETCDCTL_API=3 etcdctl --cacert=/etc/etcd/pki/ca.crt --cert=/etc/etcd/pki/client.crt --key=/etc/etcd/pki/client.key --endpoints=https://127.0.0.1:2379";
    beforeAll(() => freshTopology(hosts, { ...settings, leaderElection: "default" }));

    test("deploys: every node Ready, the VIP on m1", async () => {
      await deployAndWaitReady("seed 003 shape");
      expect(vipHolders(["m1", "m2", "m3"])).toEqual(["m1"]);
    });

    test("leaderElection changed to fast on the running cluster: each master's controller-manager and scheduler restarted with its flags, one master at a time, the API answering throughout", async () => {
      const timings = (host: THost, process: string) => tSshOk(host, `pgrep -a -f '^([^ ]*/)?${process}( |$)' | tr ' ' '\\n' | grep -- '^--leader-elect-' | sort`).trim();
      const masters = ["m1", "m2", "m3"] as const;
      for (const host of masters) expect({ host, flags: timings(host, "kube-controller-manager") }).toEqual({ host, flags: "" });
      writeTopology(hosts, settings);
      const { up, samples } = await upProbed();
      const fast = ["--leader-elect-lease-duration=6s", "--leader-elect-renew-deadline=4s", "--leader-elect-retry-period=1s"].join("\n");
      for (const host of masters) {
        for (const process of ["kube-controller-manager", "kube-scheduler"]) expect({ host, process, flags: timings(host, process) }).toEqual({ host, process, flags: fast });
      }
      const order = stepEvents(up.stdout, /-leader-election$/).map((e) => `${e.phase} ${e.name}`);
      expect(order).toEqual(masters.flatMap((m) => [`start kubeha-cp-${m}-leader-election`, `done kubeha-cp-${m}-leader-election`]));
      const window = stepWindow(up.stdout, /-leader-election$/);
      const during = samples.filter((s) => s.at >= window.from && s.at <= window.to);
      const failed = during.filter((s) => !s.ok).length;
      console.log(
        `leaderElection default -> fast on the running cluster: pulumi up ${up.seconds.toFixed(0)} s, the three masters' steps in ${((window.to - window.from) / 1000).toFixed(0)} s; /readyz through the VIP: ${failed} of ${during.length} failed`,
      );
      expect(during.length).toBeGreaterThan(10);
      expect(failed).toBe(0);
      secondUpChangesNothing();
    });

    test("leaderElection fast: the controller-manager's and scheduler's leases leave a hard-stopped holder within 12 s", async () => {
      const holder = (lease: string) => tKubectl(["-n", "kube-system", "get", "lease", lease, "-o", "jsonpath={.spec.holderIdentity}"]).stdout.trim().split("_")[0];
      const victim = holder("kube-controller-manager") as THost;
      expect(["m1", "m2", "m3"]).toContain(victim);
      const held = ["kube-controller-manager", "kube-scheduler"].filter((lease) => holder(lease) === victim);
      tLab(["stop", victim]);
      const stopped = Date.now();
      const moved: Record<string, number> = {};
      try {
        await waitFor(
          "the leases to move",
          () => {
            for (const lease of held.filter((l) => moved[l] === undefined)) {
              const now = holder(lease);
              if (now !== "" && now !== victim) moved[lease] = Date.now() - stopped;
            }
            return held.every((l) => moved[l] !== undefined);
          },
          60000,
          250,
        );
      } finally {
        tLab(["start", victim]);
      }
      console.log(`leaderElection fast, hard stop of ${victim}: ${held.map((l) => `${l} lease moved after ${moved[l]} ms`).join(", ")}`);
      for (const lease of held) expect({ lease, within: moved[lease] < 12000 }).toEqual({ lease, within: true });
      await waitFor("every node Ready", () => tReadyNodes().join() === ALL_NODES.join(), 300000, 2000);
    });

    test("m1 hard-stopped for good, removed from the config with m4 (on lb2) added: m4 takes its place", async () => {
      await replaceFirstMaster(cp, settings);
      // m1's etcd member was removed before m4 joined.
      const members = tSshOk("m2", `${etcdctl} member list`)
        .trim()
        .split("\n")
        .map((line) => line.split(", ").slice(1, 3).join(" "));
      expect(members.sort()).toEqual(["started m2", "started m3", "started m4"]);
      // tSshOk already fails on an unhealthy member (etcdctl exits 1): count the healthy ones.
      expect(tSshOk("lb2", `${etcdctl} endpoint health --cluster`).match(/is healthy/g)).toHaveLength(3);
      // Every apiserver, and kubeadm's configuration for later joins, on the current members only.
      const servers = [T_HOSTS.m2, T_HOSTS.m3, T_HOSTS.lb2].map((a) => `https://${a}:2379`);
      for (const host of ["m2", "m3", "lb2"] as const) {
        expect(tSshOk(host, "pgrep -a -x kube-apiserver | tr ' ' '\\n' | sed -n 's/^--etcd-servers=//p'").trim()).toBe(servers.join(","));
      }
      const clusterConfig = tKubectl(["-n", "kube-system", "get", "configmap", "kubeadm-config", "-o", "jsonpath={.data.ClusterConfiguration}"]).stdout;
      expect(clusterConfig.match(/^ *- https:\/\/[0-9.]+:2379$/gm)?.map((line) => line.trim().slice(2))).toEqual(servers);
    });

    test("a second pulumi up changes nothing", () => secondUpChangesNothing());
  });
});
