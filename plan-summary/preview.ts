// The part of `pulumi preview --json` (the CLI's PreviewDigest) the plan summary reads, and the
// changes it plans. Secrets arrive blinded as "[secret]"; the summary never prints an input value
// except the changed lines of a plain file (see fileDiff), so nothing secret can reach it.

export interface ResourceState {
  readonly urn: string;
  readonly type: string;
  readonly parent?: string;
  readonly inputs?: Record<string, unknown>;
}

export interface PreviewStep {
  readonly op: string;
  readonly urn: string;
  readonly oldState?: ResourceState;
  readonly newState?: ResourceState;
  readonly diffReasons?: readonly string[];
  readonly replaceReasons?: readonly string[];
}

export interface PreviewDiagnostic {
  readonly urn?: string;
  readonly message?: string;
  readonly severity?: string;
}

export interface PreviewDigest {
  readonly config?: Record<string, string>;
  readonly steps?: readonly PreviewStep[];
  readonly diagnostics?: readonly PreviewDiagnostic[];
  readonly changeSummary?: Record<string, number>;
}

/** Operations that change nothing: a resource kept as it is, or the stack's read of its own outputs. */
const NO_CHANGE = new Set(["same", "read"]);

/** One planned change to one resource. */
export interface Change {
  readonly op: string;
  readonly type: string;
  readonly name: string;
  /** The parent component's type and name ("" at the stack's root). */
  readonly parentType: string;
  readonly parentName: string;
  readonly oldInputs?: Record<string, unknown>;
  readonly newInputs?: Record<string, unknown>;
  readonly diffReasons: readonly string[];
  readonly replaceReasons: readonly string[];
}

/** A URN's resource name and type: urn:pulumi:STACK::PROJECT::PARENT$TYPE::NAME. */
export function parseUrn(urn: string): { type: string; name: string } {
  const parts = urn.split("::");
  if (parts.length < 4) throw new Error(`not a Pulumi URN: ${urn}`);
  return { type: parts[2].split("$").pop()!, name: parts.slice(3).join("::") };
}

/** The changes of a preview, in the order the engine planned them. */
export function changesOf(digest: PreviewDigest): Change[] {
  return (digest.steps ?? [])
    .filter((step) => !NO_CHANGE.has(step.op))
    .map((step) => {
      const { type, name } = parseUrn(step.urn);
      const parentUrn = step.newState?.parent ?? step.oldState?.parent;
      const parent = parentUrn ? parseUrn(parentUrn) : undefined;
      // The root stack is no component: its children are the stack's own resources.
      const underComponent = parent && parent.type !== "pulumi:pulumi:Stack";
      return {
        op: step.op,
        type,
        name,
        parentType: underComponent ? parent.type : "",
        parentName: underComponent ? parent.name : "",
        oldInputs: step.oldState?.inputs,
        newInputs: step.newState?.inputs,
        diffReasons: step.diffReasons ?? [],
        replaceReasons: step.replaceReasons ?? [],
      };
    });
}

/** How many resources the preview keeps unchanged. */
export function unchangedCount(digest: PreviewDigest): number {
  return digest.changeSummary?.same ?? 0;
}

/** The configured hosts' names, in config order (the preview's config map holds kubeha:hosts as JSON). */
export function configuredHosts(digest: PreviewDigest): string[] {
  try {
    const hosts = JSON.parse(digest.config?.["kubeha:hosts"] ?? "[]") as { name?: unknown }[];
    return hosts.map((h) => h.name).filter((n): n is string => typeof n === "string");
  } catch (_err) {
    return [];
  }
}

/** Whether etcd is kubeadm's (stacked, the default): then its health gate runs after the control plane joins. */
export function stackedEtcd(digest: PreviewDigest): boolean {
  return (digest.config?.["kubeha:etcdTopology"] ?? "stacked") === "stacked";
}
