// Seed 001: external etcd over masters and a worker, keepalived + nginx on two dedicated hosts.
import { seed001 } from "../fixtures/topologies";
import { describeTopology } from "./topology";

describeTopology("seed 001: external etcd, dedicated load balancers", seed001, { apiServer: "https://192.168.109.200:16443" }, (run) => {
  test("etcd runs on the three etcd hosts with TLS on client and peer ports", () => {
    expect(run().byType("kubeha:index:EtcdCluster")).toHaveLength(1);
    const units = run()
      .files()
      .filter((f) => f.path === "/etc/systemd/system/etcd.service");
    expect(units.map((u) => u.host).sort()).toEqual(["192.168.109.134", "192.168.109.135", "192.168.109.136"]);
    const unit = units.find((u) => u.host === "192.168.109.136")!.content;
    expect(unit).toContain("--listen-client-urls=https://192.168.109.136:2379,https://127.0.0.1:2379");
    // The membership lives beside the unit: a change to it restarts nothing.
    expect(unit).not.toContain("--initial-cluster=");
    const members = run()
      .files()
      .find((f) => f.path === "/etc/etcd/initial-cluster" && f.host === "192.168.109.136")!.content;
    expect(members).toBe("master1=https://192.168.109.134:2380,master2=https://192.168.109.135:2380,node1=https://192.168.109.136:2380");
    expect(unit).toContain("--client-cert-auth=true");
    expect(unit).toContain("--peer-client-cert-auth=true");
    expect(unit).not.toMatch(/http:\/\//);
  });

  test("member certificates carry the member's IP and loopback as SANs", () => {
    const csr = run().named("kubeha-etcd-node1-server-csr");
    expect(csr.inputs.ipAddresses).toEqual(["192.168.109.136", "127.0.0.1"]);
    expect(run().named("kubeha-etcd-node1-peer-cert").inputs.allowedUses).toEqual(expect.arrayContaining(["server_auth", "client_auth"]));
  });

  test("keepalived and nginx run only on the dedicated hosts; masters get none", () => {
    const hosts = run()
      .files()
      .filter((f) => f.path.startsWith("/etc/keepalived/") || f.path === "/etc/nginx/nginx.conf")
      .map((f) => f.host);
    expect([...new Set(hosts)].sort()).toEqual(["192.168.109.131", "192.168.109.132"]);
  });

  test("kubeadm uses the external etcd with the client certificate", () => {
    const init = run()
      .files()
      .find((f) => f.path === "/etc/kubeha/kubeadm-init.yaml")!.content;
    expect(init).toContain('external:\n    endpoints:\n      - "https://192.168.109.134:2379"');
    expect(init).toContain('keyFile: "/etc/kubernetes/pki/etcd-external/client.key"');
    expect(init).not.toContain("local:");
  });

  test("etcd is healthy before the load balancer starts", () => {
    expect(run().waitsFor("kubeha-lb-lb1-packages", "kubeha-etcd-healthy")).toBe(true);
    expect(run().waitsFor("kubeha-etcd-healthy", "kubeha-etcd-master1-start")).toBe(true);
    expect(run().waitsFor("kubeha-etcd-healthy", "kubeha-etcd-node1-start")).toBe(true);
  });

  test("departed members are pruned first, then members start one after the other (rolling restarts)", () => {
    expect(run().waitsFor("kubeha-etcd-master1-start", "kubeha-etcd-prune")).toBe(true);
    expect(run().waitsFor("kubeha-etcd-master2-start", "kubeha-etcd-master1-start")).toBe(true);
    expect(run().waitsFor("kubeha-etcd-node1-start", "kubeha-etcd-master2-start")).toBe(true);
    expect(run().waitsFor("kubeha-etcd-healthy", "kubeha-etcd-node1-start")).toBe(true);
  });

  test("both masters get their apiserver SANs: VIP, every master, loopback", () => {
    const init = run()
      .files()
      .find((f) => f.path === "/etc/kubeha/kubeadm-init.yaml")!.content;
    for (const san of ["192.168.109.200", "192.168.109.134", "192.168.109.135", "127.0.0.1"]) expect(init).toContain(`- "${san}"`);
  });
});
