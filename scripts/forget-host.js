// Drops the remote steps that ran on a host from a stack's state. Two uses:
// - the host is dead and left the config: `pulumi up` can then remove it from the cluster, since
//   the steps that would run on it (kubeadm reset, etcd leave, stopping nginx and keepalived)
//   cannot reach it. Steps that run elsewhere on its behalf (draining and deleting its Node from a
//   master, removing its etcd member) stay, and run at that `pulumi up`;
// - the host was reinstalled under the same name and address (--rebuilt): remote steps cannot see
//   that, and the next `pulumi up` runs all of its steps again.
// Usage (through scripts/forget-host.sh): node forget-host.js STACK HOST [--rebuilt]
// Secrets are decrypted in memory only, to read each step's connection address; the state
// written back is the encrypted export.
"use strict";
const { execFileSync, spawnSync } = require("child_process");
const fs = require("fs");
const os = require("os");
const path = require("path");

const rebuilt = process.argv.includes("--rebuilt");
const [stack, host] = process.argv.slice(2).filter((a) => a !== "--rebuilt");
if (!stack || !host) {
  console.error("usage: npm run forget-host -- STACK HOST [--rebuilt]");
  process.exit(2);
}
const pulumi = (args, opts = {}) => execFileSync("pulumi", [...args, "--stack", stack, "--non-interactive"], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024, ...opts });
const fail = (message) => {
  console.error(`[forget-host] ${message}`);
  process.exit(1);
};

const configured = JSON.parse(pulumi(["config", "get", "kubeha:hosts", "--json"])).value;
const inConfig = JSON.parse(configured).some((h) => h.name === host);
if (inConfig && !rebuilt) {
  fail(`${host} is still in kubeha:hosts of stack ${stack}. Fix: if it is dead, remove it from the config first; if it was reinstalled under the same name and address, pass --rebuilt.`);
}
if (!inConfig && rebuilt) fail(`--rebuilt: ${host} is not in kubeha:hosts of stack ${stack}. Fix: add it back to the config, or drop --rebuilt for a host that left.`);

const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const plain = (value) => (value && typeof value === "object" && SECRET_SIG in value ? JSON.parse(value.plaintext ?? "null") : value);
const connectionHost = (resource) => plain(plain(resource.inputs?.connection)?.host);
const isRemote = (resource) => resource.type.startsWith("command:remote:");
const nameOf = (urn) => urn.split("::").pop();

// Where the host was: the address its reachability check connected to.
const revealed = JSON.parse(pulumi(["stack", "export", "--show-secrets"])).deployment.resources ?? [];
const probe = revealed.find((r) => isRemote(r) && nameOf(r.urn).endsWith(`-hosts-${host}-reachable`));
if (!probe) fail(`stack ${stack} has no steps for a host named ${host} (nothing to forget)`);
const address = connectionHost(probe);
const forget = new Set(revealed.filter((r) => isRemote(r) && connectionHost(r) === address).map((r) => r.urn));
// A rebuilt host joins again, which needs a bootstrap token: its issue and revoke steps (on the
// first master) are dropped too, so that the next `pulumi up` issues one and revokes it after.
const TOKEN_STEPS = ["-bootstrap-token-issue", "-bootstrap-token-revoke"];
const tokenSteps = rebuilt ? revealed.filter((r) => isRemote(r) && !forget.has(r.urn) && TOKEN_STEPS.some((s) => nameOf(r.urn).endsWith(s))).map((r) => r.urn) : [];
const hostSteps = forget.size;
for (const urn of tokenSteps) forget.add(urn);

const exported = JSON.parse(pulumi(["stack", "export"]));
const resources = exported.deployment.resources;
exported.deployment.resources = resources
  .filter((r) => !forget.has(r.urn))
  .map((r) => {
    const kept = (urns) => (urns ?? []).filter((u) => !forget.has(u));
    const next = { ...r };
    if (r.dependencies) next.dependencies = kept(r.dependencies);
    if (r.propertyDependencies) next.propertyDependencies = Object.fromEntries(Object.entries(r.propertyDependencies).map(([k, v]) => [k, kept(v)]));
    if (r.deletedWith && forget.has(r.deletedWith)) delete next.deletedWith;
    return next;
  });
exported.deployment.pending_operations = (exported.deployment.pending_operations ?? []).filter((op) => !forget.has(op.resource?.urn));

const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "kubeha-forget-")), "state.json");
fs.writeFileSync(file, JSON.stringify(exported), { mode: 0o600 });
// `stack import` drops the records of operations an interrupted update left pending, with one
// warning each. They are records only (kubeha's steps are idempotent: the next `pulumi up` runs
// whatever is missing), so they are summed up here instead.
let imported;
try {
  imported = spawnSync("pulumi", ["stack", "import", "--file", file, "--stack", stack, "--non-interactive"], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
} finally {
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
}
const PENDING = /^warning: removing pending operation '(\w+)' on '([^']+)' from snapshot$/;
const stderrLines = (imported.stderr ?? "").split("\n").filter((line) => line.trim() !== "");
if (imported.status !== 0) fail(`pulumi stack import failed:\n${imported.stdout ?? ""}${imported.stderr ?? ""}`);
const pending = stderrLines
  .map((line) => line.match(PENDING))
  .filter(Boolean)
  .map((m) => `${nameOf(m[2])} (${m[1]})`);
for (const line of stderrLines.filter((l) => !PENDING.test(l))) console.error(line);
if (pending.length > 0) {
  console.log(`[forget-host] dropped ${pending.length} pending operation record(s) of an interrupted update: ${pending.join(", ")}`);
}
const next = rebuilt ? "to run them again on the rebuilt host" : "to remove it from the cluster";
console.log(`[forget-host] ${host} (${address}): ${hostSteps} steps that ran on it dropped from stack ${stack}'s state; run \`pulumi up\` ${next}`);
if (tokenSteps.length > 0) console.log(`[forget-host] also dropped, for its join: ${tokenSteps.map(nameOf).join(", ")}`);
