// kubeha's bootstrap token per set of joins (plan/joinToken.ts): kubeadm's format, one token per
// set of joining nodes and host keys, independent of their order. Pure functions, no mocks.
import { deriveJoinToken, joinContext, TOKEN_FORMAT } from "../../plan/joinToken";

const BASE = "abcdef.0123456789abcdef";
const m2 = { name: "m2", hostKey: "ssh-ed25519 AAAAm2" };
const m3 = { name: "m3", hostKey: "ssh-ed25519 AAAAm3" };
const w1 = { name: "w1", hostKey: "ssh-ed25519 AAAAw1" };

test("a token in kubeadm's format, the same for the same base and joins", () => {
  const token = deriveJoinToken(BASE, joinContext([m2, m3, w1]));
  expect(token).toMatch(TOKEN_FORMAT);
  expect(deriveJoinToken(BASE, joinContext([m2, m3, w1]))).toBe(token);
  expect(token).not.toBe(BASE);
});

test("the order of the joining nodes does not matter, nor whitespace around a key", () => {
  expect(deriveJoinToken(BASE, joinContext([w1, m3, m2]))).toBe(deriveJoinToken(BASE, joinContext([m2, m3, { ...w1, hostKey: ` ${w1.hostKey}\n` }])));
});

test("another set of joins, a reinstalled node's new host key, or another stack's base: another token, id and secret both", () => {
  const token = deriveJoinToken(BASE, joinContext([m2, m3, w1]));
  const others = [
    deriveJoinToken(BASE, joinContext([m2, m3])),
    deriveJoinToken(BASE, joinContext([m2, m3, w1, { name: "w2", hostKey: "k" }])),
    deriveJoinToken(BASE, joinContext([m2, m3, { ...w1, hostKey: "ssh-ed25519 AAAAnew" }])),
    deriveJoinToken("ghijkl.0123456789abcdef", joinContext([m2, m3, w1])),
  ];
  for (const other of others) {
    expect(other).toMatch(TOKEN_FORMAT);
    expect(other.split(".")[0]).not.toBe(token.split(".")[0]);
    expect(other.split(".")[1]).not.toBe(token.split(".")[1]);
  }
});

test("the symbols spread over kubeadm's alphabet (no bias towards a few)", () => {
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) for (const c of deriveJoinToken(BASE, `set ${i}`).replace(".", "")) seen.add(c);
  expect(seen.size).toBe(32);
});

test("a base too short to be the stack's secret is refused", () => {
  expect(() => deriveJoinToken("short", "x")).toThrow(/base secret is too short/);
});
