// Strict config: the known kubeha:* keys and object fields, and the check that refuses any other
// (a misspelt `hostkey:` would otherwise be ignored, and with it the safety it was meant to set).
import { DEFAULTS } from "./defaults";
import { Problems } from "./errors";
import { closestName } from "./suggest";

/** Keys whose value is a list of objects: no scalar default in DEFAULTS. */
const STRUCTURED_KEYS = ["hosts", "workerPools"] as const;

/** Every kubeha:* key: DEFAULTS' and the structured ones (tests/unit/known-keys.test.ts checks them against Pulumi.yaml). */
export const CONFIG_KEYS: readonly string[] = [...Object.keys(DEFAULTS), ...STRUCTURED_KEYS];

/** Adds a problem for each key of `value` that `known` lacks, at `path(key)`, with the closest known name. */
export function checkKnownFields(value: Record<string, unknown>, known: readonly string[], path: (key: string) => string, problems: Problems): void {
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    const closest = closestName(key, known);
    if (closest) problems.add(path(key), `unknown field ${JSON.stringify(key)} (did you mean ${closest}?)`, `rename it to ${closest}`);
    else problems.add(path(key), `unknown field ${JSON.stringify(key)}`, `remove it; the known fields are ${known.join(", ")}`);
  }
}

/** The unknown kubeha:* keys of the stack config. */
export function checkKnownKeys(raw: Record<string, unknown>, problems: Problems): void {
  for (const key of Object.keys(raw)) {
    if (CONFIG_KEYS.includes(key)) continue;
    const closest = closestName(key, CONFIG_KEYS);
    const remove = `\`pulumi config rm kubeha:${key}\``;
    if (closest) problems.add(key, `unknown config key (did you mean kubeha:${closest}?)`, `${remove}, then set kubeha:${closest}`);
    else problems.add(key, "unknown config key", `${remove}; Pulumi.yaml's config section lists the known keys`);
  }
}
