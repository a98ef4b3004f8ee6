// Takes an etcd snapshot now on one member of a stack's cluster and copies it to this machine:
// a snapshot kept only on the cluster dies with it. The member runs the same program its timer
// does (kubeha:etcdSnapshots: saved, verified with etcdutl, pruned to the newest N there); the copy
// is then checked here against the checksum the member wrote beside it.
// Usage (through scripts/backup.sh): node backup.js STACK [--dir DIR] [--member NAME]
//   DIR: where the copy goes (default ~/.kubeha/backups/STACK), made 0700; files 0600.
//   NAME: the member to take it on (default: the first that answers, in member order).
// How it connects: the connection each member's snapshot timer step was deployed with, read from
// the stack's state (decrypted in memory): the same address, user, key, pinned host key and jump
// host as `pulumi up`. The key goes to a 0600 file in a 0700 temporary directory, removed after;
// ssh verifies the host key against a known_hosts file made of the pinned keys only.
"use strict";
const { execFileSync, spawnSync } = require("child_process");
const crypto = require("crypto");
const fs = require("fs");
const os = require("os");
const path = require("path");

/** The resource name suffix of each member's snapshot timer step (components/etcd/etcdSnapshots.ts). */
const ENABLE_STEP_SUFFIX = "-snapshots-enable";
/** The snapshot program on every member (plan/paths.ts: PATHS.etcdSnapshotScript). */
const SNAPSHOT_PROGRAM = "/usr/local/lib/kubeha/etcd-snapshot.sh";
/** One snapshot and its copy may take this long (the program's own bound is 300 s). */
const STEP_TIMEOUT_MS = 600 * 1000;
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/** A state value with every secret in it revealed (`stack export --show-secrets`). */
function plain(value) {
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === "object") {
    if (SECRET_SIG in value) return plain(JSON.parse(value.plaintext ?? "null"));
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

/** The members' snapshot steps of an exported deployment, in state order: { member, connection }. */
function snapshotTargets(resources) {
  return resources
    .filter((r) => r.type === "command:remote:Command" && r.urn.split("::").pop().endsWith(ENABLE_STEP_SUFFIX))
    .map((r) => {
      const name = r.urn.split("::").pop().slice(0, -ENABLE_STEP_SUFFIX.length);
      return { member: name.replace(/^.*?-etcd-/, ""), connection: plain(r.inputs?.connection) };
    })
    .filter((t) => t.connection?.host);
}

/** known_hosts lines for HOST:PORT from a connection's hostKey (one key a line); [] when none is pinned. */
function knownHostsLines(host, port, hostKey) {
  const pattern = Number(port) === 22 ? host : `[${host}]:${port}`;
  return (hostKey ?? "")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "")
    .map((key) => `${pattern} ${key}`);
}

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

/** ssh options and files that reach a connection (and its jump host) with the pinned keys only. */
function sshAccess(connection, dir) {
  const files = { key: path.join(dir, "key"), known: path.join(dir, "known_hosts"), jumpKey: path.join(dir, "jump-key") };
  const pinned = [...knownHostsLines(connection.host, connection.port ?? 22, connection.hostKey)];
  const jump = connection.proxy;
  if (jump) pinned.push(...knownHostsLines(jump.host, jump.port ?? 22, jump.hostKey));
  const verify = connection.hostKey !== undefined && (!jump || jump.hostKey !== undefined);
  fs.writeFileSync(files.key, connection.privateKey.endsWith("\n") ? connection.privateKey : `${connection.privateKey}\n`, { mode: 0o600 });
  fs.writeFileSync(files.known, pinned.map((l) => `${l}\n`).join(""), { mode: 0o600 });
  const trust = verify ? ["-o", "StrictHostKeyChecking=yes", "-o", `UserKnownHostsFile=${files.known}`] : ["-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null"];
  const common = [
    "-o",
    "BatchMode=yes",
    "-o",
    "IdentitiesOnly=yes",
    "-o",
    "ConnectTimeout=10",
    "-o",
    "ServerAliveInterval=10",
    "-o",
    "GlobalKnownHostsFile=/dev/null",
    "-o",
    "LogLevel=ERROR",
    ...trust,
  ];
  const args = [...common, "-i", files.key, "-p", String(connection.port ?? 22)];
  if (jump) {
    fs.writeFileSync(files.jumpKey, jump.privateKey.endsWith("\n") ? jump.privateKey : `${jump.privateKey}\n`, { mode: 0o600 });
    const proxy = ["ssh", ...common, "-i", files.jumpKey, "-p", String(jump.port ?? 22), "-W", "%h:%p", `${jump.user}@${jump.host}`].join(" ");
    args.push("-o", `ProxyCommand=${proxy}`);
  }
  return { args: [...args, `${connection.user}@${connection.host}`], verified: verify };
}

