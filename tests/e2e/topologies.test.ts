// End-to-end: the seed topologies the main lab does not run, each deployed from nothing onto fresh
// hosts of a second lab (tests/fixtures/topologyLab.ts) and checked where it differs:
// - seed 000: stacked etcd under kubeadm, keepalived + nginx on the masters;
// - seed 001: external etcd on the masters, keepalived + nginx on two dedicated hosts;
// - seed 002: no VIP, an nginx on every node proxying 127.0.0.1:16443 to all apiservers.
// Each ends with a second `pulumi up` that changes nothing.
import { describeWithPlugins } from "../fixtures/pulumiCli";
import { waitFor } from "../fixtures/lab";
import { freshTopology, removeTopologyLab, T_HOSTS, T_VIP, tKubectl, tLab, tLastChanges, tReadyNodes, tSsh, tSshOk, tUp, THost } from "../fixtures/topologyLab";

jest.setTimeout(1200000);

const describeReal = describeWithPlugins("topology end-to-end tests");

const ALL_NODES = ["m1", "m2", "m3", "w1"];

/** Which of the given hosts hold the VIP now. */
function vipHolders(hosts: THost[]): THost[] {
  return hosts.filter((h) => tSsh(h, `ip -o addr show | grep -q ' ${T_VIP}/'`, 15000).status === 0);
}

async function deployAndWaitReady(label: string): Promise<void> {
  const seconds = tUp();
  await waitFor("every node Ready", () => tReadyNodes().join() === ALL_NODES.join(), 300000, 2000);
  console.log(`${label}: pulumi up from nothing ${seconds.toFixed(0)} s, every node Ready`);
}

function secondUpChangesNothing(): void {
  tUp();
  expect(tLastChanges()).toEqual({});
}

describeReal("seed topologies in a second lab", () => {
  afterAll(() => removeTopologyLab());

  describe("seed 000: stacked etcd, VIP on the masters", () => {
    beforeAll(() =>
      freshTopology(
        [
          { name: "m1", roles: ["master", "lb"], vrrpPriority: 101 },
          { name: "m2", roles: ["master", "lb"], vrrpPriority: 100 },
          { name: "m3", roles: ["master", "lb"], vrrpPriority: 99 },
          { name: "w1", roles: ["worker"] },
        ],
        { etcdTopology: "stacked", apiEndpoint: "vip", vip: T_VIP, vrrpInterface: "host0" },
      ),
    );

    test("deploys: every node Ready through VIP:16443, and kubeadm runs etcd as a static pod on each master", async () => {
      await deployAndWaitReady("seed 000");
      const etcdPods = tKubectl(["-n", "kube-system", "get", "pods", "-l", "component=etcd", "-o", "jsonpath={range .items[*]}{.spec.nodeName}={.status.phase}{\"\\n\"}{end}"]);
      expect(etcdPods.stdout.trim().split("\n").sort()).toEqual(["m1=Running", "m2=Running", "m3=Running"]);
      // No external etcd unit anywhere.
      expect(tSsh("m1", "test -e /etc/systemd/system/etcd.service").status).not.toBe(0);
      expect(vipHolders(["m1", "m2", "m3"])).toEqual(["m1"]);
    });

    test("a second pulumi up changes nothing", () => secondUpChangesNothing());
  });

  describe("seed 001: external etcd on the masters, keepalived + nginx on two dedicated hosts", () => {
    beforeAll(() =>
      freshTopology(
        [
          { name: "m1", roles: ["master", "etcd"] },
          { name: "m2", roles: ["master", "etcd"] },
          { name: "m3", roles: ["master", "etcd"] },
          { name: "lb1", roles: ["lb"], vrrpPriority: 100 },
          { name: "lb2", roles: ["lb"], vrrpPriority: 90 },
          { name: "w1", roles: ["worker"] },
        ],
        { etcdTopology: "external", apiEndpoint: "vip", vip: T_VIP, vrrpInterface: "host0" },
      ),
    );

    test("deploys: every node Ready through the VIP on lb1; nginx and keepalived only on the lb hosts", async () => {
      await deployAndWaitReady("seed 001");
      expect(vipHolders(["lb1", "lb2", "m1"])).toEqual(["lb1"]);
      expect(tSshOk("lb2", "systemctl is-active nginx keepalived").trim().split("\n")).toEqual(["active", "active"]);
      expect(tSsh("m1", "systemctl is-active --quiet keepalived").status).not.toBe(0);
      // lb hosts run no Kubernetes: they are not nodes (checked above) and have no kubelet.
      expect(tSsh("lb1", "test -e /etc/kubernetes/kubelet.conf").status).not.toBe(0);
    });

    test("hard-stopping lb1 moves the VIP to lb2, and the API answers through it", async () => {
      tLab(["stop", "lb1"]);
      try {
        await waitFor("VIP on lb2", () => vipHolders(["lb2"]).length === 1, 30000, 500);
        await waitFor("API through the VIP", () => tKubectl(["get", "--raw", "/readyz"]).status === 0, 30000, 500);
      } finally {
        tLab(["start", "lb1"]);
      }
      await waitFor("VIP back on lb1", () => vipHolders(["lb1", "lb2"]).join() === "lb1", 120000, 1000);
    });

    test("a second pulumi up changes nothing", () => secondUpChangesNothing());
  });

  describe("seed 002: no VIP, nginx on every node as a local apiserver proxy", () => {
    beforeAll(() =>
      freshTopology(
        [
          { name: "m1", roles: ["master"] },
          { name: "m2", roles: ["master"] },
          { name: "m3", roles: ["master"] },
          { name: "w1", roles: ["worker"] },
        ],
        { etcdTopology: "stacked", apiEndpoint: "local" },
      ),
    );

    test("deploys: every node Ready; kubelets reach the apiservers through their own 127.0.0.1:16443", async () => {
      await deployAndWaitReady("seed 002");
      for (const node of ALL_NODES as THost[]) {
        expect(tSshOk(node, "grep -h 'server:' /etc/kubernetes/kubelet.conf").trim()).toBe("server: https://127.0.0.1:16443");
        expect(tSshOk(node, "curl -sk --max-time 5 https://127.0.0.1:16443/readyz")).toBe("ok");
      }
      // No VIP anywhere: nobody runs keepalived.
      expect(tSsh("m1", "systemctl is-active --quiet keepalived").status).not.toBe(0);
    });

    test("with m1's apiserver stopped, the worker's local proxy still reaches the others", async () => {
      tSshOk("m1", "mv /etc/kubernetes/manifests/kube-apiserver.yaml /etc/kubernetes/kube-apiserver.yaml.stopped");
      try {
        await waitFor("m1's apiserver to stop", () => tSsh("m1", `curl -sk --max-time 1 https://${T_HOSTS.m1}:6443/readyz`).stdout.trim() !== "ok", 120000, 1000);
        const answers = Array.from({ length: 20 }, () => tSsh("w1", "curl -sk --max-time 5 https://127.0.0.1:16443/readyz").stdout);
        expect(answers.filter((a) => a !== "ok")).toEqual([]);
      } finally {
        tSshOk("m1", "mv /etc/kubernetes/kube-apiserver.yaml.stopped /etc/kubernetes/manifests/kube-apiserver.yaml");
      }
    });

    test("a second pulumi up changes nothing", () => secondUpChangesNothing());
  });
});
