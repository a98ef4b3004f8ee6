import { checkMembershipChange, keepInitMasterFirst } from "../../config/membership";
import { ClusterSpec } from "../../config/types";

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

describe("keepInitMasterFirst", () => {
  const host = (name: string) => ({ name, address: `10.0.0.${name.slice(1)}`, roles: ["master"] });
  const spec = (...names: string[]) => ({ masters: names.map(host) }) as unknown as ClusterSpec;
  const previous = (...masters: string[]) => ({ etcd: masters, masters });

  test("the master that ran kubeadm init comes first again, the others keep their order", () => {
    expect(keepInitMasterFirst(spec("m1", "m2", "m3"), previous("m2", "m1", "m3")).masters.map((m) => m.name)).toEqual(["m2", "m1", "m3"]);
  });

  test("a first deployment, or an init master that left the config, keeps the config's order", () => {
    expect(keepInitMasterFirst(spec("m1", "m2", "m3"), undefined).masters.map((m) => m.name)).toEqual(["m1", "m2", "m3"]);
    expect(keepInitMasterFirst(spec("m2", "m3", "m4"), previous("m1", "m2", "m3")).masters.map((m) => m.name)).toEqual(["m2", "m3", "m4"]);
  });
});
