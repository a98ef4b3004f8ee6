// The review-ready Markdown summary of a preview, and the exit code a CI job gates on:
//   0 no change, 2 changes, 3 refused by kubeha, 1 the preview itself failed (a tool failure).
import { changesOf, configuredHosts, PreviewDigest, stackedEtcd, unchangedCount } from "./preview";
import { identify, STAGE_ORDER, STAGE_TITLES, StageId } from "./resources";
import { clusterSentences, hostSentences, PlannedChange } from "./sentences";
import { Notices, noticesOf } from "./notices";

export const EXIT = { noChange: 0, failed: 1, changes: 2, refused: 3 } as const;

export interface SummaryInput {
  readonly stack: string;
  readonly digest: PreviewDigest;
  /** The exit status of `pulumi preview`. */
  readonly status: number;
  /** Where the preview's JSON was written, for the footer. */
  readonly jsonPath?: string;
}

export interface Summary {
  readonly markdown: string;
  readonly exitCode: number;
}

/** Resources that do nothing themselves: the stack, kubeha's components (their children say what happens), new default providers. */
function isNoise(change: PlannedChange): boolean {
  if (change.type === "pulumi:pulumi:Stack" || change.type.startsWith("kubeha:index:")) return true;
  return change.id.stage === "stack" && change.type.startsWith("pulumi:providers:") && change.op === "create";
}

function counts(changes: readonly PlannedChange[], unchanged: number): string {
  const n = (ops: string[]) => changes.filter((c) => ops.includes(c.op)).length;
  return `**${n(["create"])} to create, ${n(["update"])} to update, ${n(["replace", "create-replacement"])} to replace, ${n(["delete"])} to delete** (${unchanged} unchanged)`;
}

function noticeLines(notices: Notices): string[] {
  const out: string[] = [];
  if (notices.refusals.length > 0) {
    out.push("> **Refused by kubeha.** This update would not run: nothing changes on any host until the config is fixed.", ">");
    out.push(...notices.refusals.map((l) => `> - ${l}`), "");
  }
  if (notices.failures.length > 0) out.push("> **The preview failed** (not a refusal by kubeha):", ">", ...notices.failures.map((l) => `> - ${l}`), "");
  if (notices.warnings.length > 0) out.push("**Warnings**", "", ...notices.warnings.map((l) => `- ${l}`), "");
  return out;
}

/** The stages in the order the update runs them (index.ts); stacked etcd's health gate runs once the masters have joined. */
export function stagesInOrder(stacked: boolean): StageId[] {
  if (!stacked) return [...STAGE_ORDER];
  const order: StageId[] = STAGE_ORDER.filter((s) => s !== "etcd");
  order.splice(order.indexOf("controlPlane") + 1, 0, "etcd");
  return order;
}

/** Hosts in config order, then any that left the config in the order the plan touches them. */
function hostsInOrder(changes: readonly PlannedChange[], configured: readonly string[]): string[] {
  const touched = [...new Set(changes.filter((c) => c.id.host).map((c) => c.id.host!))];
  return [...configured.filter((h) => touched.includes(h)), ...touched.filter((h) => !configured.includes(h))];
}

/** The stages' sections: hosts in the order the plan first touches them, cluster-wide changes last. */
function stageLines(changes: readonly PlannedChange[], fresh: boolean, digest: PreviewDigest): string[] {
  const out: string[] = [];
  let number = 0;
  for (const stage of stagesInOrder(stackedEtcd(digest))) {
    const inStage = changes.filter((c) => c.id.stage === stage && !isNoise(c));
    if (inStage.length === 0) continue;
    out.push(`#### ${++number}. ${STAGE_TITLES[stage]}`, "");
    for (const host of hostsInOrder(inStage, configuredHosts(digest))) {
      const [first, ...more] = hostSentences(
        stage,
        inStage.filter((c) => c.id.host === host),
        fresh,
      );
      out.push(`- **${host}**: ${first}`, ...more.map((s) => `  - ${s}`));
    }
    const cluster = clusterSentences(inStage.filter((c) => !c.id.host));
    if (cluster.length > 0) out.push(`- **${clusterLabel(stage)}**: ${cluster[0]}`, ...cluster.slice(1).map((s) => `  - ${s}`));
    out.push("");
  }
  return out;
}

function clusterLabel(stage: StageId): string {
  return stage === "stack" ? "stack" : "cluster-wide";
}

export function summarise(input: SummaryInput): Summary {
  const changes: PlannedChange[] = changesOf(input.digest).map((c) => ({ ...c, id: identify(c.name, c.type, c.parentType, c.parentName) }));
  const notices = noticesOf(input.digest, input.status, changes);
  const unchanged = unchangedCount(input.digest);
  const fresh = unchanged === 0 && changes.every((c) => c.op === "create");
  const exitCode = notices.refusals.length > 0 ? EXIT.refused : notices.failures.length > 0 ? EXIT.failed : changes.some((c) => !isNoise(c)) ? EXIT.changes : EXIT.noChange;

  const out = [`### kubeha plan: stack \`${input.stack}\``, "", ...noticeLines(notices)];
  if (exitCode === EXIT.noChange) out.push("**No changes.** The hosts already match the config.", "");
  if (exitCode === EXIT.changes) out.push(counts(changes, unchanged), "", ...stageLines(changes, fresh, input.digest));
  const meaning = { [EXIT.noChange]: "no change", [EXIT.failed]: "preview failed", [EXIT.changes]: "changes", [EXIT.refused]: "refused" }[exitCode];
  out.push(`<sub>\`pulumi preview\` of \`${input.stack}\`${input.jsonPath ? `, JSON in \`${input.jsonPath}\`` : ""}; exit code ${exitCode} (${meaning}). Secrets are never shown.</sub>`);
  return { markdown: out.join("\n") + "\n", exitCode };
}
