// A master's kube-apiserver boot gate: a unit that, whenever the host boots, keeps the apiserver
// out of every load balancer's rotation until it answers ready (templates/controlPlane/kubeadm/
// apiserver-gate.sh says why). Put in place with the master's files, before kubeadm runs there.
import * as pulumi from "@pulumi/pulumi";
import { remote } from "@pulumi/command";
import { Host } from "../../../config/types";
import { PATHS, UNITS } from "../../../plan/paths";
import { ReadyTarget } from "../../host/hostInventory";
import { putFile } from "../../host/remote";
import { renderFile, renderScript } from "../../host/script";
import { APISERVER_DRAIN, runStep, STEPS } from "../../host/steps";

/**
 * How long a booting apiserver may stay out of rotation: kubeadm's own wait for a control-plane
 * component is 4 min; a loaded host pulling nothing (images are local) is ready well within 10.
 * After that it is let in anyway, and the unit shows as failed.
 */
export const GATE_WAIT_SECONDS = 600;

/** The template of the gate's program: a program on the host, not a step script. */
export const GATE_PROGRAM_TEMPLATE = "controlPlane/kubeadm/apiserver-gate.sh";

/** The gate's program on MASTER (the shell library and the drain library included). */
function apiserverGateProgram(master: Host): string {
  return renderScript(GATE_PROGRAM_TEMPLATE, { apiserverAddress: master.address, waitSeconds: GATE_WAIT_SECONDS }, undefined, APISERVER_DRAIN);
}

/** Removes the gate from a host that stops being a master (its step deleted). */
function removeGateCommand(target: ReadyTarget): string {
  const unit = UNITS.apiserverGate;
  return `${target.sudo}sh -c 'systemctl disable --now ${unit} 2>/dev/null; rm -f ${PATHS.apiserverGateUnit} ${PATHS.apiserverGateScript} && systemctl daemon-reload && echo "[kubeha] ${unit} removed"'`;
}

/** The gate's program, unit and enablement on MASTER, after `after` (its node setup). */
export function gateApiserver(prefix: string, master: Host, target: ReadyTarget, after: pulumi.Resource[], opts: { parent: pulumi.Resource }): remote.Command {
  const program = apiserverGateProgram(master);
  const unit = renderFile("controlPlane/kubeadm/kubeha-apiserver-gate.service");
  const files = [
    putFile(`${prefix}-apiserver-gate-program`, target, { path: PATHS.apiserverGateScript, content: program, mode: "0755" }, { ...opts, dependsOn: after }),
    putFile(`${prefix}-apiserver-gate-unit`, target, { path: PATHS.apiserverGateUnit, content: unit, mode: "0644" }, { ...opts, dependsOn: after }),
  ];
  return runStep(prefix, target, STEPS.apiserverGate, { inputs: { program, unit }, deleteCommand: removeGateCommand(target) }, { ...opts, dependsOn: files });
}
