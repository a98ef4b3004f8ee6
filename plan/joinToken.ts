// kubeha's bootstrap token for one set of joining nodes. Pulumi keeps one random base secret per
// stack; each set of joins gets its own token derived from it (HMAC-SHA256), so a token revoked
// after its joins is never valid again for another set, and no new random resource (whose
// replacement an upgrade would show) is needed.

import { createHmac } from "crypto";

/** 32 symbols of kubeadm's [a-z0-9]: 5 bits each, so the digest maps to them without bias. */
const ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";

/** kubeadm's token format: a 6-character id, a dot, a 16-character secret. */
export const TOKEN_FORMAT = /^[a-z0-9]{6}\.[a-z0-9]{16}$/;

/** What a set of joins is: the joining nodes and the host keys they presented, order-free. */
export function joinContext(joiners: readonly { name: string; hostKey: string }[]): string {
  return [...joiners]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((j) => `${j.name} ${j.hostKey.trim()}`)
    .join("\n");
}

/** The token of one set of joins: deterministic in (base, context), 110 bits taken from the HMAC. */
export function deriveJoinToken(base: string, context: string): string {
  if (base.length < 16) throw new Error("kubeha: the bootstrap token's base secret is too short");
  const digest = BigInt(`0x${createHmac("sha256", base).update(`kubeha bootstrap token\n${context}`).digest("hex")}`);
  const symbols = Array.from({ length: 22 }, (_, i) => ALPHABET[Number((digest >> BigInt(5 * i)) & 31n)]).join("");
  return `${symbols.slice(0, 6)}.${symbols.slice(6)}`;
}
