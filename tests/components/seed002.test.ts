// Seed 002: no VIP, an nginx on every node in front of all apiservers.
import { seed002 } from "../fixtures/topologies";
import { describeTopology } from "./topology";

describeTopology("seed 002: local nginx on every node, no VIP", seed002, { apiServer: "https://10.0.0.11:6443" }, (run) => {
  test("nginx on every node listens on loopback only; no keepalived anywhere", () => {
    const nginx = run()
      .files()
      .filter((f) => f.path === "/etc/nginx/nginx.conf");
    expect(nginx.map((f) => f.host).sort()).toEqual(["10.0.0.11", "10.0.0.12", "10.0.0.13", "10.0.0.21"]);
    expect(nginx[0].content).toContain("listen 127.0.0.1:16443;");
    expect(
      run()
        .files()
        .filter((f) => f.path.startsWith("/etc/keepalived/")),
    ).toHaveLength(0);
    expect(
      run()
        .byType("random:index/randomPassword:RandomPassword")
        .map((r) => r.name),
    ).not.toContain("kubeha-lb-vrrp-auth");
  });

  test("nodes join through their local proxy; the exported kubeconfig uses the first master", () => {
    const init = run()
      .files()
      .find((f) => f.path === "/etc/kubeha/kubeadm-init.yaml")!.content;
    expect(init).toContain('controlPlaneEndpoint: "127.0.0.1:16443"');
    expect(run().outputs.kubeconfig).toContain("server: https://10.0.0.11:6443\n");
  });
});
