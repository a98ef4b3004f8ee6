// The plan summary's reading of resource names (plan-summary/resources.ts) against every resource
// of every seed (tests/golden/resources/): each per-host step is found on one of the seed's hosts
// with a step the summary can describe, so a new step or file without a description fails here.
import * as fs from "fs";
import * as path from "path";
import { identify } from "../../plan-summary/resources";
import { topologies } from "../fixtures/topologies";

const DIR = path.join(__dirname, "../golden/resources");
const hostsOf: Record<string, string[]> = Object.fromEntries(Object.entries(topologies).map(([seed, raw]) => [seed, (raw.hosts as { name: string }[]).map((h) => h.name)]));
hostsOf.seed003offline = hostsOf.seed003;

/** A golden line: "TYPE NAME[ < PARENT_TYPE PARENT_NAME]". */
function parse(line: string): { type: string; name: string; parentType: string; parentName: string } {
  const [type, name, , parentType = "", parentName = ""] = line.split(" ");
  return { type, name, parentType, parentName };
}

describe.each(Object.keys(hostsOf))("%s", (seed) => {
  const lines = fs
    .readFileSync(path.join(DIR, `${seed}.txt`), "utf8")
    .trimEnd()
    .split("\n")
    .map(parse);

  test("every remote step names one of the seed's hosts, or is a cluster-wide step of its component", () => {
    for (const r of lines.filter((l) => l.type.startsWith("command:remote:"))) {
      const id = identify(r.name, r.type, r.parentType, r.parentName);
      const expected = hostsOf[seed].find((h) => r.name.startsWith(`${r.parentName}-${h}-`));
      expect({ name: r.name, host: id.host }).toEqual({ name: r.name, host: expected });
      expect({ name: r.name, stage: id.stage }).toEqual({ name: r.name, stage: expect.stringMatching(/^(hosts|etcd|loadBalancer|controlPlane|workers)$/) });
      // The step is the name's tail after the host, and the summary has words for it.
      expect(`${r.parentName}-${id.host ? `${id.host}-` : ""}${id.step.suffix}`).toBe(r.name);
      expect({ name: r.name, kind: id.step.kind }).toEqual({ name: r.name, kind: expect.stringMatching(/^(script|file|upload|check)$/) });
    }
  });

  test("certificates of one etcd member belong to that member; the others are cluster-wide", () => {
    for (const r of lines.filter((l) => l.type.startsWith("tls:"))) {
      const id = identify(r.name, r.type, r.parentType, r.parentName);
      const member = hostsOf[seed].find((h) => r.name.startsWith(`${r.parentName}-${h}-`));
      expect({ name: r.name, host: id.host }).toEqual({ name: r.name, host: member });
      expect(id.step.kind).toBe("certificate");
    }
  });
});

test("stages come from the parent component; the stack's own resources are the stack's", () => {
  expect(identify("kubeha-pool-workers-kube-node01-kubeadm-join", "command:remote:Command", "kubeha:index:WorkerPool", "kubeha-pool-workers")).toMatchObject({
    stage: "workers",
    host: "kube-node01",
    step: { suffix: "kubeadm-join", kind: "script", what: "kubeadm join through the HA endpoint, once (a master's apiserver drained until ready)" },
  });
  expect(identify("kubeha-lb-m2-keepalived-conf", "command:remote:Command", "kubeha:index:LoadBalancerPair", "kubeha-lb")).toMatchObject({
    stage: "loadBalancer",
    host: "m2",
    step: { what: "keepalived config" },
  });
  const prune = identify("kubeha-etcd-prune", "command:remote:Command", "kubeha:index:EtcdCluster", "kubeha-etcd");
  expect([prune.stage, prune.host, prune.step.suffix]).toEqual(["etcd", undefined, "prune"]);
  const provider = identify("default_4_34_2", "pulumi:providers:kubernetes", "", "");
  expect([provider.stage, provider.host]).toEqual(["stack", undefined]);
});
