// A VRRP version 3 stack (seed 003 with 0.2 s adverts, a 30 s preempt delay and fast leader
// election) under Pulumi mocks: every topology check, and what the new settings change on hosts.
import { STEPS } from "../../components/host/steps";
import { seed003tuned } from "../fixtures/renderedFiles";
import { describeTopology } from "./topology";

const MASTERS = ["10.10.40.90", "10.10.40.91", "10.10.40.92"];

describeTopology("seed 003 with VRRP version 3", seed003tuned, { apiServer: "https://10.10.40.100:16443" }, (run) => {
  const keepalivedConfs = () =>
    run()
      .files()
      .filter((f) => f.path === "/etc/keepalived/keepalived.conf");

  test("every lb host runs VRRP version 3 at 0.2 s with the preempt delay, in state BACKUP, and no authentication block", () => {
    const confs = keepalivedConfs();
    expect(confs.map((f) => f.host).sort()).toEqual(MASTERS);
    for (const { content } of confs) {
      expect(content).toContain("  state BACKUP\n");
      expect(content).toContain("  version 3\n  advert_int 0.2\n  preempt_delay 30\n");
      expect(content).not.toMatch(/authentication|auth_type|kubeha-auth\.conf/);
    }
  });

  test("the unicast peers stay: each host lists the other two", () => {
    for (const { host, content } of keepalivedConfs()) {
      const peers = [...content.matchAll(/^ {4}(\d+\.\d+\.\d+\.\d+) # /gm)].map((m) => m[1]);
      expect(peers.sort()).toEqual(MASTERS.filter((a) => a !== host));
      expect(content).toContain(`unicast_src_ip ${host}\n`);
    }
  });

  test("the track script fails after one run at 0.2 s adverts, still every whole second", () => {
    for (const { content } of keepalivedConfs()) expect(content).toContain("  interval 1\n  timeout 3\n  fall 1\n  rise 2\n  weight -100\n");
  });

  test("the keepalived apply step runs after its configuration is written", () => {
    const conf = keepalivedConfs().find((f) => f.host === MASTERS[0])!;
    const apply = run().step("kubeha-lb-master-0", STEPS.keepalivedApply);
    expect(apply.host).toBe(MASTERS[0]);
    expect(run().waitsFor(apply.name, conf.name)).toBe(true);
  });

  test("kubeadm init carries the fast leader-election flags for the controller-manager and the scheduler", () => {
    const init = run()
      .files()
      .find((f) => f.path === "/etc/kubeha/kubeadm-init.yaml")!.content;
    for (const [flag, value] of [
      ["leader-elect-lease-duration", "6s"],
      ["leader-elect-renew-deadline", "4s"],
      ["leader-elect-retry-period", "1s"],
    ]) {
      expect(init.split(`- name: ${flag}\n      value: "${value}"`).length - 1).toBe(2);
    }
  });
});
