// Reads the stack config and validates it: the only config code that touches Pulumi or the disk.
import * as fs from "fs";
import * as pulumi from "@pulumi/pulumi";
import { DEFAULTS } from "./defaults";
import { ConfigError } from "./errors";
import { ClusterSpec, RawConfig } from "./types";
import { validateConfig } from "./validate";

const NAMESPACE = "kubeha";

/** Every kubeha:* value, parsed as JSON where it is structured (lists, objects, numbers, booleans). */
export function readRawConfig(all: Record<string, string> = pulumi.runtime.allConfig()): RawConfig {
  const raw: Record<string, unknown> = {};
  for (const [fullKey, text] of Object.entries(all)) {
    const [namespace, key] = fullKey.split(":");
    if (namespace !== NAMESPACE || key === undefined) continue;
    // Keys declared as strings stay strings ("1.32" is a version, not a number).
    raw[key] = typeof (DEFAULTS as Record<string, unknown>)[key] === "string" ? text : parseValue(text);
  }
  return raw;
}

function parseValue(text: string): unknown {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" || typeof value === "number" || typeof value === "boolean" ? value : text;
  } catch {
    return text;
  }
}

/** The validated cluster description; throws a pulumi.RunError (message only, no stack trace) on bad config. */
export function loadClusterSpec(raw: RawConfig = readRawConfig()): ClusterSpec {
  try {
    return validateConfig(raw, { fileExists: (path) => fs.existsSync(path), readFile });
  } catch (err) {
    if (err instanceof ConfigError) throw new pulumi.RunError(err.message);
    throw err;
  }
}

function readFile(path: string): string | undefined {
  try {
    return fs.readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** The image archives of kubeha:artifactDir (offline mode), which the plan hands out to nodes. */
export function artifactImages(spec: ClusterSpec): string[] {
  const dir = spec.packages.artifactDir;
  if (spec.packages.source !== "offline" || !dir || !fs.existsSync(`${dir}/images`)) return [];
  return fs.readdirSync(`${dir}/images`);
}

/** The SSH private key as a secret, from kubeha:sshPrivateKey or the file kubeha:sshPrivateKeyPath. */
export function sshPrivateKey(spec: ClusterSpec): pulumi.Output<string> {
  if (spec.ssh.privateKeyPath) return pulumi.secret(fs.readFileSync(spec.ssh.privateKeyPath, "utf8"));
  return new pulumi.Config(NAMESPACE).requireSecret("sshPrivateKey");
}
