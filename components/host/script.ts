// Step scripts: a template rendered with the on-host paths and ports of plan/paths.ts, with the
// shared shell library (templates/host/lib.sh: pipefail, info/fatal/wait_until, the etcdctl
// wrapper) inserted after the script's header comment, so each script still travels alone.
import { PATHS, PORTS, UNITS } from "../../plan/paths";
import { renderTemplate } from "./render";

const COMMON_VIEW = { paths: PATHS, ports: PORTS, units: UNITS };

/** The shell library, rendered once. */
export const SHELL_LIBRARY = renderTemplate("host/lib.sh", COMMON_VIEW);

/** Renders a step script: its template with `view` (plus paths, ports, units) and the library. */
export function renderScript(template: string, view: object = {}): string {
  return withLibrary(renderTemplate(template, { ...COMMON_VIEW, ...view }));
}

/** Renders a file template (config, unit) with `view` plus paths, ports and units. */
export function renderFile(template: string, view: object = {}): string {
  return renderTemplate(template, { ...COMMON_VIEW, ...view });
}

/** The script with the library after its leading comment block (shebang and header). */
export function withLibrary(script: string): string {
  const lines = script.split("\n");
  if (!lines[0].startsWith("#!")) throw new Error(`a step script must start with #!: ${lines[0]}`);
  let header = 1;
  while (header < lines.length && lines[header].startsWith("#")) header++;
  return [...lines.slice(0, header), SHELL_LIBRARY.trimEnd(), ...lines.slice(header)].join("\n");
}
