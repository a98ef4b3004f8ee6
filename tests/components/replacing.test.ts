// Replacing a master (seed 003: external etcd, keepalived + nginx on the masters): the steps a
// departing host leaves behind, and who runs them, when the first master is the one that goes.
import { runFresh } from "../fixtures/isolated";
import type { ProgramRun } from "../fixtures/mockProgram";
import { seed003, withKeys } from "../fixtures/topologies";

const MASTERS = ["master-0", "master-1", "master-2"];
const previousOutputs = { membership: { etcd: MASTERS, masters: MASTERS } };
// master-0 (the init master) died; master-3 takes its place.
const replaced = withKeys(seed003, {
  hosts: [
    { name: "master-1", address: "10.10.40.91", roles: ["master", "etcd", "lb"], vrrpPriority: 100 },
    { name: "master-2", address: "10.10.40.92", roles: ["master", "etcd", "lb"], vrrpPriority: 99 },
    { name: "master-3", address: "10.10.40.95", roles: ["master", "etcd", "lb"], vrrpPriority: 101 },
    ...(seed003.hosts as { roles: string[] }[]).filter((h) => h.roles.includes("worker")),
  ],
});

let before: ProgramRun;
let after: ProgramRun;
beforeAll(async () => {
  before = await runFresh(seed003, { previousOutputs });
  after = await runFresh(replaced, { previousOutputs });
});

const command = (run: ProgramRun, name: string) => run.named(name).inputs as { create: string; delete?: string; stdin?: string; connection: { host: string } };

test("each step that kubeadm owns resets the node on deletion only while it still owns it", () => {
  for (const [name, step] of [
    ["kubeha-cp-master-0-kubeadm-init", "init"],
    ["kubeha-cp-master-1-kubeadm-join", "join"],
  ]) {
    const del = command(before, name).delete!;
    expect(del).toContain(`owner=$(cat /etc/kubeha/kubeadm-step 2>/dev/null || echo ${step}); if [ "$owner" != ${step} ]; then`);
    expect(del).toContain("kubeadm reset -f");
    // The old pod subnet goes with it: a node that joins again gets a new one.
    expect(del).toMatch(/kubeadm reset -f && rm -rf [^']*\/var\/lib\/cni [^']*&& \{ ip link delete cni0 2>\/dev\/null \|\| true; ip link delete flannel\.1 /);
  }
});

test("with the first master gone, the next one gets an init step that recognises it has joined", () => {
  const init = command(after, "kubeha-cp-master-1-kubeadm-init");
  expect(init.connection.host).toBe("10.10.40.91");
  expect(init.stdin).toContain("this master joined the running cluster earlier");
  expect(after.resources.some((r) => r.name === "kubeha-cp-master-3-kubeadm-join")).toBe(true);
});

test("a master re-added at the head of the list joins: the master that ran kubeadm init stays first", async () => {
  const initByMaster1 = { membership: { etcd: MASTERS, masters: ["master-1", "master-0", "master-2"] } };
  const run = await runFresh(seed003, { previousOutputs: initByMaster1 });
  const kubeadm = run.resources.map((r) => r.name).filter((n) => /-kubeadm-(init|join)$/.test(n) && n.startsWith("kubeha-cp-"));
  expect(kubeadm.sort()).toEqual(["kubeha-cp-master-0-kubeadm-join", "kubeha-cp-master-1-kubeadm-init", "kubeha-cp-master-2-kubeadm-join"]);
  expect(run.outputs.membership).toEqual({ etcd: MASTERS, masters: ["master-1", "master-0", "master-2"] });
});

test("a master's Node is deleted from another master, so that a dead master can leave", () => {
  const first = command(before, "kubeha-cp-master-0-registered");
  expect(first.connection.host).toBe("10.10.40.91");
  expect(first.delete).toMatch(/kubectl --kubeconfig=\/etc\/kubernetes\/admin.conf drain master-0 .*; .* delete node master-0 --ignore-not-found/);
  expect(command(before, "kubeha-cp-master-2-registered").connection.host).toBe("10.10.40.90");
});

test("departed etcd members are removed by a surviving one before the new member starts", () => {
  const prune = command(after, "kubeha-etcd-prune");
  expect(prune.connection.host).toBe("10.10.40.91");
  expect(prune.stdin).toContain('PEER_URLS="https://10.10.40.91:2380 https://10.10.40.92:2380 https://10.10.40.95:2380"');
  expect(after.waitsFor("kubeha-etcd-master-3-start", "kubeha-etcd-prune")).toBe(true);
  const start = command(after, "kubeha-etcd-master-3-start");
  expect(start.stdin).toContain('PEER_URL="https://10.10.40.95:2380"');
  expect(start.delete).toContain("systemctl disable --now etcd.service; rm -rf /var/lib/etcd/kubeha /etc/etcd/bootstrap.env");
});

test("the membership change rewrites each member's list but restarts no member", () => {
  const inputsOf = (run: ProgramRun, name: string) => command(run, name).stdin;
  expect(inputsOf(after, "kubeha-etcd-master-1-initial-cluster")).not.toBe(inputsOf(before, "kubeha-etcd-master-1-initial-cluster"));
  expect(inputsOf(after, "kubeha-etcd-master-1-start")).toBe(inputsOf(before, "kubeha-etcd-master-1-start"));
});

test("a host leaving the load balancer stops nginx and keepalived", () => {
  expect(command(before, "kubeha-lb-master-0-nginx-apply").delete).toBe("systemctl disable --now nginx.service");
  expect(command(before, "kubeha-lb-master-0-keepalived-apply").delete).toBe("systemctl disable --now keepalived.service");
});
