import { checkMembershipChange } from "../../config/membership";

const three = { etcd: ["m1", "m2", "m3"], masters: ["m1", "m2", "m3"] };

test("a first deployment has nothing to compare with", () => {
  expect(() => checkMembershipChange(undefined, three)).not.toThrow();
});

test("adding members or removing one is allowed", () => {
  expect(() => checkMembershipChange(three, { etcd: ["m1", "m2", "m3", "m4", "m5"], masters: three.masters })).not.toThrow();
  expect(() => checkMembershipChange({ etcd: ["a", "b", "c", "d", "e"], masters: three.masters }, { etcd: ["a", "b", "c", "d"], masters: three.masters })).not.toThrow();
});

test("removing two etcd members at once is refused", () => {
  const five = { etcd: ["a", "b", "c", "d", "e"], masters: three.masters };
  expect(() => checkMembershipChange(five, { etcd: ["a", "b", "c"], masters: three.masters })).toThrow(/kubeha:hosts: this update would remove 2 etcd members at once \(d, e\)\. Fix: /);
});

test("removing two masters at once is refused", () => {
  expect(() => checkMembershipChange(three, { etcd: three.etcd, masters: ["m1"] })).toThrow(/remove 2 masters at once/);
});

test("going below the current quorum is refused", () => {
  expect(() => checkMembershipChange(three, { etcd: ["x", "y", "z"], masters: three.masters })).toThrow(/only 0 of the 3 current etcd members would remain, below the quorum of 2/);
});
