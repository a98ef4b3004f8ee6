// Resource names derive from host names, never list positions: adding a host renames nothing,
// and removing one touches only its own resources.
import { runFresh } from "../fixtures/isolated";
import { seed000, withKeys } from "../fixtures/topologies";

test("adding a worker (listed first) keeps every existing resource name", async () => {
  const before = await runFresh(seed000);
  const hosts = [{ name: "kube-node00", address: "172.26.133.170", roles: ["worker"] }, ...(seed000.hosts as object[])];
  const after = await runFresh(withKeys(seed000, { hosts }));
  const afterNames = new Set(after.resources.map((r) => r.name));
  expect(before.resources.map((r) => r.name).filter((n) => !afterNames.has(n))).toEqual([]);
  const added = after.resources.map((r) => r.name).filter((n) => !before.resources.some((r) => r.name === n));
  // Exactly the resources another worker has, under the new worker's name.
  const likeNode01 = before.resources
    .map((r) => r.name)
    .filter((n) => n.includes("kube-node01"))
    .map((n) => n.replace("kube-node01", "kube-node00"));
  expect(likeNode01.length).toBeGreaterThan(5);
  expect([...added].sort()).toEqual(likeNode01.sort());
});

test("removing two masters at once is refused before any host is touched", async () => {
  // The last deployment had five masters (and stacked etcd members); the config now lists three.
  const five = ["kube-master01", "kube-master02", "kube-master03", "kube-master04", "kube-master05"];
  const previousOutputs = { membership: { etcd: five, masters: five } };
  const failure = await runFresh(seed000, { previousOutputs }).then(
    () => undefined,
    (err: Error & { resources: { type: string }[] }) => err,
  );
  expect(failure?.message).toMatch(/remove 2 masters at once \(kube-master04, kube-master05\)/);
  expect(failure!.resources.filter((r) => r.type === "command:remote:Command")).toEqual([]);
});
