// The apiserver boot gate (components/controlPlane/kubeadm/apiserverGate.ts) under Pulumi mocks:
// seed 001's two masters get it, nothing else does, and it is in place before kubeadm runs there.
import { PATHS, UNITS } from "../../plan/paths";
import { STEPS } from "../../components/host/steps";
import { runProgram, ProgramRun } from "../fixtures/mockProgram";
import { seed001 } from "../fixtures/topologies";

const MASTERS = { master1: "192.168.109.134", master2: "192.168.109.135" };

let run: ProgramRun;
beforeAll(async () => {
  run = await runProgram(seed001);
});

const filesAt = (path: string) => run.files().filter((f) => f.path === path);

test("each master, and only the masters, get the gate's program, unit and enabling step", () => {
  expect(
    filesAt(PATHS.apiserverGateScript)
      .map((f) => f.host)
      .sort(),
  ).toEqual(Object.values(MASTERS));
  expect(
    filesAt(PATHS.apiserverGateUnit)
      .map((f) => f.host)
      .sort(),
  ).toEqual(Object.values(MASTERS));
  const steps = run.scripts().filter((s) => s.name.endsWith(`-${STEPS.apiserverGate.suffix}`));
  expect(steps.map((s) => s.name).sort()).toEqual(["kubeha-cp-master1-apiserver-gate", "kubeha-cp-master2-apiserver-gate"]);
});

test("the program drains its own master's address and is executable; the unit runs it before the kubelet", () => {
  for (const [name, address] of Object.entries(MASTERS)) {
    const program = filesAt(PATHS.apiserverGateScript).find((f) => f.host === address)!;
    expect(program.content).toContain(`APISERVER_ADDRESS="${address}"`);
    expect(program.resource.inputs.create).toContain(`chmod 0755 ${PATHS.apiserverGateScript}.kubeha-tmp`);
    expect(program.name).toBe(`kubeha-cp-${name}-apiserver-gate-program`);
  }
  const unit = filesAt(PATHS.apiserverGateUnit)[0].content;
  expect(unit).toContain(`Before=${UNITS.kubelet}\n`);
  expect(unit).toContain(`ExecStartPre=${PATHS.apiserverGateScript} drain\nExecStart=${PATHS.apiserverGateScript} wait\nExecStopPost=${PATHS.apiserverGateScript} undrain\n`);
});

test("the gate is enabled after its files are written and before kubeadm init or join runs on that master", () => {
  for (const name of Object.keys(MASTERS)) {
    const gate = `kubeha-cp-${name}-apiserver-gate`;
    expect(run.waitsFor(gate, `${gate}-program`)).toBe(true);
    expect(run.waitsFor(gate, `${gate}-unit`)).toBe(true);
  }
  expect(run.waitsFor("kubeha-cp-master1-kubeadm-init", "kubeha-cp-master1-apiserver-gate")).toBe(true);
  expect(run.waitsFor("kubeha-cp-master2-kubeadm-join", "kubeha-cp-master2-apiserver-gate")).toBe(true);
});

test("the enabling step re-runs when the program changes, and its deletion (the host stops being a master) disables and removes the gate", () => {
  const step = run.named("kubeha-cp-master1-apiserver-gate");
  expect(step.inputs.stdin).toMatch(/^# kubeha inputs: program=[0-9a-f]{16} unit=[0-9a-f]{16}$/m);
  expect(step.inputs.delete).toContain(`systemctl disable --now ${UNITS.apiserverGate}`);
  expect(step.inputs.delete).toContain(`rm -f ${PATHS.apiserverGateUnit} ${PATHS.apiserverGateScript}`);
});

test("the host's cleanup removes the gate's files and its enablement", () => {
  for (const name of Object.keys(MASTERS)) {
    const cleanup = run.named(`kubeha-hosts-${name}-cleanup`).inputs.delete as string;
    for (const path of [PATHS.kubehaProgramDir, PATHS.apiserverGateUnit, PATHS.apiserverGateWants]) expect(cleanup).toContain(` ${path}`);
  }
});
