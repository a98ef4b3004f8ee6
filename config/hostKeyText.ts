// SSH host public keys as text: "TYPE BASE64" (the comment of an authorized_keys line dropped).
import * as crypto from "crypto";

export const HOST_KEY_TYPES: readonly string[] = ["ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521"];

const BLOB = /^[A-Za-z0-9+/]+={0,2}$/;

/** "TYPE BASE64" of a public key line, or undefined when it is not one (the blob must also name its type). */
export function normalizeHostKey(text: string): string | undefined {
  const [type, blob] = text.trim().split(/\s+/);
  if (!type || !blob || !HOST_KEY_TYPES.includes(type) || !BLOB.test(blob)) return undefined;
  const bytes = Buffer.from(blob, "base64");
  // The wire format starts with the type name, length-prefixed: a blob of another type is a paste error.
  if (bytes.length < 4 + type.length || bytes.readUInt32BE(0) !== type.length || bytes.subarray(4, 4 + type.length).toString() !== type) return undefined;
  return `${type} ${blob}`;
}

/** OpenSSH's fingerprint of a key, as `ssh-keygen -lf` prints it: SHA256:base64-without-padding. */
export function fingerprint(key: string): string {
  const blob = key.trim().split(/\s+/)[1] ?? "";
  return `SHA256:${crypto.createHash("sha256").update(Buffer.from(blob, "base64")).digest("base64").replace(/=+$/, "")}`;
}

/** The host keys among the lines of `cat /etc/ssh/ssh_host_*_key.pub`, in order. */
export function hostKeysOf(text: string): string[] {
  return text
    .split("\n")
    .map(normalizeHostKey)
    .filter((k): k is string => k !== undefined);
}
