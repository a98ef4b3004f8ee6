// The two kinds of remote step every component is made of: put a file, run a script.
// Contents always travel over stdin, never inside a shell string; a script re-runs exactly when
// its text or the hash of one of its declared inputs changes (an update, not a replacement).
import * as pulumi from "@pulumi/pulumi";
import { remote, types } from "@pulumi/command";
import { Host } from "../../config/types";
import { sha256 } from "./hash";

/** A host plus how to reach it. */
export interface Target {
  readonly host: Host;
  readonly connection: types.input.remote.ConnectionArgs;
  /** "" for root, "sudo -n " otherwise. */
  readonly sudo: string;
  /** Bounds of every step on the host (kubeha:stepTimeout). */
  readonly timeouts: pulumi.CustomTimeouts;
}

/** A step's resource options: the caller's, bounded by the host's step timeout. */
export function stepOptions(target: Target, opts: pulumi.CustomResourceOptions): pulumi.CustomResourceOptions {
  return { ...opts, customTimeouts: target.timeouts };
}

/** Copies a local file to the host (skipped when the file there is the same). */
export function copyFile(name: string, target: Target, localPath: string, remotePath: string, opts: pulumi.CustomResourceOptions): remote.CopyToRemote {
  return new remote.CopyToRemote(name, { connection: target.connection, source: new pulumi.asset.FileAsset(localPath), remotePath }, stepOptions(target, opts));
}

export type FileMode = "0644" | "0600" | "0755";

export interface PutFileArgs {
  readonly path: string;
  readonly content: pulumi.Input<string>;
  readonly mode: FileMode;
  /** The content is a secret: kept encrypted in state and never logged. */
  readonly secret?: boolean;
}

const SAFE_PATH = /^\/[A-Za-z0-9_./-]+$/;

/** The shell command of putFile: atomic replace, umask 077 until the final chmod. */
export function putFileCommand(path: string, mode: FileMode, sudo: string): string {
  if (!SAFE_PATH.test(path)) throw new Error(`unsafe remote path: ${path}`);
  const tmp = `${path}.kubeha-tmp`;
  return `${sudo}sh -c 'umask 077 && mkdir -p "$(dirname ${path})" && cat > ${tmp} && chmod ${mode} ${tmp} && mv -f ${tmp} ${path}'`;
}

export function putFile(name: string, target: Target, args: PutFileArgs, opts: pulumi.CustomResourceOptions): remote.Command {
  return new remote.Command(
    name,
    {
      connection: target.connection,
      create: putFileCommand(args.path, args.mode, target.sudo),
      stdin: args.secret ? pulumi.secret(args.content) : args.content,
      addPreviousOutputInEnv: false,
      logging: args.secret ? "none" : "stdoutAndStderr",
    },
    stepOptions(target, opts),
  );
}

export interface RunScriptArgs {
  /** The rendered script (a step template of templates/<feature>/, with the shell library). */
  readonly script: pulumi.Input<string>;
  /** Values whose change must re-run the script (file contents, certificates): only their hashes travel. */
  readonly inputs?: Record<string, pulumi.Input<string>>;
  /** A command run when the step is deleted (e.g. when a host leaves the config). */
  readonly deleteCommand?: string;
  /**
   * The script carries a secret rendered into it (a join token): it travels only on stdin, kept
   * secret in the state. Its output is still shown: such scripts blank the secret from it.
   */
  readonly carriesSecret?: boolean;
}

/** The fixed shell command that runs a script sent on stdin, with stdin detached from the script's commands. */
export function runScriptCommand(sudo: string): string {
  return `${sudo}bash -c 'f=$(mktemp) && cat > "$f" && bash "$f" < /dev/null; rc=$?; rm -f "$f"; exit $rc'`;
}

/** The script with a second line naming the hashes of its inputs, so that any change re-runs it. */
export function withInputHashes(script: string, hashes: Record<string, string>): string {
  const names = Object.keys(hashes).sort();
  if (names.length === 0) return script;
  const line = `# kubeha inputs: ${names.map((n) => `${n}=${hashes[n].slice(0, 16)}`).join(" ")}`;
  const [first, ...rest] = script.split("\n");
  return [first, line, ...rest].join("\n");
}

export function runScript(name: string, target: Target, args: RunScriptArgs, opts: pulumi.CustomResourceOptions): remote.Command {
  const inputs = args.inputs ?? {};
  // A hash of a secret reveals nothing useful, and keeping it plain keeps the script readable in previews.
  const hashes = pulumi.all(Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, pulumi.unsecret(pulumi.output(v).apply(sha256))])));
  const stdin = pulumi.all([args.script, hashes]).apply(([script, h]) => withInputHashes(script, h));
  return new remote.Command(
    name,
    {
      connection: target.connection,
      create: runScriptCommand(target.sudo),
      stdin: args.carriesSecret ? pulumi.secret(stdin) : stdin,
      delete: args.deleteCommand,
      addPreviousOutputInEnv: false,
      ...(args.carriesSecret ? { logging: "stdoutAndStderr" as const } : {}),
    },
    stepOptions(target, opts),
  );
}
