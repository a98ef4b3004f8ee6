// Strict config must not refuse the configs that exist: every committed Pulumi.<stack>.yaml, the lab
// stack config scripts/lab writes (config_render in scripts/lab/config.sh, each lab shape), and the
// topology lab's (tests/fixtures/topologyLab.ts, the shapes tests/e2e/topologies.test.ts writes).
// Each is read as the Pulumi CLI hands it to the program: every kubeha:* value as a string, structured
// ones as JSON, secrets decrypted (here: a placeholder).
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readRawConfig } from "../../config/load";
import { REPO } from "../fixtures/pulumiCli";
import { problemsOf } from "../fixtures/problems";
import { VERSIONS } from "../../plan/versions";
import { topologyConfig, TopologyHost, T_VIP } from "../fixtures/topologyLab";

// js-yaml comes with @pulumi/pulumi (a dependency of it, not of kubeha): enough to read stack files.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- untyped package
const yaml = require("js-yaml") as { load(text: string): unknown };

/** The CLI's view of a stack file: kubeha:* keys to the strings the program receives. */
function cliConfig(text: string): Record<string, string> {
  const config = (yaml.load(text) as { config?: Record<string, unknown> }).config ?? {};
  const all: Record<string, string> = {};
  for (const [key, value] of Object.entries(config)) {
    const secret = typeof value === "object" && value !== null && "secure" in value;
    all[key] = secret ? "-----PLACEHOLDER KEY-----" : typeof value === "string" ? value : JSON.stringify(value);
  }
  return all;
}

/** Files named in these configs (key paths, artifact directories) exist on the machine that runs them, not here. */
/** Every file exists; a known_hosts file is empty until the lab writes it. */
const everyFile = { fileExists: () => true, readFile: () => "" };

const committed = spawnSync("git", ["ls-files", "Pulumi.*.yaml"], { cwd: REPO, encoding: "utf8" }).stdout.split("\n").filter(Boolean);

test("there are committed stack files", () => {
  expect(committed).toContain("Pulumi.dev.yaml");
});

test.each(committed)("%s validates", (file) => {
  expect(problemsOf(readRawConfig(cliConfig(fs.readFileSync(path.join(REPO, file), "utf8"))), everyFile)).toEqual([]);
});

describe("the lab's stack config (scripts/lab/config.sh)", () => {
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), "kubeha-labconfig-"));
  afterAll(() => fs.rmSync(cache, { recursive: true, force: true }));

  /** config_render of a lab shape, in a scratch cache (no lab is touched). */
  function labConfig(env: Record<string, string>): string {
    const script = `source scripts/lab/common.sh && source scripts/lab/config.sh && config_render`;
    const result = spawnSync("bash", ["-c", script], { cwd: REPO, encoding: "utf8", env: { PATH: process.env.PATH, HOME: cache, KUBEHA_CACHE: cache, ...env } });
    if (result.status !== 0) throw new Error(`config_render failed: ${result.stderr}`);
    return result.stdout;
  }

  test.each([
    ["the main lab (masters carry the VIP, 2 workers)", {}],
    ["dedicated load balancers", { KUBEHA_LAB_LB: "dedicated" }],
    ["the growth lab (6 workers)", { KUBEHA_LAB_ID: "g", KUBEHA_LAB_NET: "10.78.0", KUBEHA_LAB_WORKERS: "6" }],
    ["the topology lab's hosts", { KUBEHA_LAB_ID: "t", KUBEHA_LAB_NET: "10.79.0", KUBEHA_LAB_LB: "dedicated", KUBEHA_LAB_WORKERS: "1" }],
  ])("%s validates", (_name, env) => {
    const text = labConfig(env);
    expect(text).toMatch(/kubeha:hosts:/);
    expect(problemsOf(readRawConfig(cliConfig(text)), everyFile)).toEqual([]);
  });
});

describe("the topology lab's stack configs (tests/fixtures/topologyLab.ts)", () => {
  const vip = { apiEndpoint: "vip", vip: T_VIP, vrrpInterface: "host0" };
  const cp = ["master", "etcd", "lb"];
  const shapes: [string, TopologyHost[], Record<string, string>][] = [
    ["seed 000", ["m1", "m2", "m3"].map((name, i) => ({ name, roles: ["master", "lb"], vrrpPriority: 101 - i })), { etcdTopology: "stacked", ...vip }],
    [
      "seed 001",
      [...["m1", "m2", "m3"].map((name) => ({ name, roles: ["master", "etcd"] })), { name: "lb1", roles: ["lb"], vrrpPriority: 100 }, { name: "lb2", roles: ["lb"], vrrpPriority: 90 }],
      { etcdTopology: "external", ...vip },
    ],
    ["seed 002", ["m1", "m2", "m3"].map((name) => ({ name, roles: ["master"] })), { etcdTopology: "stacked", apiEndpoint: "local" }],
    ["seed 003's shape", ["m1", "m2", "m3"].map((name, i) => ({ name, roles: cp, vrrpPriority: 150 - 10 * i })), { etcdTopology: "external", ...vip }],
    [
      "m1 replaced by m4 on lb2's address",
      [
        { name: "m2", roles: cp, vrrpPriority: 140 },
        { name: "m3", roles: cp, vrrpPriority: 130 },
        { name: "m4", on: "lb2", roles: cp, vrrpPriority: 120 },
      ],
      { etcdTopology: "external", ...vip },
    ],
  ];
  test.each(shapes)("%s validates", (_name, hosts, settings) => {
    const text = topologyConfig([...hosts, { name: "w1", roles: ["worker"] }], settings, `/cache/artifacts/k8s-${VERSIONS.kubernetes}`);
    expect(problemsOf(readRawConfig(cliConfig(text)), everyFile)).toEqual([]);
  });
});
