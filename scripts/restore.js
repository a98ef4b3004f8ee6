// Restores a stack's etcd from one snapshot taken by `npm run backup` (or any etcd v3 snapshot):
// every member from the same file, as a new logical cluster of the configured members, so that
// the Kubernetes objects are those of the snapshot. Host by host, each with the restore program
// kubeha put there (templates/etcd/etcd-restore.sh; its modes are the steps below):
//   1. refuse while etcd has quorum, unless --force (a restore drops every write since the snapshot)
//   2. send the snapshot to every member, checked against its sha256 there
//   3. pause the control plane on every master (kube-apiserver, -controller-manager, -scheduler)
//   4. stop every member; 5. restore every member's data; 6. start every member; wait until healthy
//   7. resume the control plane on every master, each apiserver ready; 8. every node Ready
// A failure stops it where it is and says which host and step; the restore program's modes can
// be run again by hand, and a second `npm run restore` starts over from 1 (with --force).
// Usage (through scripts/restore.sh): node restore.js STACK SNAPSHOT [--force]
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const { etcdHostTargets, exportedResources, openSession } = require("./lib/stack-ssh");

/** The resource name suffix of each member's and master's restore program (components/etcd/etcdCluster.ts). */
const PROGRAM_SUFFIX = "-restore-program";
/** The restore program on those hosts (plan/paths.ts: PATHS.etcdRestoreScript). */
const RESTORE_PROGRAM = "/usr/local/lib/kubeha/etcd-restore.sh";
/** One mode may take this long (the program's own waits are bounded at 300 s). */
const STEP_TIMEOUT_MS = 420 * 1000;

/** The order of the restore: [mode, the hosts it runs on (members or masters)], after the quorum check and the transfer. */
const PLAN = [
  ["pause-control-plane", "master"],
  ["stop-etcd", "member"],
  ["restore", "member"],
  ["start-etcd", "member"],
  ["wait-healthy", "member"],
  ["resume-control-plane", "master"],
];

/** Whether a majority of MEMBERS answered healthy: the cluster has quorum, and a restore would drop its newer writes. */
function hasQuorum(healthy, members) {
  return members > 0 && healthy > members / 2;
}

function main(argv) {
  const force = argv.includes("--force");
  const positional = argv.filter((a) => a !== "--force");
  const fail = (message) => {
    console.error(`[restore] ${message}`);
    process.exit(1);
  };
  const [stack, snapshot] = positional;
  if (!stack || !snapshot || positional.length > 2) fail("usage: npm run restore -- STACK SNAPSHOT [--force]");
  if (!fs.existsSync(snapshot)) fail(`${snapshot} does not exist. Fix: give a snapshot taken by \`npm run backup -- ${stack}\``);
  const data = fs.readFileSync(snapshot);
  const sha256 = crypto.createHash("sha256").update(data).digest("hex");
  if (fs.existsSync(`${snapshot}.sha256`)) {
    const recorded = fs.readFileSync(`${snapshot}.sha256`, "utf8").split(/\s+/)[0];
    if (recorded !== sha256) fail(`${snapshot} does not match its ${snapshot}.sha256 (${recorded}, the file has ${sha256}): damaged. Fix: use another snapshot`);
  }

  const targets = etcdHostTargets(exportedResources(stack), PROGRAM_SUFFIX);
  if (targets.length === 0) fail(`stack ${stack} has no etcd restore programs. Fix: deploy it with this kubeha and kubeha:etcdSnapshots other than off (pulumi up)`);
  const started = Date.now();
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  const sessions = targets.map((t) => ({ ...t, session: openSession(t, STEP_TIMEOUT_MS) }));
  try {
    const run = (host, mode, opts = {}) => {
      const result = host.session.run(`${RESTORE_PROGRAM} ${mode}`, opts);
      if (result.status !== 0) throw new Error(`${host.host}: ${mode} failed (${result.error?.message ?? `exit ${result.status}`}): ${`${result.stdout ?? ""}${result.stderr ?? ""}`.trim()}`);
      return (result.stdout ?? "").trim();
    };
    for (const host of sessions) {
      if (!host.session.verified) console.warn(`[restore] WARNING: ${host.host}: the stack pins no host key (kubeha:insecureSkipHostKeyVerification): its host key is not verified`);
      host.roles = run(host, "roles").split(/\s+/);
    }
    const members = sessions.filter((h) => h.roles.includes("member"));
    const masters = sessions.filter((h) => h.roles.includes("master"));
    if (members.length === 0) fail(`stack ${stack}: no host answered as an etcd member`);

    const healthy = members.filter((h) => h.session.run(`${RESTORE_PROGRAM} health`).status === 0).map((h) => h.host);
    console.log(`[restore] etcd: ${healthy.length} of ${members.length} members healthy${healthy.length ? ` (${healthy.join(", ")})` : ""}`);
    if (hasQuorum(healthy.length, members.length) && !force) {
      fail(`etcd has quorum: a restore would drop every write made since the snapshot. Fix: if that is what you want, run it again with --force`);
    }
    for (const host of members) {
      console.log(`[restore] ${host.host}: ${run(host, `receive ${sha256}`, { input: data })}`);
    }
    for (const [mode, role] of PLAN) {
      for (const host of role === "member" ? members : masters) console.log(`[restore] ${host.host}: ${run(host, mode).split("\n").pop()} (${elapsed()})`);
    }
    console.log(`[restore] ${masters[0].host}: ${run(masters[0], "nodes-ready").split("\n").pop()} (${elapsed()})`);
    console.log(`[restore] done: etcd restored from ${snapshot} (sha256 ${sha256}) in ${elapsed()}`);
  } catch (err) {
    fail(`${err.message}\nThe restore stopped there (after ${elapsed()}). Fix the cause, then run it again (with --force: the cluster has no quorum only until etcd is restored).`);
  } finally {
    for (const host of sessions) host.session.close();
  }
}

if (require.main === module) main(process.argv.slice(2));

module.exports = { PLAN, hasQuorum, PROGRAM_SUFFIX, RESTORE_PROGRAM };
