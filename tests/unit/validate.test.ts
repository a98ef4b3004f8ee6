// One test per validation rule: each bad input is rejected with a message naming the key and a fix.
import { ConfigError } from "../../config/errors";
import { validateConfig } from "../../config/validate";
import { expectRejected, problemsOf } from "../fixtures/problems";
import { fakeFiles, seed000, seed001, seed002, seed003, withKeys } from "../fixtures/topologies";

const hosts000 = seed000.hosts as Record<string, unknown>[];

describe("valid topologies", () => {
  test.each(Object.entries({ seed000, seed001, seed002, seed003 }))("%s validates", (_name, raw) => {
    expect(problemsOf(raw)).toEqual([]);
  });

  test("seed 000: stacked etcd on the three masters, VIP on the masters", () => {
    const spec = validateConfig(seed000, fakeFiles);
    expect(spec.etcd.topology).toBe("stacked");
    expect(spec.etcd.members.map((h) => h.name)).toEqual(["kube-master01", "kube-master02", "kube-master03"]);
    expect(spec.endpoint.lbHosts.map((h) => h.name)).toEqual(spec.masters.map((h) => h.name));
    expect(spec.endpoint.address).toBe("172.26.133.160");
    expect(spec.endpoint.port).toBe(16443);
    expect(spec.hostCidr).toBe("172.26.133.0/24");
    expect(spec.workerPools).toEqual([expect.objectContaining({ name: "workers", labels: {}, taints: [] })]);
    expect(spec.kubernetes.dnsServiceIp).toBe("10.96.0.10");
  });

  test("seed 002: local mode puts nginx on every node and uses 127.0.0.1", () => {
    const spec = validateConfig(seed002, fakeFiles);
    expect(spec.endpoint.address).toBe("127.0.0.1");
    expect(spec.endpoint.lbHosts.map((h) => h.name)).toEqual(["m1", "m2", "m3", "w1"]);
  });

  test("priorities default to 150, 140, ... in host order when none is given", () => {
    const hosts = hosts000.map((h) => ({ ...h, vrrpPriority: undefined }));
    const spec = validateConfig(withKeys(seed000, { hosts }), fakeFiles);
    expect(spec.endpoint.lbHosts.map((h) => h.vrrpPriority)).toEqual([150, 140, 130]);
  });

  test("pool labels and taints are parsed", () => {
    const spec = validateConfig(seed003, fakeFiles);
    expect(spec.workerPools[0].taints).toEqual([{ key: "dedicated", value: "general", effect: "NoSchedule" }]);
  });

  test("all problems are reported at once", () => {
    expect(problemsOf(withKeys(seed000, { vip: "", podCidr: "bad", sshPrivateKeyPath: "" })).length).toBeGreaterThanOrEqual(3);
  });
});

