// Every on-host path and port has one home (plan/paths.ts); templates render them, never spell
// them. Every step script template is in the step registry, and every registered template exists.
import * as fs from "fs";
import * as path from "path";
import { TEMPLATE_DIR } from "../../components/host/render";
import { STEPS } from "../../components/host/steps";
import { GATE_PROGRAM_TEMPLATE } from "../../components/controlPlane/kubeadm/apiserverGate";
import { SNAPSHOT_PROGRAM_TEMPLATE } from "../../components/etcd/etcdSnapshots";
import { RESTORE_PROGRAM_TEMPLATE } from "../../components/etcd/etcdRestore";
import { PATHS, PORTS } from "../../plan/paths";

function templates(dir = TEMPLATE_DIR): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? templates(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

const relative = (file: string) => path.relative(TEMPLATE_DIR, file).replace(/\.mustache$/, "");

test("no template spells an on-host path of plan/paths.ts or a kubeha port", () => {
  const found: string[] = [];
  for (const file of templates()) {
    const text = fs.readFileSync(file, "utf8");
    for (const [key, value] of Object.entries(PATHS)) if (text.includes(value)) found.push(`${relative(file)}: ${value} (paths.${key})`);
    for (const [key, value] of Object.entries(PORTS)) if (new RegExp(`:${value}\\b`).test(text)) found.push(`${relative(file)}: :${value} (ports.${key})`);
  }
  expect(found).toEqual([]);
});

/** Scripts kubeha puts on hosts as programs (run by keepalived, by systemd), not run as steps. */
const HOST_PROGRAMS = ["endpoint/check_apiserver.sh", GATE_PROGRAM_TEMPLATE, SNAPSHOT_PROGRAM_TEMPLATE, RESTORE_PROGRAM_TEMPLATE];

test("every step script template is registered, and every registered template exists", () => {
  const scripts = templates()
    .map(relative)
    .filter((t) => t.endsWith(".sh") && !t.startsWith("host/lib") && !HOST_PROGRAMS.includes(t));
  const registered = [...new Set(Object.values(STEPS).flatMap((s) => [s.template, ...(s.libraries ?? [])]))];
  expect(scripts.sort()).toEqual(registered.sort());
});

test("step suffixes are unique within the prefixes that share them", () => {
  // Steps run under one prefix (component + host) must not share a suffix, or two resources would share a name.
  const byPrefix: Record<string, (keyof typeof STEPS)[]> = {
    node: ["packages", "prepareNode", "containerd", "kubernetesOnline"],
    etcdMember: ["etcdStaging", "etcdInstall", "etcdStart"],
    etcdCluster: ["etcdPrune", "etcdHealthy"],
    master: ["stackedEtcdStaleMember", "kubeadmInit", "stackedEtcdPrune", "kubeadmEtcdEndpoints", "bootstrapToken", "kubeadmJoin", "nodeRegistered", "apiserverEtcdServers"],
    lbHost: ["packages", "nginxApply", "keepalivedApply", "vipAnswers"],
  };
  for (const ids of Object.values(byPrefix)) {
    const suffixes = ids.map((id) => STEPS[id].suffix);
    expect(new Set(suffixes).size).toBe(suffixes.length);
  }
});
