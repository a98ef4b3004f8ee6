// The decision branches of the step scripts, run by bats (tests/shell/*.bats) with stub commands
// on PATH, without the lab. This file renders the scripts with paths under a scratch root (so no
// script touches this machine's /etc, /var or /usr/local/bin), runs bats on each .bats file and
// reports each bats test as a jest test: a failing bats test fails here with bats' diagnostics.
// A missing bats, a bats test that skips, or a file whose run does not account for every test
// it plans is a failure, never a skip (scripts/test-tools.sh installs bats).
// To run a .bats file by hand: KUBEHA_SHELL_KEEP=1 npx jest tests/shell keeps the scratch
// directory and prints the bats command line.
//
// The views below are the ones the components pass (components/etcd/etcdCluster.ts,
// components/controlPlane/kubeadm/kubeadmEngine.ts and etcdMembership.ts), with fixed addresses
// the .bats files rely on: masters and etcd members 10.0.0.1-3, a removed one at 10.0.0.4.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CommonView, COMMON_VIEW, renderScript, shellLibrary } from "../../components/host/script";
import { JOIN_TOKEN_PLACEHOLDER } from "../../components/controlPlane/kubeadm/kubeadmEngine";
import { BOOTSTRAP_TOKEN_DESCRIPTION, BOOTSTRAP_TOKEN_LABEL } from "../../components/controlPlane/kubeadm/bootstrapToken";
import { KUBEADM_INIT_TOKEN } from "../../components/controlPlane/kubeadm/views";
import { leaderElectionView } from "../../components/controlPlane/kubeadm/leaderElection";
import { FAST_LEADER_ELECTION } from "../../config/leaderElection";
import { APISERVER_DRAIN, STEPS } from "../../components/host/steps";
import { GATE_PROGRAM_TEMPLATE } from "../../components/controlPlane/kubeadm/apiserverGate";
import { SNAPSHOT_PROGRAM_TEMPLATE } from "../../components/etcd/etcdSnapshots";
import { RESTORE_PROGRAM_TEMPLATE } from "../../components/etcd/etcdRestore";

const work = fs.mkdtempSync(path.join(os.tmpdir(), "kubeha-shell-"));
const root = path.join(work, "root");
const scriptDir = path.join(work, "scripts");
const keep = process.env.KUBEHA_SHELL_KEEP === "1";
afterAll(() => {
  if (keep) console.log(`kept: KUBEHA_SCRIPTS=${scriptDir} KUBEHA_ROOT=${root} KUBEHA_NODE=${process.execPath} bats ${__dirname}`);
  else fs.rmSync(work, { recursive: true, force: true });
});

/** kubeha's paths, moved under the scratch root. */
const common: CommonView = {
  ...COMMON_VIEW,
  paths: Object.fromEntries(Object.entries(COMMON_VIEW.paths).map(([key, p]) => [key, `${root}${p}`])) as CommonView["paths"],
};

const masters = ["10.0.0.1", "10.0.0.2", "10.0.0.3"];
const peer = (a: string) => `https://${a}:${common.ports.etcdPeer}`;
const client = (a: string) => `https://${a}:${common.ports.etcdClient}`;
const apiserver = (a: string) => `https://${a}:${common.ports.apiserver}`;