describe("rules", () => {
  test("an even etcd member count is rejected", () => {
    const hosts = (seed001.hosts as Record<string, unknown>[]).map((h) => (h.name === "node1" ? { ...h, roles: ["worker"] } : h));
    expectRejected(withKeys(seed001, { hosts }), "hosts", /etcd would have 2 members/);
  });

  test("zero etcd members are rejected", () => {
    const hosts = (seed001.hosts as Record<string, unknown>[]).map((h) => ({ ...h, roles: (h.roles as string[]).filter((r) => r !== "etcd") }));
    expectRejected(withKeys(seed001, { hosts }), "hosts", /etcd has no members/);
  });

  test("an even master count is rejected with stacked etcd", () => {
    expectRejected(withKeys(seed000, { hosts: hosts000.filter((h) => h.name !== "kube-master03") }), "hosts", /etcd would have 2 members/);
  });

  test("duplicate host names are rejected", () => {
    const hosts = [...hosts000, { name: "kube-node01", address: "172.26.133.170", roles: ["worker"] }];
    expectRejected(withKeys(seed000, { hosts }), "hosts", /same name kube-node01/);
  });

  test("duplicate addresses are rejected", () => {
    const hosts = [...hosts000, { name: "kube-node04", address: "172.26.133.166", roles: ["worker"] }];
    expectRejected(withKeys(seed000, { hosts }), "hosts", /same address 172.26.133.166/);
  });

  test("a pool naming an unknown host is rejected", () => {
    const workerPools = [{ name: "general", hosts: ["worker-0", "worker-1", "worker-9"] }];
    expectRejected(withKeys(seed003, { workerPools }), "workerPools[0].hosts", /unknown host "worker-9"/);
  });

  test("an unknown role is rejected", () => {
    const hosts = hosts000.map((h) => (h.name === "kube-node01" ? { ...h, roles: ["wroker"] } : h));
    expectRejected(withKeys(seed000, { hosts }), "hosts[3].roles", /unknown role "wroker"/);
  });

  test("a VIP equal to a host address is rejected", () => {
    expectRejected(withKeys(seed000, { vip: "172.26.133.162" }), "vip", /address of host kube-master02/);
  });

  test("a VIP outside the hosts' subnet is rejected", () => {
    expectRejected(withKeys(seed000, { vip: "172.26.134.160" }), "vip", /not a usable address of the hosts' network 172.26.133.0\/24/);
  });

  test("a missing VIP in vip mode is rejected", () => {
    expectRejected(withKeys(seed000, { vip: "" }), "vip", /no VIP is set/);
  });

  test("duplicate VRRP priorities are rejected", () => {
    const hosts = hosts000.map((h) => (h.name === "kube-master03" ? { ...h, vrrpPriority: 101 } : h));
    expectRejected(withKeys(seed000, { hosts }), "hosts", /same vrrpPriority 101/);
  });

  test("priorities 100 or more apart are rejected (the health check subtracts 100)", () => {
    const hosts = hosts000.map((h, i) => (i === 0 ? { ...h, vrrpPriority: 200 } : h));
    expectRejected(withKeys(seed000, { hosts }), "hosts", /vrrpPriority values are 101 apart/);
  });

  test("priorities on only some lb hosts are rejected", () => {
    const hosts = hosts000.map((h) => (h.name === "kube-master03" ? { ...h, vrrpPriority: undefined } : h));
    expectRejected(withKeys(seed000, { hosts }), "hosts", /not on kube-master03/);
  });

  test("lbPort 6443 on hosts shared with apiservers is rejected", () => {
    expectRejected(withKeys(seed000, { lbPort: 6443 }), "lbPort", /port of the apiserver/);
  });

  test("lbPort 6443 on dedicated load balancers is allowed", () => {
    expect(problemsOf(withKeys(seed001, { lbPort: 6443 }))).toEqual([]);
  });

  test("lbPort 6443 in local mode is rejected", () => {
    expectRejected(withKeys(seed002, { lbPort: 6443 }), "lbPort", /port of the apiserver/);
  });

  test("an invalid pod CIDR is rejected", () => {
    expectRejected(withKeys(seed000, { podCidr: "10.244.0.1/16" }), "podCidr", /not a network in CIDR form/);
  });

  test("overlapping pod and service networks are rejected", () => {
    expectRejected(withKeys(seed000, { podCidr: "10.96.0.0/16" }), "podCidr", /overlaps serviceCidr/);
  });

  test("a pod network overlapping the hosts' network is rejected", () => {
    expectRejected(withKeys(seed000, { podCidr: "172.26.0.0/16" }), "podCidr", /overlaps hostCidr/);
  });

  test("a host outside hostCidr is rejected", () => {
    expectRejected(withKeys(seed000, { hostCidr: "172.26.133.0/29" }), "hostCidr", /host kube-node01 \(172.26.133.164\) is outside/);
  });

  test("a missing SSH key is rejected", () => {
    expectRejected(withKeys(seed000, { sshPrivateKeyPath: "" }), "sshPrivateKey", /no SSH private key/);
  });

  test("an SSH key path that does not exist is rejected", () => {
    expectRejected(withKeys(seed000, { sshPrivateKeyPath: "/nope" }), "sshPrivateKeyPath", /does not exist/);
  });

  test("an inline secret key is accepted", () => {
    expect(problemsOf(withKeys(seed000, { sshPrivateKeyPath: "", sshPrivateKey: "-----KEY-----" }))).toEqual([]);
  });

  test("an invalid host name is rejected", () => {
    const hosts = hosts000.map((h) => (h.name === "kube-node01" ? { ...h, name: "Node_01" } : h));
    expectRejected(withKeys(seed000, { hosts }), "hosts[3].name", /not a valid host name/);
  });

  test("an invalid address is rejected", () => {
    const hosts = hosts000.map((h) => (h.name === "kube-node01" ? { ...h, address: "172.26.133.300" } : h));
    expectRejected(withKeys(seed000, { hosts }), "hosts[3].address", /not an IPv4 address/);
  });

  test("no masters is rejected", () => {
    expectRejected(withKeys(seed002, { hosts: [{ name: "w1", address: "10.0.0.21", roles: ["worker"] }] }), "hosts", /no host has role master/);
  });

  test("a single lb host is rejected", () => {
    const hosts = hosts000.map((h) => (h.name === "kube-master01" ? h : { ...h, roles: (h.roles as string[]).filter((r) => r !== "lb"), vrrpPriority: undefined }));
    expectRejected(withKeys(seed000, { hosts }), "hosts", /only kube-master01 has role lb/);
  });

  test("role etcd with stacked topology is rejected", () => {
    const hosts = hosts000.map((h) => (h.name === "kube-node01" ? { ...h, roles: ["worker", "etcd"] } : h));
    expectRejected(withKeys(seed000, { hosts }), "hosts", /etcdTopology is stacked/);
  });

  test("role lb in local mode is rejected", () => {
    const hosts = (seed002.hosts as Record<string, unknown>[]).map((h) => (h.name === "m1" ? { ...h, roles: ["master", "lb"] } : h));
    expectRejected(withKeys(seed002, { hosts }), "hosts", /apiEndpoint is local/);
  });

  test("an unknown enumeration value is rejected", () => {
    expectRejected(withKeys(seed000, { etcdTopology: "sideways" }), "etcdTopology", /not one of stacked, external/);
  });

  test("a non-boolean kubeletDiskEviction is rejected", () => {
    expectRejected(withKeys(seed000, { kubeletDiskEviction: "no" }), "kubeletDiskEviction", /expected true or false/);
  });

  test("kubeletDiskEviction accepts the strings the CLI passes", () => {
    expect(validateConfig(withKeys(seed000, { kubeletDiskEviction: "false" }), fakeFiles).kubernetes.kubeletDiskEviction).toBe(false);
  });

  test("offline without an artifact directory is rejected when etcd or Kubernetes needs one", () => {
    expectRejected(withKeys(seed001, { packageSource: "offline" }), "artifactDir", /packageSource offline needs an artifact directory with bin\/etcd/);
  });

  test("an artifact directory lacking files the deployed stages use is rejected, naming them", () => {
    const dir = "/srv/artifacts";
    const files = { fileExists: (p: string) => fakeFiles.fileExists(p) || p === dir || p === `${dir}/bin/etcd` || p === `${dir}/bin/etcdctl` || p === `${dir}/bin/etcdutl` };
    const raw = withKeys(seed001, { packageSource: "offline", artifactDir: dir });
    let problems: string[] = [];
    try {
      validateConfig(raw, files);
    } catch (err) {
      problems = (err as ConfigError).problems.map((p) => `${p.key}: ${p.problem}`);
    }
    expect(problems).toEqual([`artifactDir: ${dir} lacks bin/kubeadm, bin/kubelet, bin/kubectl, images`]);
    expect(validateConfig(withKeys(raw, { deployUntil: "loadBalancer" }), files).packages.artifactDir).toBe(dir);
  });

  test("scheduled etcd snapshots need etcdutl in the artifact directory, unless they are off", () => {
    const dir = "/srv/artifacts";
    const files = { fileExists: (p: string) => fakeFiles.fileExists(p) || p === dir || p === `${dir}/bin/etcd` || p === `${dir}/bin/etcdctl` };
    const raw = withKeys(seed001, { packageSource: "offline", artifactDir: dir, deployUntil: "loadBalancer" });
    expect(() => validateConfig(raw, files)).toThrow(`kubeha:artifactDir: ${dir} lacks bin/etcdutl. Fix: build them with \`npm run artifacts\``);
    expect(validateConfig(withKeys(raw, { etcdSnapshots: "off" }), files).etcd.snapshots).toBeUndefined();
  });

  test("a malformed taint is rejected", () => {
    const workerPools = [{ name: "general", hosts: ["worker-0", "worker-1"], taints: ["dedicated=general"] }];
    expectRejected(withKeys(seed003, { workerPools }), "workerPools[0].taints", /is not a taint/);
  });

  test("a worker in no pool is rejected", () => {
    expectRejected(withKeys(seed003, { workerPools: [{ name: "general", hosts: ["worker-0"] }] }), "workerPools", /worker-1 is in no pool/);
  });

  test("an out-of-range VRRP router id is rejected", () => {
    expectRejected(withKeys(seed000, { vrrpRouterId: 256 }), "vrrpRouterId", /integer from 1 to 255/);
  });

  test("a malformed Kubernetes version is rejected", () => {
    expectRejected(withKeys(seed000, { kubernetesVersion: "1.32" }), "kubernetesVersion", /not a supported Kubernetes version/);
  });

  test("a malformed pinned host key is rejected", () => {
    const hosts = hosts000.map((h) => (h.name === "kube-node01" ? { ...h, hostKey: "not a key" } : h));
    expectRejected(withKeys(seed000, { hosts }), "hosts[3].hostKey", /malformed hostKey/);
  });

  test("a malformed bastion is rejected", () => {
    expectRejected(withKeys(seed000, { sshBastion: "user@@host" }), "sshBastion", /not user@host/);
  });

  test("the error message lists every problem with its key", () => {
    expect(() => validateConfig(withKeys(seed000, { vip: "172.26.133.161" }), fakeFiles)).toThrow(
      /nothing was changed on any host[\s\S]*kubeha:vip: 172.26.133.161 is the address of host kube-master01\. Fix: /,
    );
  });
});

describe("kubeha:controlPlaneEngine", () => {
  test("defaults to kubeadm", () => {
    expect(validateConfig(seed000, fakeFiles).controlPlaneEngine).toBe("kubeadm");
  });

  test.each([
    ["binary", /"binary": the control plane as plain systemd units \(seed 001\) is not built yet\. Fix: use kubeadm/],
    ["k3s", /"k3s": K3s servers on the external etcd \(seed 004\) are not built yet\. Fix: use kubeadm/],
    ["kubespray", /"kubespray" is not one of kubeadm\. Fix: use one of kubeadm/],
  ])("%s is refused with what to use instead", (engine, pattern) => {
    expect(problemsOf(withKeys(seed000, { controlPlaneEngine: engine }))).toEqual([expect.stringMatching(pattern)]);
  });

  test("a value that is not a string is one problem, not two", () => {
    expect(problemsOf(withKeys(seed000, { controlPlaneEngine: 3 }))).toEqual([expect.stringMatching(/^kubeha:controlPlaneEngine: expected a string, got 3\./)]);
  });
});

test("a host name given as a mapping is shown as written, not as [object Object]", () => {
  const hosts = [{ ...hosts000[0], name: { first: "m1" } }, ...hosts000.slice(1)];
  expectRejected(withKeys(seed000, { hosts }), "hosts[0].name", /"\{"first":"m1"\}" is not a valid host name/);
});