function main(argv) {
  const options = { dir: undefined, member: undefined };
  const positional = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--dir") options.dir = argv[++i];
    else if (argv[i] === "--member") options.member = argv[++i];
    else positional.push(argv[i]);
  }
  const [stack] = positional;
  const fail = (message) => {
    console.error(`[backup] ${message}`);
    process.exit(1);
  };
  if (!stack || positional.length > 1) fail("usage: npm run backup -- STACK [--dir DIR] [--member NAME]");
  const dir = path.resolve(options.dir ?? path.join(os.homedir(), ".kubeha", "backups", stack));

  const exported = JSON.parse(execFileSync("pulumi", ["stack", "export", "--show-secrets", "--stack", stack, "--non-interactive"], { encoding: "utf8", maxBuffer: 512 * 1024 * 1024 }));
  let targets = snapshotTargets(exported.deployment.resources ?? []);
  if (targets.length === 0) fail(`stack ${stack} has no etcd snapshot steps. Fix: deploy it with kubeha:etcdSnapshots other than off (pulumi up), then run the backup again`);
  if (options.member) {
    targets = targets.filter((t) => t.member === options.member);
    if (targets.length === 0) fail(`--member ${options.member}: stack ${stack} has no etcd member of that name with snapshots`);
  }

  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
  const failures = [];
  for (const target of targets) {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "kubeha-backup-"));
    try {
      const access = sshAccess(target.connection, scratch);
      if (!access.verified) console.warn(`[backup] WARNING: ${target.member}: the stack pins no host key (kubeha:insecureSkipHostKeyVerification): its host key is not verified`);
      const sudo = target.connection.user === "root" ? "" : "sudo -n ";
      const ssh = (command, opts = {}) => spawnSync("ssh", [...access.args, command], { timeout: STEP_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024, ...opts });
      const started = Date.now();
      const taken = ssh(`${sudo}${SNAPSHOT_PROGRAM}`, { encoding: "utf8" });
      if (taken.status !== 0) {
        failures.push(`${target.member}: the snapshot failed (${taken.error?.message ?? `exit ${taken.status}`}): ${(taken.stderr ?? "").trim()}`);
        continue;
      }
      const remote = snapshotPath(taken.stdout);
      if (!remote) {
        failures.push(`${target.member}: the snapshot program printed no "snapshot: PATH" line`);
        continue;
      }
      const local = path.join(dir, path.basename(remote));
      const partial = `${local}.partial`;
      const fd = fs.openSync(partial, "w", 0o600);
      let copied;
      try {
        copied = ssh(`${sudo}cat ${remote}`, { stdio: ["ignore", fd, "pipe"], encoding: "utf8" });
      } finally {
        fs.closeSync(fd);
      }
      const sums = ssh(`${sudo}cat ${remote}.sha256`, { encoding: "utf8" });
      const expected = sums.status === 0 ? checksumOf(sums.stdout) : undefined;
      const actual = crypto.createHash("sha256").update(fs.readFileSync(partial)).digest("hex");
      if (copied.status !== 0 || !expected || expected !== actual) {
        fs.rmSync(partial, { force: true });
        failures.push(`${target.member}: the copy of ${remote} ${copied.status !== 0 ? "failed" : `does not match its checksum (${expected ?? "none"} there, ${actual} here)`}`);
        continue;
      }
      fs.renameSync(partial, local);
      fs.writeFileSync(`${local}.sha256`, `${actual}  ${path.basename(local)}\n`, { mode: 0o600 });
      const info = taken.stdout.split("\n").find((l) => l.includes("snapshot of member")) ?? "";
      console.log(`[backup] ${target.member}: ${info.replace(/^\[kubeha\] /, "")}`);
      console.log(`[backup] copied to ${local} (${fs.statSync(local).size} bytes, sha256 ${actual}, in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
      console.log(`backup: ${local}`);
      return;
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  }
  fail(`no member of stack ${stack} gave a snapshot:\n  ${failures.join("\n  ")}`);
}

if (require.main === module) main(process.argv.slice(2));

module.exports = { snapshotTargets, knownHostsLines, snapshotPath, checksumOf, plain };
