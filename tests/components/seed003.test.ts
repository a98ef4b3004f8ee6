// Seed 003: external etcd co-located on the masters, VIP on the masters, a labelled, tainted pool.
import { seed003 } from "../fixtures/topologies";
import { describeTopology } from "./topology";
import { STEPS } from "../../components/host/steps";

describeTopology("seed 003: external etcd on the masters", seed003, { apiServer: "https://10.10.40.100:16443" }, (run) => {
  test("etcd and the control plane share the masters", () => {
    const etcdHosts = run()
      .files()
      .filter((f) => f.path === "/etc/systemd/system/etcd.service")
      .map((f) => f.host)
      .sort();
    expect(etcdHosts).toEqual(["10.10.40.90", "10.10.40.91", "10.10.40.92"]);
  });

  test("the pool's labels and taints reach the join configuration", () => {
    const join = run()
      .files()
      .find((f) => f.path === "/etc/kubeha/kubeadm-join.yaml" && f.host === "10.10.40.93")!.content;
    expect(join).toContain('value: "kubeha.io/cluster=kubeha,kubeha.io/pool=general,tier=general"');
    expect(join).toContain('- key: "dedicated"\n      value: "general"\n      effect: NoSchedule');
    expect(join).not.toContain("controlPlane:");
  });

  test("kubeadm's configuration lists the etcd members before the other masters join", () => {
    const step = run().step("kubeha-cp-master-0", STEPS.kubeadmEtcdEndpoints);
    expect(step.host).toBe("10.10.40.90");
    expect(step.script).toContain('ENDPOINTS="https://10.10.40.90:2379 https://10.10.40.91:2379 https://10.10.40.92:2379"');
    expect(run().waitsFor("kubeha-cp-master-0-kubeadm-etcd-endpoints", "kubeha-cp-master-0-kubeadm-init")).toBe(true);
    expect(run().waitsFor("kubeha-cp-master-1-kubeadm-join", "kubeha-cp-master-0-kubeadm-etcd-endpoints")).toBe(true);
  });

  test("external etcd: the first master's init looks for a running cluster through the apiservers only", () => {
    const init = run().step("kubeha-cp-master-0", STEPS.kubeadmInit);
    expect(init.script).toContain('OTHER_APISERVERS="https://10.10.40.91:6443 https://10.10.40.92:6443"');
    expect(init.script).toContain('OTHER_ETCD_URLS=""');
  });

  test("every apiserver follows the etcd members, one master at a time after all joined", () => {
    const steps = ["master-0", "master-1", "master-2"].map((m) => `kubeha-cp-${m}-apiserver-etcd-servers`);
    const scripts = steps.map((name) => run().script(name));
    expect(scripts.map((s) => s.host)).toEqual(["10.10.40.90", "10.10.40.91", "10.10.40.92"]);
    for (const s of scripts) expect(s.script).toContain('SERVERS="https://10.10.40.90:2379,https://10.10.40.91:2379,https://10.10.40.92:2379"');
    expect(run().waitsFor(steps[0], "kubeha-cp-master-2-kubeadm-join")).toBe(true);
    expect(run().waitsFor(steps[1], steps[0])).toBe(true);
    expect(run().waitsFor(steps[2], steps[1])).toBe(true);
  });

  test("masters join as control planes with their own advertise address", () => {
    const join = run()
      .files()
      .find((f) => f.path === "/etc/kubeha/kubeadm-join.yaml" && f.host === "10.10.40.92")!.content;
    expect(join).toContain('controlPlane:\n  localAPIEndpoint:\n    advertiseAddress: "10.10.40.92"');
    expect(join).toMatch(/caCertHashes:\n\s+- "sha256:[0-9a-f]{64}"/);
  });
});
