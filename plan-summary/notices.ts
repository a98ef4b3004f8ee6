// What the summary puts at the top: kubeha's refusals (its validation and membership checks fail
// the preview with a message starting "kubeha:", config/errors.ts), the engine's other errors
// (a tool failure, not a refusal), and warnings: the preview's own, hosts leaving, certificates
// renewed because they are near expiry.
import { PreviewDigest } from "./preview";
import { PlannedChange } from "./sentences";

export interface Notices {
  /** kubeha's refusal, one line per problem (empty: not refused). */
  readonly refusals: readonly string[];
  /** Errors that are not kubeha's: the preview itself failed. */
  readonly failures: readonly string[];
  readonly warnings: readonly string[];
}

/** kubeha's messages start "kubeha: " (after the engine's "error: "), one "  - " line per problem. */
const KUBEHA_MESSAGE = /^(?:error: )?(kubeha: .*(?:\n {2}- .*)*)/m;

function lines(message: string): string[] {
  return message
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
}

function diagnostics(digest: PreviewDigest, severity: string): string[] {
  return (digest.diagnostics ?? []).filter((d) => d.severity === severity && d.message).map((d) => d.message!);
}

/** The refusals, failures and warnings of a preview (status: the CLI's exit status). */
export function noticesOf(digest: PreviewDigest, status: number, changes: readonly PlannedChange[]): Notices {
  const errors = diagnostics(digest, "error");
  const refusals = errors.flatMap((message) => {
    const kubeha = KUBEHA_MESSAGE.exec(message);
    return kubeha ? lines(kubeha[1]).map((l) => l.replace(/^- /, "")) : [];
  });
  const failures = refusals.length > 0 ? [] : errors.flatMap(lines).filter((l) => !/^at |^\s*$/.test(l));
  if (status !== 0 && refusals.length === 0 && failures.length === 0) failures.push(`pulumi preview exited with status ${status} and reported no error`);
  return { refusals: [...new Set(refusals)], failures: [...new Set(failures)].slice(0, 20), warnings: [...diagnostics(digest, "warning").flatMap(lines), ...changeWarnings(changes)] };
}

/** Warnings read from the plan itself: hosts leaving a role, certificates renewed near expiry. */
function changeWarnings(changes: readonly PlannedChange[]): string[] {
  const warnings: string[] = [];
  const deletes = (suffixes: string[], stage: string) => [
    ...new Set(changes.filter((c) => c.op === "delete" && c.id.host && c.id.stage === stage && suffixes.includes(c.id.step.suffix)).map((c) => c.id.host!)),
  ];
  for (const host of deletes(["start"], "etcd")) warnings.push(`${host} leaves etcd: its member is removed and its data wiped`);
  for (const host of deletes(["kubeadm-init", "kubeadm-join"], "controlPlane")) warnings.push(`${host} leaves the control plane: its node is drained and deleted, the host reset (kubeadm reset)`);
  for (const host of deletes(["kubeadm-join"], "workers")) warnings.push(`${host} leaves the cluster: its node is drained and deleted, the host reset (kubeadm reset)`);
  for (const host of deletes(["nginx-apply", "keepalived-apply"], "loadBalancer")) warnings.push(`${host} stops serving the API endpoint (nginx and keepalived stopped)`);
  for (const change of changes) {
    if (change.type.startsWith("tls:") && change.replaceReasons.includes("readyForRenewal")) warnings.push(`${change.id.step.what} is near expiry: this update renews it`);
  }
  return warnings;
}
