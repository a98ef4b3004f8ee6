// Typed readers for raw config fields: each returns the value or the default, and records a
// problem (never throws) when the type or enumeration is wrong.
import { Problems } from "./errors";

export function stringField(raw: Record<string, unknown>, key: string, fallback: string, problems: Problems): string {
  const value = raw[key];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "string") {
    problems.add(key, `expected a string, got ${JSON.stringify(value)}`, `set it with \`pulumi config set kubeha:${key} VALUE\``);
    return fallback;
  }
  return value.trim();
}

export function integerField(raw: Record<string, unknown>, key: string, fallback: number, range: [number, number], problems: Problems): number {
  const value = raw[key];
  if (value === undefined || value === null || value === "") return fallback;
  const n = typeof value === "string" ? Number(value) : value;
  if (typeof n !== "number" || !Number.isInteger(n) || n < range[0] || n > range[1]) {
    problems.add(key, `expected an integer from ${range[0]} to ${range[1]}, got ${JSON.stringify(value)}`, `set an integer in that range`);
    return fallback;
  }
  return n;
}

export function enumField<T extends string>(raw: Record<string, unknown>, key: string, allowed: readonly T[], fallback: T, problems: Problems): T {
  const value = stringField(raw, key, fallback, problems);
  if ((allowed as readonly string[]).includes(value)) return value as T;
  problems.add(key, `"${value}" is not one of ${allowed.join(", ")}`, `use one of ${allowed.join(", ")}`);
  return fallback;
}

export function booleanField(raw: Record<string, unknown>, key: string, fallback: boolean, problems: Problems): boolean {
  const value = raw[key];
  if (value === undefined || value === null || value === "") return fallback;
  if (value === true || value === "true") return true;
  if (value === false || value === "false") return false;
  problems.add(key, `expected true or false, got ${JSON.stringify(value)}`, `set it with \`pulumi config set kubeha:${key} true\` (or false)`);
  return fallback;
}

export function stringListField(raw: Record<string, unknown>, key: string, problems: Problems): string[] {
  const value = raw[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
    problems.add(key, `expected a list of strings, got ${JSON.stringify(value)}`, `write it as a YAML list of strings`);
    return [];
  }
  return value as string[];
}

/** A scalar config value as text, for checking and for messages: a list or mapping shows as its JSON. */
export function textOf(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return `${value}`;
  return JSON.stringify(value);
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The value of a key that takes a name or a mapping (kubeha:leaderElection, kubeha:etcdSnapshots):
 * FALLBACK when unset, a stack file's mapping parsed from its JSON text (the key's default is a
 * string, so the CLI passes it as text). Text that is no JSON stays text, for the caller to refuse.
 */
export function nameOrMapping(raw: Record<string, unknown>, key: string, fallback: string): unknown {
  const value = raw[key];
  if (value === undefined || value === null || value === "") return fallback;
  if (typeof value === "string" && value.trim().startsWith("{")) {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return value;
    }
  }
  return value;
}
