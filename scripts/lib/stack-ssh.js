// Reaching a stack's hosts from this machine the way `pulumi up` did (npm run backup, restore):
// the connection each remote step was deployed with, read from the stack's state (decrypted in
// memory only), and ssh with the pinned host keys only. Keys go to 0600 files in a 0700
// temporary directory that the caller removes.
"use strict";
const { execFileSync, spawnSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

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

/**
 * The hosts of an exported deployment's resources named `<cluster>-etcd-<host><suffix>` (an
 * EtcdCluster's per-host steps and files), in state order: { host, connection }.
 */
function etcdHostTargets(resources, suffix) {
  return resources
    .filter((r) => r.type === "command:remote:Command" && r.urn.split("::").pop().endsWith(suffix))
    .map((r) => {
      const name = r.urn.split("::").pop().slice(0, -suffix.length);
      return { host: name.replace(/^.*?-etcd-/, ""), connection: plain(r.inputs?.connection) };
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

/** The stack's deployment, secrets revealed in memory (`pulumi stack export --show-secrets`). */
function exportedResources(stack) {
  const out = execFileSync("pulumi", ["stack", "export", "--show-secrets", "--stack", stack, "--non-interactive"], { encoding: "utf8", maxBuffer: 512 * 1024 * 1024 });
  return JSON.parse(out).deployment.resources ?? [];
}

/**
 * A session on one target: run(command, opts) runs it over ssh (bounded by timeoutMs), with root
 * through sudo -n when the deployed user is not root; close() removes the key files.
 */
function openSession(target, timeoutMs) {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "kubeha-ssh-"));
  const access = sshAccess(target.connection, scratch);
  const sudo = target.connection.user === "root" ? "" : "sudo -n ";
  return {
    verified: access.verified,
    run: (command, opts = {}) => spawnSync("ssh", [...access.args, `${sudo}${command}`], { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, encoding: "utf8", ...opts }),
    close: () => fs.rmSync(scratch, { recursive: true, force: true }),
  };
}

module.exports = { plain, etcdHostTargets, knownHostsLines, sshAccess, exportedResources, openSession };
