// `npm run plan` after the preview (scripts/plan.sh): reads the preview's JSON, prints the Markdown
// summary, writes it to --summary-out, and exits with the summary's code (summary.ts EXIT).
import * as fs from "fs";
import { PreviewDigest } from "./preview";
import { EXIT, summarise } from "./summary";

interface Args {
  stack: string;
  preview: string;
  status: number;
  summaryOut?: string;
  stderr?: string;
}

function parseArgs(argv: readonly string[]): Args {
  const value = (flag: string) => {
    const at = argv.indexOf(flag);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const stack = value("--stack");
  const preview = value("--preview");
  if (!stack || !preview) throw new Error("usage: cli --stack STACK --preview FILE [--status N] [--summary-out FILE] [--stderr FILE]");
  return { stack, preview, status: Number(value("--status") ?? "0"), summaryOut: value("--summary-out"), stderr: value("--stderr") };
}

/** The preview's JSON, or undefined when the CLI printed none (it failed before planning). */
function readDigest(file: string): PreviewDigest | undefined {
  const text = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
  try {
    return JSON.parse(text) as PreviewDigest;
  } catch (_err) {
    return undefined;
  }
}

export function main(argv: readonly string[]): number {
  const args = parseArgs(argv);
  const parsed = readDigest(args.preview);
  // No JSON at all: the CLI's own error output says why (it never holds a secret value).
  const tail = args.stderr && fs.existsSync(args.stderr) ? fs.readFileSync(args.stderr, "utf8").trim().split("\n").slice(-15).join("\n") : "";
  const digest: PreviewDigest = parsed ?? { diagnostics: [{ severity: "error", message: `pulumi preview printed no JSON${tail ? `:\n${tail}` : ""}` }] };
  const { markdown, exitCode } = summarise({ stack: args.stack, digest, status: parsed ? args.status : Math.max(args.status, EXIT.failed), jsonPath: parsed ? args.preview : undefined });
  process.stdout.write(markdown);
  if (args.summaryOut) fs.writeFileSync(args.summaryOut, markdown);
  return exitCode;
}
