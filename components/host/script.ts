// Step scripts: a template rendered with the on-host paths and ports of plan/paths.ts, with the
// shared shell library (templates/host/lib.sh: pipefail, info/fatal/wait_until, the etcdctl
// wrapper) inserted after the script's header comment, so each script still travels alone.
import { PATHS, PORTS, UNITS, USERS } from "../../plan/paths";
import { renderTemplate } from "./render";

/** What every template sees besides its own view. Tests render with other paths (a scratch root). */
export interface CommonView {
  readonly paths: Record<keyof typeof PATHS, string>;
  readonly ports: Record<keyof typeof PORTS, number>;
  readonly units: Record<keyof typeof UNITS, string>;
  readonly users: Record<keyof typeof USERS, string>;
}

export const COMMON_VIEW: CommonView = { paths: PATHS, ports: PORTS, units: UNITS, users: USERS };

/** The shell library (templates/host/lib.sh), rendered with the given paths. */
export function shellLibrary(common: CommonView = COMMON_VIEW): string {
  return renderTemplate("host/lib.sh", common);
}

/**
 * Renders a step script: its template with `view` (plus paths, ports, units) and the library, then
 * the step's own `libraries` (templates shared by a few steps only: a change to one re-runs those
 * steps, not every step of every stack as a change to lib.sh does).
 */
export function renderScript(template: string, view: object = {}, common: CommonView = COMMON_VIEW, libraries: readonly string[] = []): string {
  const extra = libraries.map((name) => renderTemplate(name, common).trimEnd());
  return withLibrary(renderTemplate(template, { ...common, ...view }), [shellLibrary(common).trimEnd(), ...extra].join("\n\n"));
}

/** Renders a file template (config, unit) with `view` plus paths, ports and units. */
export function renderFile(template: string, view: object = {}): string {
  return renderTemplate(template, { ...COMMON_VIEW, ...view });
}

/** The script with the library after its leading comment block (shebang and header). */
export function withLibrary(script: string, library: string = shellLibrary()): string {
  const lines = script.split("\n");
  if (!lines[0].startsWith("#!")) throw new Error(`a step script must start with #!: ${lines[0]}`);
  let header = 1;
  while (header < lines.length && lines[header].startsWith("#")) header++;
  return [...lines.slice(0, header), library.trimEnd(), ...lines.slice(header)].join("\n");
}
