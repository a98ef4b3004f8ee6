// The numbers and lists the templates print, computed by pure view functions.
import { validateConfig } from "../../config/validate";
import { CHECK_WEIGHT, keepalivedView, nginxView } from "../../components/endpoint/views";
import { caCertHash, kubeadmInitView, kubeadmJoinView } from "../../components/controlPlane/kubeadm/views";
import { renderFile } from "../../components/host/script";
import { planCluster } from "../../plan/cluster";
import { fakeFiles, seed000, seed002, withKeys } from "../fixtures/topologies";
import { generateKeyPairSync, createHash, createPublicKey } from "crypto";

const spec = validateConfig(seed000, fakeFiles);

test("a failing check drops a host below every healthy one; the weight does not depend on the priorities", () => {
  const priorities = spec.endpoint.lbHosts.map((h) => h.vrrpPriority!);
  expect(Math.max(...priorities) + CHECK_WEIGHT).toBeLessThan(Math.min(...priorities));
  const view = (s: typeof spec) => keepalivedView(s.endpoint.lbHosts[0], s.endpoint, 24);
  const changed = validateConfig(withKeys(seed000, { hosts: (seed000.hosts as Record<string, unknown>[]).map((h, i) => (i === 2 ? { ...h, vrrpPriority: 50 } : h)) }), fakeFiles);
  expect(view(changed)).toEqual(view(spec));
});

test("keepalived peers are every other lb host; the VIP carries the hosts' prefix", () => {
  const view = keepalivedView(spec.endpoint.lbHosts[1], spec.endpoint, 24);
  expect(view.peers.map((p: { name: string }) => p.name)).toEqual(["kube-master01", "kube-master03"]);
  expect(view.priority).toBe(100);
  expect(`${view.vip}/${view.prefix}`).toBe("172.26.133.160/24");
});

test("nginx balances over every master's apiserver with passive failure detection", () => {
  const view = nginxView(spec.endpoint, spec.masters);
  expect(view.upstreams.map((u: { address: string; port: number }) => `${u.address}:${u.port}`)).toEqual(["172.26.133.161:6443", "172.26.133.162:6443", "172.26.133.163:6443"]);
  expect(view.connectTimeout).toBe("500ms");
  expect(view.nextUpstreamTries).toBe(3);
});

test("apiserver SANs cover the VIP, every master and loopback, without duplicates", () => {
  const sans = planCluster(validateConfig({ ...seed000, certSans: ["api.example.com", "172.26.133.160"] }, fakeFiles)).api.sans;
  expect(sans).toEqual(["172.26.133.160", "172.26.133.161", "172.26.133.162", "172.26.133.163", "kube-master01", "kube-master02", "kube-master03", "127.0.0.1", "localhost", "api.example.com"]);
});

test("endpoints: VIP:lbPort, or the local proxy for nodes and the first master for the kubeconfig", () => {
  expect(planCluster(spec).api.controlPlaneEndpoint).toBe("172.26.133.160:16443");
  expect(planCluster(spec).api.externalEndpoint).toBe("172.26.133.160:16443");
  const local = planCluster(validateConfig(seed002, fakeFiles));
  expect(local.api.controlPlaneEndpoint).toBe("127.0.0.1:16443");
  expect(local.api.externalEndpoint).toBe("10.0.0.11:6443");
});

test("the discovery hash is sha256 over the CA's SubjectPublicKeyInfo", () => {
  const { publicKey } = generateKeyPairSync("rsa", { modulusLength: 1024 });
  const pem = publicKey.export({ type: "spki", format: "pem" }).toString();
  const expected = createHash("sha256")
    .update(createPublicKey(pem).export({ type: "spki", format: "der" }))
    .digest("hex");
  expect(caCertHash(pem)).toBe(`sha256:${expected}`);
});

test("join views carry labels as one kubelet flag value", () => {
  const view = kubeadmJoinView(planCluster(spec), spec.hosts[3], { controlPlane: false, labels: { a: "1", "kubeha.io/pool": "p" }, taints: [] }, "abcdef.0123456789abcdef", "sha256:00", []);
  expect(view.nodeLabels).toBe("a=1,kubeha.io/pool=p");
  expect(view.controlPlane).toBe(false);
});

test("kubeletDiskEviction=false turns off disk-pressure eviction and image collection; the default keeps the kubelet's", () => {
  const render = (raw: typeof seed000) => {
    const s = validateConfig(raw, fakeFiles);
    return renderFile("controlPlane/kubeadm/init.yaml", kubeadmInitView(planCluster(s), s.masters[0], []));
  };
  expect(render(seed000)).not.toContain("evictionHard");
  const off = render(withKeys(seed000, { kubeletDiskEviction: "false" }));
  expect(off).toMatch(/evictionHard:\n {2}memory.available: "100Mi"\n {2}nodefs.available: "0%"/);
  expect(off).toContain("imageGCHighThresholdPercent: 100");
});
