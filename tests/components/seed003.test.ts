// Seed 003: external etcd co-located on the masters, VIP on the masters, a labelled, tainted pool.
import { seed003 } from "../fixtures/topologies";
import { describeTopology } from "./topology";

describeTopology("seed 003: external etcd on the masters", seed003, (run) => {
  test("etcd and the control plane share the masters", () => {
    const etcdHosts = run().files().filter((f) => f.path === "/etc/systemd/system/etcd.service").map((f) => f.host).sort();
    expect(etcdHosts).toEqual(["10.10.40.90", "10.10.40.91", "10.10.40.92"]);
  });

  test("the pool's labels and taints reach the join configuration", () => {
    const join = run().files().find((f) => f.path === "/etc/kubeha/kubeadm-join.yaml" && f.host === "10.10.40.93")!.content;
    expect(join).toContain('value: "kubeha.io/cluster=kubeha,kubeha.io/pool=general,tier=general"');
    expect(join).toContain('- key: "dedicated"\n      value: "general"\n      effect: NoSchedule');
    expect(join).not.toContain("controlPlane:");
  });

  test("masters join as control planes with their own advertise address", () => {
    const join = run().files().find((f) => f.path === "/etc/kubeha/kubeadm-join.yaml" && f.host === "10.10.40.92")!.content;
    expect(join).toContain('controlPlane:\n  localAPIEndpoint:\n    advertiseAddress: "10.10.40.92"');
    expect(join).toMatch(/caCertHashes:\n\s+- "sha256:[0-9a-f]{64}"/);
  });
});
