// Takes an etcd snapshot now on one member of a stack's cluster and copies it to this machine:
// a snapshot kept only on the cluster dies with it. The member runs the same program its timer
// does (kubeha:etcdSnapshots: saved, verified with etcdutl, pruned to the newest N there); the copy
// is then checked here against the checksum the member wrote beside it.
// Usage (through scripts/backup.sh): node backup.js STACK [--dir DIR] [--member NAME]
//   DIR: where the copy goes (default ~/.kubeha/backups/STACK), made 0700; files 0600.
//   NAME: the member to take it on (default: the first that answers, in member order).
// It connects as `pulumi up` did, with the pinned host keys only (lib/stack-ssh.js).
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const os = require("os");
const path = require("path");
const { etcdHostTargets, exportedResources, openSession } = require("./lib/stack-ssh");

/** The resource name suffix of each member's snapshot timer step (components/host/steps.ts). */
const ENABLE_STEP_SUFFIX = "-snapshots-enable";
/** The snapshot program on every member (plan/paths.ts: PATHS.etcdSnapshotScript). */
const SNAPSHOT_PROGRAM = "/usr/local/lib/kubeha/etcd-snapshot.sh";
/** One snapshot and its copy may take this long (the program's own bound is 300 s). */
const STEP_TIMEOUT_MS = 600 * 1000;

/** The path of the snapshot the program took: its last "snapshot: PATH" line. */
function snapshotPath(stdout) {
  const line = stdout.trimEnd().split("\n").pop() ?? "";
  const match = /^snapshot: (\/[A-Za-z0-9._/-]+\.db)$/.exec(line);
  return match ? match[1] : undefined;
}

/** The hex digest of a .sha256 file's first line ("HEX  NAME"), if it is one. */
function checksumOf(text) {
  const match = /^([0-9a-f]{64}) {2}\S+$/m.exec(text);
  return match ? match[1] : undefined;
}

/** Takes a snapshot on one member and copies it into DIR: the local path, or throws saying why not. */
function backupFrom(target, dir) {
  const session = openSession(target, STEP_TIMEOUT_MS);
  try {
    if (!session.verified) console.warn(`[backup] WARNING: ${target.host}: the stack pins no host key (kubeha:insecureSkipHostKeyVerification): its host key is not verified`);
    const started = Date.now();
    const taken = session.run(SNAPSHOT_PROGRAM);
    if (taken.status !== 0) throw new Error(`the snapshot failed (${taken.error?.message ?? `exit ${taken.status}`}): ${(taken.stderr ?? "").trim()}`);
    const remote = snapshotPath(taken.stdout);
    if (!remote) throw new Error('the snapshot program printed no "snapshot: PATH" line');
    const local = path.join(dir, path.basename(remote));
    const partial = `${local}.partial`;
    const fd = fs.openSync(partial, "w", 0o600);
    let copied;
    try {
      copied = session.run(`cat ${remote}`, { stdio: ["ignore", fd, "pipe"] });
    } finally {
      fs.closeSync(fd);
    }
    const sums = session.run(`cat ${remote}.sha256`);
    const expected = sums.status === 0 ? checksumOf(sums.stdout) : undefined;
    const actual = crypto.createHash("sha256").update(fs.readFileSync(partial)).digest("hex");
    if (copied.status !== 0 || !expected || expected !== actual) {
      fs.rmSync(partial, { force: true });
      throw new Error(`the copy of ${remote} ${copied.status !== 0 ? "failed" : `does not match its checksum (${expected ?? "none"} there, ${actual} here)`}`);
    }
    fs.renameSync(partial, local);
    fs.writeFileSync(`${local}.sha256`, `${actual}  ${path.basename(local)}\n`, { mode: 0o600 });
    const info = taken.stdout.split("\n").find((l) => l.includes("snapshot of member")) ?? "";
    console.log(`[backup] ${target.host}: ${info.replace(/^\[kubeha\] /, "")}`);
    console.log(`[backup] copied to ${local} (${fs.statSync(local).size} bytes, sha256 ${actual}, in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
    return local;
  } finally {
    session.close();
  }
}

function main(argv) {
  const options = { dir: undefined, member: undefined };
  const positional = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--dir") options.dir = argv[++i];
    else if (argv[i] === "--member") options.member = argv[++i];
    else positional.push(argv[i]);
  }
  const fail = (message) => {
    console.error(`[backup] ${message}`);
    process.exit(1);
  };
  const [stack] = positional;
  if (!stack || positional.length > 1) fail("usage: npm run backup -- STACK [--dir DIR] [--member NAME]");
  const dir = path.resolve(options.dir ?? path.join(os.homedir(), ".kubeha", "backups", stack));

  let targets = etcdHostTargets(exportedResources(stack), ENABLE_STEP_SUFFIX);
  if (targets.length === 0) fail(`stack ${stack} has no etcd snapshot steps. Fix: deploy it with kubeha:etcdSnapshots other than off (pulumi up), then run the backup again`);
  if (options.member) {
    targets = targets.filter((t) => t.host === options.member);
    if (targets.length === 0) fail(`--member ${options.member}: stack ${stack} has no etcd member of that name with snapshots`);
  }
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
  const failures = [];
  for (const target of targets) {
    try {
      console.log(`backup: ${backupFrom(target, dir)}`);
      return;
    } catch (err) {
      failures.push(`${target.host}: ${err.message}`);
    }
  }
  fail(`no member of stack ${stack} gave a snapshot:\n  ${failures.join("\n  ")}`);
}

if (require.main === module) main(process.argv.slice(2));

module.exports = { snapshotPath, checksumOf, ENABLE_STEP_SUFFIX, SNAPSHOT_PROGRAM };
