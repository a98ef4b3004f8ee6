// The lab's constants have one home, scripts/lab/constants.env: the lab scripts (bash, through
// scripts/lab/common.sh) and the test fixtures (tests/fixtures/lab.ts, topologyLab.ts) must read
// the same values from it. Checked by asking the real lab scripts, without starting a lab.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { LAB_ADDRESSES, LAB_BRIDGE, LAB_CONSTANTS, LAB_NET, labAddresses, labConstant, LB_PORT, VIP } from "../fixtures/lab";
import { REPO } from "../fixtures/pulumiCli";
import { T_HOSTS, T_NET, T_STACK, T_VIP } from "../fixtures/topologyLab";
import { declaredConfig } from "../fixtures/projectConfig";

const REPO_LAB_COMMON = path.join(REPO, "scripts/lab/common.sh");

interface LabView {
  vip: string;
  bridge: string;
  bridgeAddr: string;
  gateway: string;
  hosts: Record<string, string>;
}

/** What scripts/lab/common.sh makes of the environment: VIP, bridge, addresses (lab_hosts). */
function labScripts(env: Record<string, string>): LabView {
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), "kubeha-lab-constants-"));
  try {
    const script = `. ${JSON.stringify(REPO_LAB_COMMON)}; echo "$LAB_VIP $LAB_BRIDGE $LAB_BRIDGE_ADDR $LAB_GATEWAY"; lab_hosts`;
    const result = spawnSync("bash", ["-c", script], { encoding: "utf8", env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: cache, KUBEHA_CACHE: cache, ...env } });
    if (result.status !== 0) throw new Error(`sourcing scripts/lab/common.sh failed (${result.status}):\n${result.stdout}${result.stderr}`);
    const [head, ...lines] = result.stdout.trim().split("\n");
    const [vip, bridge, bridgeAddr, gateway] = head.split(" ");
    return { vip, bridge, bridgeAddr, gateway, hosts: Object.fromEntries(lines.map((l) => l.split(" ").slice(0, 2))) };
  } finally {
    fs.rmSync(cache, { recursive: true, force: true });
  }
}

test("constants.env is plain NAME=value lines with every constant the fixtures use", () => {
  for (const name of ["LAB_MAIN_NET", "LAB_MAIN_BRIDGE", "LAB_BRIDGE_PREFIX", "LAB_VIP_HOST", "LAB_LB_PORT", "LAB_TOPOLOGY_ID", "LAB_TOPOLOGY_NET", "LAB_GROWTH_ID", "LAB_GROWTH_NET"]) {
    expect(LAB_CONSTANTS[name]).toMatch(/^\S+$/);
  }
  expect(LAB_NET).toMatch(/^10\.\d{1,3}\.\d{1,3}$/);
});

test("the main lab: the scripts and the fixtures agree on VIP, bridge and host addresses", () => {
  const colocated = labScripts({ KUBEHA_LAB_LB: "colocated", KUBEHA_LAB_WORKERS: "2" });
  const dedicated = labScripts({ KUBEHA_LAB_LB: "dedicated", KUBEHA_LAB_WORKERS: "2" });
  expect(colocated.vip).toBe(VIP);
  expect(colocated.bridge).toBe(LAB_BRIDGE);
  expect(colocated.bridgeAddr).toBe(`${LAB_NET}.${labConstant("LAB_BRIDGE_HOST")}`);
  expect(colocated.gateway).toBe(`${LAB_NET}.${labConstant("LAB_GATEWAY_HOST")}`);
  expect({ ...colocated.hosts, ...dedicated.hosts }).toEqual(LAB_ADDRESSES);
});

test("the topology tests' second lab: the scripts and topologyLab.ts agree", () => {
  const view = labScripts({ KUBEHA_LAB_ID: labConstant("LAB_TOPOLOGY_ID"), KUBEHA_LAB_NET: T_NET, KUBEHA_LAB_LB: "dedicated", KUBEHA_LAB_WORKERS: "1" });
  expect(view.vip).toBe(T_VIP);
  expect(view.bridge).toBe(`${labConstant("LAB_BRIDGE_PREFIX")}${labConstant("LAB_TOPOLOGY_ID")}`);
  expect(view.hosts).toEqual(T_HOSTS);
  expect(T_STACK).toBe(`lab-${labConstant("LAB_TOPOLOGY_ID")}`);
  expect(labAddresses(T_NET, 1)).toEqual(T_HOSTS);
});

test("the lab's API port is kubeha:lbPort's default, which the lab stack keeps", () => {
  const lbPort = declaredConfig().find((k) => k.key === "lbPort");
  expect(lbPort?.defaultText).toBe(String(LB_PORT));
  // The lab stack config (scripts/lab/config.sh) does not set kubeha:lbPort.
  expect(fs.readFileSync(path.join(path.dirname(REPO_LAB_COMMON), "config.sh"), "utf8")).not.toMatch(/kubeha:lbPort/);
});