/** Rendered script name -> template and view. */
const SCRIPTS: Record<string, { template: string; view: object; libraries?: readonly string[] }> = {
  // The first master (10.0.0.1), stacked etcd: the other masters' apiservers and etcd members.
  "kubeadm-init-stacked.sh": {
    template: "controlPlane/kubeadm/kubeadm-init.sh",
    view: {
      apiserverAddress: masters[0],
      apiserverTimeoutSeconds: 2,
      otherApiservers: masters.slice(1).map(apiserver).join(" "),
      otherEtcdUrls: masters.slice(1).map(client).join(" "),
      tokenPlaceholder: JOIN_TOKEN_PLACEHOLDER,
      initTokenDescription: KUBEADM_INIT_TOKEN.description,
    },
  },
  // External etcd: no stacked members to look for.
  "kubeadm-init-external.sh": {
    template: "controlPlane/kubeadm/kubeadm-init.sh",
    view: {
      apiserverAddress: masters[0],
      apiserverTimeoutSeconds: 2,
      otherApiservers: masters.slice(1).map(apiserver).join(" "),
      otherEtcdUrls: "",
      tokenPlaceholder: JOIN_TOKEN_PLACEHOLDER,
      initTokenDescription: KUBEADM_INIT_TOKEN.description,
    },
  },
  // A worker, and the master 10.0.0.1 (its apiserver drained until ready).
  "kubeadm-join.sh": {
    template: "controlPlane/kubeadm/kubeadm-join.sh",
    view: { token: "abcdef.0123456789abcdef", tokenPlaceholder: JOIN_TOKEN_PLACEHOLDER, apiserverAddress: "", apiserverTimeoutSeconds: 2 },
  },
  "kubeadm-join-master.sh": {
    template: "controlPlane/kubeadm/kubeadm-join.sh",
    view: { token: "abcdef.0123456789abcdef", tokenPlaceholder: JOIN_TOKEN_PLACEHOLDER, apiserverAddress: masters[0], apiserverTimeoutSeconds: 2 },
  },
  "bootstrap-token.sh": {
    template: "controlPlane/kubeadm/bootstrap-token.sh",
    view: { ttlSeconds: 7200, label: BOOTSTRAP_TOKEN_LABEL, description: BOOTSTRAP_TOKEN_DESCRIPTION, token: "abcdef.0123456789abcdef", retrySeconds: 3 },
  },
  "bootstrap-token-revoke.sh": {
    template: "controlPlane/kubeadm/bootstrap-token-revoke.sh",
    view: { label: BOOTSTRAP_TOKEN_LABEL, description: BOOTSTRAP_TOKEN_DESCRIPTION, retrySeconds: 3 },
  },
  // Master 10.0.0.1 of an external etcd whose members became 10.0.0.1 and 10.0.0.2.
  "apiserver-etcd-servers.sh": {
    template: "controlPlane/kubeadm/apiserver-etcd-servers.sh",
    view: { servers: [masters[0], masters[1]].map(client).join(","), address: masters[0], timeoutSeconds: 2 },
  },
  // A master with the fast leader-election profile, and one with Kubernetes' defaults.
  "leader-election.sh": { template: "controlPlane/kubeadm/leader-election.sh", view: { ...leaderElectionView(FAST_LEADER_ELECTION), timeoutSeconds: 2 } },
  "leader-election-default.sh": { template: "controlPlane/kubeadm/leader-election.sh", view: { ...leaderElectionView(undefined), timeoutSeconds: 2 } },
  // The boot gate of master 10.0.0.1's apiserver (a program on the host, not a step: its libraries given here).
  "apiserver-gate.sh": { template: GATE_PROGRAM_TEMPLATE, view: { apiserverAddress: masters[0], waitSeconds: 2 }, libraries: APISERVER_DRAIN },
  // Member m1's scheduled snapshot (external etcd), keeping 3 (a program on the host, not a step).
  "etcd-snapshot.sh": {
    template: SNAPSHOT_PROGRAM_TEMPLATE,
    view: {
      name: "m1",
      directory: `${root}/var/backups/kubeha/etcd`,
      keep: 3,
      endpoint: client("127.0.0.1"),
      ca: "/etc/etcd/pki/ca.crt",
      cert: "/etc/etcd/pki/client.crt",
      key: "/etc/etcd/pki/client.key",
      timeoutSeconds: 5,
    },
  },
  // Member m1 of m1-m3 (external etcd), also a master: its part in a restore.
  "etcd-restore.sh": {
    template: RESTORE_PROGRAM_TEMPLATE,
    view: {
      name: "m1",
      peerUrl: peer(masters[0]),
      initialCluster: masters.map((a, i) => `m${i + 1}=${peer(a)}`).join(","),
      token: "kubeha-etcd",
      member: "yes",
      master: "yes",
      topology: "external",
      dataDir: `${root}/var/lib/etcd/kubeha`,
      ca: "/etc/etcd/pki/ca.crt",
      cert: "/etc/etcd/pki/client.crt",
      key: "/etc/etcd/pki/client.key",
      timeoutSeconds: 2,
    },
  },
  // Member m2 of m1-m3 (external etcd).
  "apply-etcd.sh": { template: "etcd/apply-etcd.sh", view: { name: "m2", peerUrl: peer(masters[1]), timeoutSeconds: 2 } },
  "etcd-prune.sh": { template: "etcd/etcd-prune.sh", view: { endpoints: masters.map(client).join(" "), peerUrls: masters.map(peer).join(" ") } },
  "etcd-prune-stacked.sh": { template: "etcd/etcd-prune-stacked.sh", view: { peerUrls: masters.map(peer).join(" "), timeoutSeconds: 2 } },
  // The master 10.0.0.1, reinstalled or not.
  "etcd-stale-member-stacked.sh": {
    template: "etcd/etcd-stale-member-stacked.sh",
    view: { peerUrl: peer(masters[0]), otherClientUrls: masters.slice(1).map(client).join(" "), kubernetesVersion: "1.32.13", timeoutSeconds: 2 },
  },
};

