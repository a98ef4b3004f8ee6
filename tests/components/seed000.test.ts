// Seed 000: stacked etcd, keepalived + nginx on the three masters, three workers.
import { seed000 } from "../fixtures/topologies";
import { describeTopology } from "./topology";
import { STEPS } from "../../components/host/steps";

describeTopology("seed 000: stacked etcd, VIP on the masters", seed000, { apiServer: "https://172.26.133.160:16443" }, (run) => {
  test("plans all four components; EtcdCluster only checks the stacked members", () => {
    expect(run().byType("kubeha:index:EtcdCluster")).toHaveLength(1);
    for (const type of ["LoadBalancerPair", "ControlPlane", "WorkerPool", "ClusterAddons"]) expect(run().byType(`kubeha:index:${type}`)).toHaveLength(1);
  });

  test("keepalived and nginx run on every master", () => {
    const lbHosts = run()
      .files()
      .filter((f) => f.path === "/etc/keepalived/keepalived.conf")
      .map((f) => f.host)
      .sort();
    expect(lbHosts).toEqual(["172.26.133.161", "172.26.133.162", "172.26.133.163"]);
    const nginx = run()
      .files()
      .filter((f) => f.path === "/etc/nginx/nginx.conf");
    expect(nginx).toHaveLength(3);
    expect(nginx[0].content).toContain("listen 0.0.0.0:16443;");
    for (const ip of ["161", "162", "163"]) expect(nginx[0].content).toContain(`server 172.26.133.${ip}:6443`);
  });

  test("each keepalived has its own priority and the other two as unicast peers", () => {
    const conf = run()
      .files()
      .find((f) => f.path === "/etc/keepalived/keepalived.conf" && f.host === "172.26.133.162")!.content;
    expect(conf).toContain("priority 100");
    expect(conf).toMatch(/unicast_peer \{\n\s+172.26.133.161 # kube-master01\n\s+172.26.133.163 # kube-master03\n/);
  });

  test("kubeadm init uses the HA endpoint, stacked etcd and the shared etcd CA", () => {
    const init = run()
      .files()
      .find((f) => f.path === "/etc/kubeha/kubeadm-init.yaml")!;
    expect(init.host).toBe("172.26.133.161");
    expect(init.content).toContain('controlPlaneEndpoint: "172.26.133.160:16443"');
    expect(init.content).toContain("local:\n    dataDir: /var/lib/etcd");
    expect(
      run()
        .files()
        .filter((f) => f.path === "/etc/kubernetes/pki/etcd/ca.key"),
    ).toHaveLength(3);
  });

  test("the stacked etcd gate checks every master's member after all masters joined, before workers join", () => {
    const gate = run().named("kubeha-etcd-healthy");
    expect(gate.inputs.stdin).toContain('ENDPOINTS="https://172.26.133.161:2379 https://172.26.133.162:2379 https://172.26.133.163:2379"');
    expect(run().waitsFor("kubeha-etcd-healthy", "kubeha-cp-kube-master03-kubeadm-join")).toBe(true);
    expect(run().waitsFor("kubeha-pool-workers-kube-node01-kubeadm-join", "kubeha-etcd-healthy")).toBe(true);
  });

  test("the kubeconfig points at the VIP", () => {
    expect(run().outputs.kubeconfig).toContain("server: https://172.26.133.160:16443\n");
  });

  test("etcd members of masters that left the config are removed on the first master before the others join", () => {
    const prune = run().named("kubeha-cp-kube-master01-etcd-prune").inputs as { stdin: string; connection: { host: string } };
    expect(prune.connection.host).toBe("172.26.133.161");
    expect(prune.stdin).toContain('PEER_URLS="https://172.26.133.161:2380 https://172.26.133.162:2380 https://172.26.133.163:2380"');
    expect(run().waitsFor("kubeha-cp-kube-master01-etcd-prune", "kubeha-cp-kube-master01-kubeadm-init")).toBe(true);
    expect(run().waitsFor("kubeha-cp-kube-master02-kubeadm-join", "kubeha-cp-kube-master01-etcd-prune")).toBe(true);
  });

  test("stacked etcd: apiservers dial their local member, so nothing rewrites their etcd list", () => {
    expect(
      run()
        .scripts()
        .filter((s) => /apiserver-etcd-servers|kubeadm-etcd-endpoints/.test(s.name)),
    ).toEqual([]);
  });

  test("stacked etcd: each master drops a stale member of its own before kubeadm init or join", () => {
    const step = run().step("kubeha-cp-kube-master02", STEPS.stackedEtcdStaleMember);
    expect(step.host).toBe("172.26.133.162");
    expect(step.script).toContain('PEER_URL="https://172.26.133.162:2380"');
    expect(step.script).toContain('OTHER_CLIENT_URLS="https://172.26.133.161:2379 https://172.26.133.163:2379"');
    expect(run().waitsFor("kubeha-cp-kube-master01-kubeadm-init", "kubeha-cp-kube-master01-etcd-stale-member")).toBe(true);
    expect(run().waitsFor("kubeha-cp-kube-master02-kubeadm-join", "kubeha-cp-kube-master02-etcd-stale-member")).toBe(true);
  });

  test("the first master can rejoin a running cluster: its rejoin configuration holds a placeholder, never a token", () => {
    const rejoin = run()
      .files()
      .find((f) => f.path === "/etc/kubeha/kubeadm-rejoin.yaml")!;
    expect(rejoin.host).toBe("172.26.133.161");
    expect(rejoin.content).toContain('token: "@@TOKEN@@"');
    expect(rejoin.content).toContain('advertiseAddress: "172.26.133.161"');
    const init = run().step("kubeha-cp-kube-master01", STEPS.kubeadmInit);
    expect(init.script).toContain('OTHER_APISERVERS="https://172.26.133.162:6443 https://172.26.133.163:6443"');
    expect(init.script).toContain('TOKEN_PLACEHOLDER="@@TOKEN@@"');
    // Nor does it initialise while the other masters' etcd runs without an apiserver.
    expect(init.script).toContain('OTHER_ETCD_URLS="https://172.26.133.162:2379 https://172.26.133.163:2379"');
    expect(run().waitsFor("kubeha-cp-kube-master01-kubeadm-init", "kubeha-cp-kube-master01-kubeadm-rejoin-config")).toBe(true);
  });
});
