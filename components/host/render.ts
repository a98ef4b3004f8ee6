// Renders the mustache templates in templates/. Strict: a key the view lacks is an error (plain
// mustache would render it as empty), and nothing is HTML-escaped (these are config files).
import * as fs from "fs";
import * as path from "path";
import Mustache from "mustache";

export const TEMPLATE_DIR = path.join(__dirname, "..", "..", "templates");

type Token = [string, string, number, number, Token[]?, ...unknown[]];

export class TemplateError extends Error {}

export function renderTemplate(name: string, view: object): string {
  const file = path.join(TEMPLATE_DIR, `${name}.mustache`);
  return renderString(fs.readFileSync(file, "utf8"), view, name);
}

export function renderString(template: string, view: object, label = "template"): string {
  const tokens = Mustache.parse(template) as unknown as Token[];
  checkTokens(tokens, [view], label);
  return Mustache.render(template, view, {}, { escape: (value: unknown) => String(value) });
}

function checkTokens(tokens: Token[], stack: unknown[], label: string): void {
  for (const [type, name, , , children] of tokens) {
    if (type === "text" || type === "!" || type === "=") continue;
    if (type === ">") throw new TemplateError(`${label}: partials are not used in kubeha templates ({{> ${name}}})`);
    if (name === ".") continue;
    const value = lookup(stack, name);
    if (value === undefined || value === null) {
      throw new TemplateError(`${label}: the view has no value for {{${name}}}`);
    }
    if (type === "#") {
      if (Array.isArray(value)) value.forEach((item) => checkTokens(children ?? [], [...stack, item], label));
      else if (typeof value === "object") checkTokens(children ?? [], [...stack, value], label);
      else if (value) checkTokens(children ?? [], stack, label);
    } else if (type === "^") {
      checkTokens(children ?? [], stack, label);
    } else if (typeof value === "object") {
      throw new TemplateError(`${label}: {{${name}}} is an object or list; render it with a section`);
    }
  }
}

/** Mustache's name resolution: innermost context first, dotted names walk into objects. */
function lookup(stack: unknown[], name: string): unknown {
  const [head, ...rest] = name.split(".");
  for (let i = stack.length - 1; i >= 0; i--) {
    const context = stack[i];
    if (context !== null && typeof context === "object" && head in context) {
      return rest.reduce<unknown>((value, part) => (value !== null && typeof value === "object" ? (value as Record<string, unknown>)[part] : undefined), (context as Record<string, unknown>)[head]);
    }
  }
  return undefined;
}