fs.mkdirSync(scriptDir, { recursive: true });
fs.writeFileSync(path.join(scriptDir, "lib.sh"), shellLibrary(common));
for (const [name, { template, view, libraries: own }] of Object.entries(SCRIPTS)) {
  // With the libraries the step's registry entry inserts.
  const libraries = own ?? Object.values(STEPS).find((s) => s.template === template)?.libraries;
  fs.writeFileSync(path.join(scriptDir, name), renderScript(template, view, common, libraries), { mode: 0o755 });
}

interface BatsResult {
  readonly name: string;
  readonly ok: boolean;
  readonly skipped: boolean;
  readonly details: string[];
}

/** Test results from bats' TAP output ("ok N name", "not ok N name", "# ..." diagnostics). */
function parseTap(tap: string): { planned: number | undefined; results: BatsResult[] } {
  let planned: number | undefined;
  const results: { name: string; ok: boolean; skipped: boolean; details: string[] }[] = [];
  for (const line of tap.split("\n")) {
    const plan = /^1\.\.(\d+)$/.exec(line);
    const result = /^(ok|not ok) \d+ (.*?)(?: # skip\b.*)?$/.exec(line);
    if (plan) planned = Number(plan[1]);
    else if (result) results.push({ name: result[2], ok: result[1] === "ok", skipped: / # skip\b/.test(line), details: [] });
    else if (line.startsWith("#") && results.length > 0) results[results.length - 1].details.push(line);
  }
  return { planned, results };
}

const batsFiles = fs
  .readdirSync(__dirname)
  .filter((f) => f.endsWith(".bats"))
  .sort();
const bats = spawnSync("bats", ["--version"], { encoding: "utf8" });

test("bats is installed (scripts/test-tools.sh installs it) and there are bats files", () => {
  expect(bats.error?.message ?? "").toBe("");
  expect(batsFiles.length).toBeGreaterThan(0);
});

if (!bats.error) {
  for (const file of batsFiles) {
    const run = spawnSync("bats", ["--tap", "--print-output-on-failure", path.join(__dirname, file)], {
      encoding: "utf8",
      timeout: 180000,
      env: { ...process.env, KUBEHA_SCRIPTS: scriptDir, KUBEHA_ROOT: root, KUBEHA_NODE: process.execPath },
    });
    const output = `${run.stdout ?? ""}${run.stderr ?? ""}`;
    const { planned, results } = parseTap(run.stdout ?? "");
    describe(file, () => {
      // The tests below fail one by one; this one catches what they cannot show: bats not
      // running to the end, or exiting non-zero with every reported test ok.
      test("bats ran and reported every planned test", () => {
        const failed = results.some((r) => !r.ok);
        expect({ error: run.error?.message, planned, exit: run.status === 0 || failed ? "consistent" : output }).toEqual({ error: undefined, planned: results.length, exit: "consistent" });
        expect(results.length).toBeGreaterThan(0);
      });
      for (const result of results) {
        test(result.name, () => {
          if (result.skipped) throw new Error(`bats skipped this test: ${file} must not skip\n${output}`);
          if (!result.ok) throw new Error(`bats: not ok: ${result.name}\n${result.details.join("\n")}`);
        });
      }
    });
  }
}
