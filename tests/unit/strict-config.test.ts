// Strict config: unknown kubeha:* keys and unknown fields of hosts and pools are refused, each with
// the closest known name; the known keys are Pulumi.yaml's declared ones.
import { HOST_FIELDS } from "../../config/hosts";
import { CONFIG_KEYS } from "../../config/known";
import { POOL_FIELDS } from "../../config/pools";
import { declaredConfig } from "../fixtures/projectConfig";
import { expectRejected, problemsOf } from "../fixtures/problems";
import { seed000, seed003, withKeys } from "../fixtures/topologies";

const hosts000 = seed000.hosts as Record<string, unknown>[];
const declared = declaredConfig();

test("the known kubeha:* keys are exactly the keys Pulumi.yaml declares", () => {
  expect([...CONFIG_KEYS].sort()).toEqual(declared.map((d) => d.key).sort());
});

test.each([
  ["hosts", HOST_FIELDS],
  ["workerPools", POOL_FIELDS],
])("Pulumi.yaml's description of kubeha:%s names every known field", (key, fields) => {
  const description = declared.find((d) => d.key === key)!.description;
  for (const field of fields) expect({ field, named: description.includes(field) }).toEqual({ field, named: true });
});

describe("unknown keys", () => {
  test("a misspelt key is refused with the key it resembles", () => {
    expectRejected(withKeys(seed000, { sshUsr: "admin" }), "sshUsr", /unknown config key \(did you mean kubeha:sshUser\?\)\. Fix: `pulumi config rm kubeha:sshUsr`, then set kubeha:sshUser/);
  });

  test("a key that differs only in case is refused with the right spelling", () => {
    expectRejected(withKeys(seed000, { VIP: "172.26.133.160" }), "VIP", /did you mean kubeha:vip\?/);
  });

  test("a key like no other is refused without a guess", () => {
    const problems = problemsOf(withKeys(seed000, { colour: "blue" }));
    expect(problems).toEqual([expect.stringMatching(/^kubeha:colour: unknown config key\. Fix: `pulumi config rm kubeha:colour`; Pulumi\.yaml's config section/)]);
  });

  test("every declared key is accepted", () => {
    expect(problemsOf(withKeys(seed000, { workerPools: [], certSans: [], hostCidr: "172.26.133.0/24", cni: "flannel" }))).toEqual([]);
  });
});

describe("unknown fields", () => {
  test("hostkey on a host is refused: did you mean hostKey?", () => {
    const hosts = hosts000.map((h, i) => (i === 1 ? { ...h, hostkey: "ssh-ed25519 AAAA" } : h));
    expectRejected(withKeys(seed000, { hosts }), "hosts[1].hostkey", /unknown field "hostkey" \(did you mean hostKey\?\)\. Fix: rename it to hostKey/);
  });

  test("an unknown host field like no known one lists the known fields", () => {
    const hosts = hosts000.map((h, i) => (i === 0 ? { ...h, datacenter: "a" } : h));
    expectRejected(withKeys(seed000, { hosts }), "hosts[0].datacenter", /Fix: remove it; the known fields are name, address, roles, vrrpPriority, hostKey/);
  });

  test("a misspelt pool field is refused: did you mean taints?", () => {
    const workerPools = [{ name: "general", hosts: ["worker-0", "worker-1"], taint: ["a=b:NoSchedule"] }];
    expectRejected(withKeys(seed003, { workerPools }), "workerPools[0].taint", /did you mean taints\?/);
  });

  test("each unknown field is its own problem, reported with the others", () => {
    const hosts = hosts000.map((h, i) => (i === 0 ? { ...h, adress: "x", role: ["master"] } : h));
    const problems = problemsOf(withKeys(seed000, { hosts, sshPrt: 22 }));
    expect(problems.filter((p) => /unknown (field|config key)/.test(p)).map((p) => p.split(":")[1])).toEqual(["sshPrt", "hosts[0].adress", "hosts[0].role"]);
  });
});
