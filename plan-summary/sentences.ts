// What an update does to one host in one stage, in sentences a reviewer reads: first what the
// host becomes ("join the control plane", "leave the cluster (drain, reset)"), then each change
// to a host that stays ("keepalived config changed: `priority 100` -> `priority 102`").
import { Change } from "./preview";
import { Identity, StageId } from "./resources";
import { fileDiff, scriptInputsChanged } from "./diffs";

export interface PlannedChange extends Change {
  readonly id: Identity;
}

const CREATES = new Set(["create", "create-replacement"]);
const DELETES = new Set(["delete", "delete-replaced", "discard"]);

/** What the host becomes in this stage, when its membership changes. */
function headline(stage: StageId, created: Set<string>, deleted: Set<string>, fresh: boolean, pool: string): string | undefined {
  switch (stage) {
    case "etcd":
      if (created.has("start")) return fresh ? "start an etcd member" : "join etcd as a new member";
      if (deleted.has("start")) return "leave etcd (member removed, data wiped)";
      return undefined;
    case "loadBalancer": {
      const services = ["nginx-apply", "keepalived-apply"].filter((s) => created.has(s) || deleted.has(s)).map((s) => s.replace("-apply", ""));
      if (services.length === 0) return undefined;
      return `${services.some((s) => created.has(`${s}-apply`)) ? "start" : "stop"} ${services.join(" and ")}`;
    }
    case "controlPlane":
      if (created.has("kubeadm-init")) return "initialise the cluster (kubeadm init)";
      if (created.has("kubeadm-join")) return "join the control plane";
      if (deleted.has("kubeadm-init") || deleted.has("kubeadm-join")) return "leave the control plane (drain, reset)";
      return undefined;
    case "workers":
      if (created.has("kubeadm-join")) return `join the cluster as a worker (pool ${pool})`;
      if (deleted.has("kubeadm-join")) return "leave the cluster (drain, reset)";
      return undefined;
    case "hosts":
      if (created.has("reachable")) return created.has("host-key") ? "trust its SSH host key on first use, check that SSH answers" : "check that SSH answers";
      if (created.has("host-key")) return "trust its SSH host key on first use";
      if (deleted.has("cleanup")) return "remove kubeha's files and keys from it, last";
      return undefined;
    default:
      return undefined;
  }
}

/** One change of a host that stays, in words. */
function changeSentence(change: PlannedChange, hostIsNew: boolean, hostLeaves: boolean): string | undefined {
  const { step } = change.id;
  if (CREATES.has(change.op)) return hostIsNew ? undefined : `new step: ${step.what}`;
  if (DELETES.has(change.op)) return hostLeaves ? undefined : `${step.what} removed`;
  if (change.op === "replace") return `${step.what} replaced${change.replaceReasons.length > 0 ? ` (${change.replaceReasons.join(", ")} changed)` : ""}`;
  if (change.op !== "update") return `${step.what}: ${change.op}`;
  if (step.kind === "file") {
    const diff = fileDiff(change.oldInputs?.stdin, change.newInputs?.stdin);
    return `${step.what} changed${diff ? `: ${diff}` : ""}`;
  }
  if (step.kind === "script") {
    const inputs = scriptInputsChanged(change.oldInputs?.stdin, change.newInputs?.stdin);
    return `runs again: ${step.what}${inputs ? ` (${inputs})` : ""}`;
  }
  return `${step.what} changed`;
}

/** The sentences for one host's changes in one stage, in plan order. */
export function hostSentences(stage: StageId, changes: readonly PlannedChange[], fresh: boolean): string[] {
  const created = new Set(changes.filter((c) => CREATES.has(c.op)).map((c) => c.id.step.suffix));
  const deleted = new Set(changes.filter((c) => DELETES.has(c.op)).map((c) => c.id.step.suffix));
  const hostIsNew = changes.every((c) => CREATES.has(c.op));
  const hostLeaves = changes.every((c) => DELETES.has(c.op));
  const pool = changes[0]?.id.component.replace(/^.*?-pool-/, "") ?? "";
  const sentences: string[] = [];
  const first = headline(stage, created, deleted, fresh, pool);
  if (first) sentences.push(first);
  else if (hostIsNew) sentences.push("set up");
  else if (hostLeaves) sentences.push("clean up");
  if ((hostIsNew || hostLeaves) && changes.length > 1) sentences[0] += `, ${changes.length} ${hostIsNew ? "new" : "removed"} step${changes.length === 1 ? "" : "s"}`;
  for (const change of changes) {
    const sentence = changeSentence(change, hostIsNew, hostLeaves);
    if (sentence && !sentences.includes(sentence)) sentences.push(sentence);
  }
  return sentences;
}

/** Cluster-wide changes of a stage (certificates, tokens, add-on objects, gates), counted by op and kind. */
export function clusterSentences(changes: readonly PlannedChange[]): string[] {
  const sentences: string[] = [];
  const counted = new Map<string, number>();
  for (const change of changes) {
    if (change.op === "create" || change.op === "delete") {
      const kind = change.id.step.kind === "script" || change.id.step.kind === "check" ? change.id.step.what : change.id.step.what.replace(/ \S+$/, "");
      const key = `${change.op === "create" ? "create" : "delete"}: ${kind}`;
      counted.set(key, (counted.get(key) ?? 0) + 1);
    } else {
      sentences.push(changeSentence(change, false, false) ?? change.id.step.what);
    }
  }
  // Sorted: the engine plans independent resources in no fixed order, and a summary should not churn.
  const counts = [...counted].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, n]) => (n > 1 ? `${key} (${n})` : key));
  return [...counts, ...sentences];
}
