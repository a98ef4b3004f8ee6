// What changed inside a file or a script, for the summary's sentences. Only plain text can be
// compared: a secret input arrives as "[secret]" and a value computed during the update arrives
// as Pulumi's unknown placeholder; both give no detail, so a secret never reaches the summary.

/** The engine's placeholder for a value not known until the update runs. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const SECRET = "[secret]";

/** The text of an input when it is known, plain and printable. */
function plainText(value: unknown): string | undefined {
  if (typeof value !== "string" || value.includes(SECRET) || value.includes(UNKNOWN)) return undefined;
  return value;
}

const MAX_LINES = 3;
const MAX_LINE = 100;

function quote(line: string): string {
  const trimmed = line.trim();
  return `\`${trimmed.length > MAX_LINE ? `${trimmed.slice(0, MAX_LINE)}...` : trimmed}\``;
}

/** The changed lines of a plain file, as "`old` -> `new`" pairs (at most three), or undefined. */
export function fileDiff(before: unknown, after: unknown): string | undefined {
  const old = plainText(before)?.split("\n");
  const next = plainText(after)?.split("\n");
  if (!old || !next) return undefined;
  const removed = old.filter((line) => !next.includes(line) && line.trim() !== "");
  const added = next.filter((line) => !old.includes(line) && line.trim() !== "");
  if (removed.length + added.length === 0) return undefined;
  const pairs: string[] = [];
  for (let i = 0; i < Math.max(removed.length, added.length); i++) {
    const from = removed[i] === undefined ? "(none)" : quote(removed[i]);
    const to = added[i] === undefined ? "(removed)" : quote(added[i]);
    pairs.push(`${from} -> ${to}`);
  }
  const more = pairs.length > MAX_LINES ? `, and ${pairs.length - MAX_LINES} more line${pairs.length - MAX_LINES === 1 ? "" : "s"}` : "";
  return pairs.slice(0, MAX_LINES).join(", ") + more;
}

/** The input names of a script's "# kubeha inputs: name=hash ..." line (components/host/remote.ts withInputHashes). */
function inputHashes(script: string): Map<string, string> {
  const line = script.split("\n").find((l) => l.startsWith("# kubeha inputs: "));
  const pairs = (line ?? "").slice("# kubeha inputs: ".length).split(" ").filter(Boolean);
  return new Map(pairs.map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)]));
}

/** Why a script runs again: the inputs whose hash changed, or that its text changed. */
export function scriptInputsChanged(before: unknown, after: unknown): string | undefined {
  const old = plainText(before);
  const next = plainText(after);
  if (old === undefined || next === undefined) return undefined;
  const oldHashes = inputHashes(old);
  const newHashes = inputHashes(next);
  const names = [...new Set([...oldHashes.keys(), ...newHashes.keys()])].filter((n) => oldHashes.get(n) !== newHashes.get(n)).sort();
  const withoutHashes = (s: string) => s.replace(/^# kubeha inputs: .*$/m, "");
  const reasons = names.length > 0 ? [`${names.join(", ")} changed`] : [];
  if (withoutHashes(old) !== withoutHashes(next)) reasons.push("its script changed");
  return reasons.length > 0 ? reasons.join("; ") : undefined;
}
