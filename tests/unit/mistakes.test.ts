// The operator mistakes validation refuses beyond the shapes: colliding ports, addresses and names
// that cannot be a host's, labels and taints the kubelet refuses or that override kubeha's own,
// network sizes the apiserver refuses, versions kubeha cannot serve, a malformed bastion. Each
// rule with input it refuses and input it accepts.
import { expectRejected, problemsOf } from "../fixtures/problems";
import { fakeFiles, seed000, seed001, seed002, seed003, withKeys } from "../fixtures/topologies";
import { VERSIONS } from "../../plan/versions";

const hosts000 = seed000.hosts as Record<string, unknown>[];
const withHost = (index: number, changes: Record<string, unknown>) => withKeys(seed000, { hosts: hosts000.map((h, i) => (i === index ? { ...h, ...changes } : h)) });
const pool = (changes: Record<string, unknown>) => withKeys(seed003, { workerPools: [{ name: "general", hosts: ["worker-0", "worker-1"], ...changes }] });

describe("ports", () => {
  test.each([
    [10250, "the kubelet"],
    [10257, "kube-controller-manager"],
    [10259, "kube-scheduler"],
    [2379, "etcd's clients"],
    [2381, "etcd's metrics"],
  ])("lbPort %d on the masters (stacked etcd) is refused: it is the port of %s", (lbPort, owner) => {
    expectRejected(withKeys(seed000, { lbPort }), "lbPort", new RegExp(`nginx would listen on ${lbPort} on kube-master01, kube-master02, kube-master03, where it is the port of ${owner}`));
  });

  test("lbPort 2380 is refused on lb masters that run external etcd", () => {
    expectRejected(withKeys(seed003, { lbPort: 2380 }), "lbPort", /port of etcd's peers/);
  });

  test("lbPort 10250 on dedicated load balancers, which run no kubelet, is accepted", () => {
    expect(problemsOf(withKeys(seed001, { lbPort: 10250 }))).toEqual([]);
  });

  test("lbPort equal to sshPort is refused, on dedicated load balancers too", () => {
    expectRejected(withKeys(seed001, { lbPort: 2222, sshPort: 2222 }), "lbPort", /port of sshd \(kubeha:sshPort\)/);
  });

  test("lbPort in the NodePort range is refused on nodes (local mode: every node)", () => {
    expectRejected(withKeys(seed002, { lbPort: 30443 }), "lbPort", /NodePort range 30000-32767 of nodes m1, m2, m3, w1/);
    expectRejected(withKeys(seed000, { lbPort: 32767 }), "lbPort", /NodePort range/);
  });

  test("lbPort in the NodePort range on dedicated load balancers is accepted", () => {
    expect(problemsOf(withKeys(seed001, { lbPort: 30443 }))).toEqual([]);
  });

  test("sshPort on a port the cluster takes is refused, naming the hosts", () => {
    expectRejected(withKeys(seed000, { sshPort: 6443 }), "sshPort", /6443 is the port of the apiserver on kube-master01, kube-master02, kube-master03/);
    expectRejected(withKeys(seed001, { sshPort: 2380 }), "sshPort", /2380 is the port of etcd's peers on master1, master2, node1/);
    expectRejected(withKeys(seed000, { sshPort: 10250 }), "sshPort", /the kubelet on kube-master01.*kube-node03/);
  });

  test("sshPort in the NodePort range is refused", () => {
    expectRejected(withKeys(seed000, { sshPort: 30022 }), "sshPort", /NodePort range 30000-32767/);
  });

  test("another free sshPort is accepted", () => {
    expect(problemsOf(withKeys(seed000, { sshPort: 2222 }))).toEqual([]);
  });
});

describe("host addresses and names", () => {
  test.each([
    ["0.0.0.0", /0\.0\.0\.0\/8/],
    ["127.0.0.1", /loopback/],
    ["224.0.0.18", /multicast/],
    ["255.255.255.255", /broadcast address/],
    ["240.0.0.1", /reserved range/],
  ])("address %s is refused", (address, pattern) => {
    expectRejected(withHost(3, { address }), "hosts[3].address", pattern);
  });

  test("the network and broadcast addresses of the hosts' network are refused", () => {
    expectRejected(withHost(4, { address: "172.26.133.0" }), "hosts[4].address", /is the network address of the hosts' network 172\.26\.133\.0\/24/);
    expectRejected(withHost(4, { address: "172.26.133.255" }), "hosts[4].address", /is the broadcast address of the hosts' network/);
  });

  test("x.x.x.0 is accepted where the hosts' network is larger than a /24", () => {
    expect(problemsOf(withKeys(withHost(4, { address: "172.26.134.0" }), { hostCidr: "172.26.128.0/20" }))).toEqual([]);
  });

  test("a host name the kubelet refuses as a node name is refused", () => {
    expectRejected(withHost(3, { name: "Node01" }), "hosts[3].name", /RFC 1123 DNS label/);
    expectRejected(withHost(3, { name: "node01." }), "hosts[3].name", /not a valid host name/);
    expectRejected(withHost(3, { name: "a".repeat(64) }), "hosts[3].name", /not a valid host name/);
  });

  test("localhost is refused as a host name", () => {
    expectRejected(withHost(3, { name: "localhost" }), "hosts[3].name", /every host's own name for 127\.0\.0\.1/);
  });

  test("two pools of one name (one resource name) are refused", () => {
    const workerPools = [
      { name: "general", hosts: ["worker-0"] },
      { name: "general", hosts: ["worker-1"] },
    ];
    expectRejected(withKeys(seed003, { workerPools }), "workerPools", /two pools are named general/);
  });
});

describe("labels and taints", () => {
  test.each([
    ["kubeha.io/pool", /kubeha's own/],
    ["kubeha.io/cluster", /kubeha's own/],
    ["node-role.kubernetes.io/worker", /cannot be set by a kubelet/],
    ["kubernetes.io/hostname", /override the node's own \(the kubelet sets it to the node name\)/],
    ["kubernetes.io/os", /override the node's own/],
    ["kubernetes.io/role", /kubelet refuses in --node-labels/],
    ["k8s.io/team", /kubelet refuses in --node-labels/],
    ["team.k8s.io/x", /kubelet refuses in --node-labels/],
  ])("label %s is refused", (key, pattern) => {
    expectRejected(pool({ labels: { [key]: "x" } }), "workerPools[0].labels", pattern);
  });

  test.each(["node.kubernetes.io/instance-type", "topology.kubernetes.io/zone", "kubelet.kubernetes.io/x", "example.com/team", "tier"])("label %s is accepted", (key) => {
    expect(problemsOf(pool({ labels: { [key]: "a" } }))).toEqual([]);
  });

  test("a label whose value is a mapping is refused", () => {
    expectRejected(pool({ labels: { tier: { a: 1 } } }), "workerPools[0].labels", /not a valid Kubernetes label/);
  });

  test.each([
    ["node-role.kubernetes.io/control-plane:NoSchedule", /kubeha's own \(the masters' control-plane taint\)/],
    ["node.kubernetes.io/unreachable:NoExecute", /the node controller's/],
    ["bad key=x:NoSchedule", /is not a taint/],
  ])("taint %s is refused", (taint, pattern) => {
    expectRejected(pool({ taints: [taint] }), "workerPools[0].taints", pattern);
  });

  test("two taints of one key and effect are refused; one key with two effects is accepted", () => {
    expectRejected(pool({ taints: ["gpu=a:NoSchedule", "gpu=b:NoSchedule"] }), "workerPools[0].taints", /two taints have key gpu and effect NoSchedule/);
    expect(problemsOf(pool({ taints: ["gpu=a:NoSchedule", "gpu=a:NoExecute"] }))).toEqual([]);
  });
});

describe("network sizes", () => {
  test("a service network larger than /12 is refused; /12 is accepted", () => {
    expectRejected(withKeys(seed000, { serviceCidr: "10.64.0.0/11" }), "serviceCidr", /the apiserver refuses an IPv4 service network larger than \/12/);
    expect(problemsOf(withKeys(seed000, { serviceCidr: "10.96.0.0/12" }))).toEqual([]);
  });

  test("a pod network with fewer /24s than nodes is refused; enough /24s are accepted", () => {
    expectRejected(withKeys(seed000, { podCidr: "10.244.0.0/22" }), "podCidr", /holds 4 per-node \/24 pod ranges, fewer than the 6 nodes/);
    expect(problemsOf(withKeys(seed002, { podCidr: "10.244.0.0/22" }))).toEqual([]);
  });

  test("a pod network more than 16 bits larger than the node ranges is refused", () => {
    expectRejected(withKeys(seed000, { podCidr: "100.0.0.0/7" }), "podCidr", /kube-controller-manager refuses/);
  });
});

describe("Kubernetes versions", () => {
  test.each(["1.30.5", "1.34.0", "1.29.0"])("%s, which the templates cannot serve, is refused", (kubernetesVersion) => {
    expectRejected(withKeys(seed000, { kubernetesVersion }), "kubernetesVersion", /kubeha's templates serve 1\.31 to 1\.33/);
  });

  test.each(["1.31.0", "1.33.4", "v1.32.1"])("%s is accepted online", (kubernetesVersion) => {
    expect(problemsOf(withKeys(seed000, { kubernetesVersion }))).toEqual([]);
  });

  const dir = "/srv/artifacts";
  const files = { fileExists: (p: string) => fakeFiles.fileExists(p) || p.startsWith(dir) };
  test("offline, a version other than the artifacts' is refused", () => {
    const raw = withKeys(seed000, { packageSource: "offline", artifactDir: dir, kubernetesVersion: "1.31.0" });
    expect(problemsOf(raw, files)).toEqual([
      expect.stringMatching(new RegExp(`^kubeha:kubernetesVersion: 1\\.31\\.0 is not the release of the offline artifacts \\(${VERSIONS.kubernetes.replace(/\./g, "\\.")}`)),
    ]);
  });

  test("offline, the artifacts' version is accepted, and any version when no Kubernetes stage is deployed", () => {
    expect(problemsOf(withKeys(seed000, { packageSource: "offline", artifactDir: dir, kubernetesVersion: VERSIONS.kubernetes }), files)).toEqual([]);
    expect(problemsOf(withKeys(seed001, { packageSource: "offline", artifactDir: dir, kubernetesVersion: "1.31.0", deployUntil: "loadBalancer" }), files)).toEqual([]);
  });
});

describe("bastion", () => {
  test.each([
    ["jump@bastion.example.com:70000", /the bastion port 70000 is not a port/],
    ["jump@bastion.example.com:0", /the bastion port 0 is not a port/],
    ["jump@224.0.0.1", /the bastion host 224\.0\.0\.1 is a multicast address/],
    ["jump@Bastion_1", /the bastion host Bastion_1 is neither an IPv4 address nor a DNS name/],
    ["jump@bastion..example.com", /neither an IPv4 address nor a DNS name/],
    ["user@@host", /not user@host\[:port\]/],
    ["jump@host:22:22", /not user@host\[:port\]/],
  ])("%s is refused", (sshBastion, pattern) => {
    expectRejected(withKeys(seed000, { sshBastion }), "sshBastion", pattern);
  });

  test.each(["jump@bastion.example.com:2222", "bastion.example.com", "203.0.113.7", "jump@127.0.0.1:2200"])("%s is accepted", (sshBastion) => {
    expect(problemsOf(withKeys(seed000, { sshBastion }))).toEqual([]);
  });
});
