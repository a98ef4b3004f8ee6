// End-to-end: the HA Kubernetes cluster the lab stack deploys from the offline artifacts. Nodes,
// workloads and DNS through the VIP; leader-elected components; a master hard-stopped while a
// probe hits /readyz through the VIP; one apiserver stopped; the master rejoining; every host
// hard-stopped at once; a no-op up.
import { describeWithPlugins } from "../fixtures/pulumiCli";
import { changedOperations, labOk, lastUpdate, masters, sshOk, upOk, useDeployedLab, VIP, LB_PORT, vipHolders, waitFor } from "../fixtures/lab";
import { kubeconfig, kubectl, kubectlOk, TEST_IMAGE, leaseHolder, longestOutage, nodes, rolloutOk, startReadyzProbe } from "../fixtures/cluster";
import { hardStopVipHolder } from "../fixtures/hardStop";
import * as fs from "fs";

jest.setTimeout(600000);

const describeReal = describeWithPlugins("cluster end-to-end tests");

const NAMESPACE = "kubeha-e2e";

const workload = `
apiVersion: v1
kind: Namespace
metadata: {name: ${NAMESPACE}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: sleeper, namespace: ${NAMESPACE}}
spec:
  replicas: 2
  selector: {matchLabels: {app: sleeper}}
  template:
    metadata: {labels: {app: sleeper}}
    spec:
      topologySpreadConstraints:
        - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: sleeper}}}
      containers:
        - {name: sleeper, image: "${TEST_IMAGE}", imagePullPolicy: Never, command: ["/bin/sleep", "100000"]}
---
apiVersion: v1
kind: Service
metadata: {name: sleeper, namespace: ${NAMESPACE}}
spec:
  selector: {app: sleeper}
  ports: [{port: 80}]
`;

const dnsProbe = (name: string) => `
apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: ${NAMESPACE}}
spec:
  restartPolicy: Never
  containers:
    - {name: lookup, image: "${TEST_IMAGE}", imagePullPolicy: Never, command: ["/bin/nslookup", "sleeper.${NAMESPACE}.svc.cluster.local"]}
`;

describeReal("the lab's HA Kubernetes cluster", () => {
  beforeAll(() => useDeployedLab());

  afterAll(() => {
    kubectl(["delete", "namespace", NAMESPACE, "--wait=false"]);
  });

  test("every node is Ready, seen through VIP:16443", async () => {
    expect(fs.readFileSync(kubeconfig(), "utf8")).toContain(`server: https://${VIP}:${LB_PORT}`);
    await waitFor("all five nodes Ready", () => nodes().filter((n) => n.ready).length === 5, 300000, 2000);
    expect(
      nodes()
        .map((n) => n.name)
        .sort(),
    ).toEqual(["m1", "m2", "m3", "w1", "w2"]);
  });

  test("a Deployment's pods run on the workers, and its Service name resolves through cluster DNS", async () => {
    kubectlOk(["apply", "-f", "-"], workload);
    rolloutOk(NAMESPACE, "sleeper", 180);
    const pods = JSON.parse(kubectlOk(["-n", NAMESPACE, "get", "pods", "-l", "app=sleeper", "-o", "json"])) as { items: { spec: { nodeName: string } }[] };
    expect(pods.items.map((p) => p.spec.nodeName).sort()).toEqual(["w1", "w2"]);

    const clusterIp = kubectlOk(["-n", NAMESPACE, "get", "service", "sleeper", "-o", "jsonpath={.spec.clusterIP}"]).trim();
    const probe = `dns-${Date.now()}`;
    kubectlOk(["apply", "-f", "-"], dnsProbe(probe));
    await waitFor("the DNS probe pod to finish", () => /Succeeded|Failed/.test(kubectl(["-n", NAMESPACE, "get", "pod", probe, "-o", "jsonpath={.status.phase}"]).stdout), 120000, 1000);
    const answer = kubectlOk(["-n", NAMESPACE, "logs", probe]);
    expect(answer).toContain(`Address: ${clusterIp}`);
  });

  test("kube-scheduler and kube-controller-manager each have exactly one leader, on a master", () => {
    for (const lease of ["kube-scheduler", "kube-controller-manager"]) {
      expect(masters()).toContain(leaseHolder(lease));
    }
  });

  test("hard-stopping the master that holds the VIP: the VIP and the leases move, the API answers again", async () => {
    const leasesBefore = { scheduler: leaseHolder("kube-scheduler"), controllerManager: leaseHolder("kube-controller-manager") };
    let victim: string | undefined;
    let leaderMs = 0;
    try {
      const stop = await hardStopVipHolder({
        probeIntervalMs: 200,
        vipTimeoutMs: 60000,
        apiTimeoutMs: 120000,
        onStopped: (down) => (victim = down),
        whileDown: async (down, stoppedAt) => {
          for (const lease of ["kube-scheduler", "kube-controller-manager"]) {
            await waitFor(
              `${lease}'s lease on a survivor`,
              () => {
                const holder = kubectl(["-n", "kube-system", "get", "lease", lease, "-o", "jsonpath={.spec.holderIdentity}"]).stdout.split("_")[0];
                return holder !== "" && holder !== down;
              },
              120000,
              1000,
            );
          }
          leaderMs = Date.now() - stoppedAt;
        },
      });
      expect(kubectlOk(["get", "nodes"])).toContain(stop.victim);
      const outage = longestOutage(stop.samples);
      const failures = stop.samples.filter((s) => !s.ok).map((s) => s.at - stop.stoppedAt);
      console.log(
        `hard stop of ${stop.victim}: VIP moved in ${stop.vipMs} ms; /readyz through the VIP unavailable for ${outage} ms ` +
          `(${failures.length} of ${stop.samples.length} probes failed, started at ${failures.join(", ")} ms from the stop); ` +
          `leases (were ${JSON.stringify(leasesBefore)}) on survivors after ${leaderMs} ms`,
      );
      expect(stop.samples.length).toBeGreaterThan(10);
      expect(stop.samples[stop.samples.length - 1].ok).toBe(true);
    } finally {
      if (victim) labOk(["start", victim]);
    }
  });

  test("the stopped master comes back: it rejoins and every node is Ready", async () => {
    await waitFor("all five nodes Ready again", () => nodes().filter((n) => n.ready).length === 5, 300000, 2000);
    await waitFor("three apiservers ready", () => masters().every((m) => sshOk(m, "curl -sk --max-time 2 https://127.0.0.1:6443/readyz || true").trim() === "ok"), 300000, 2000);
  });

  test("with one apiserver that does not hold the VIP stopped, requests through the VIP keep succeeding", async () => {
    const holder = vipHolders()[0];
    const victim = masters().find((m) => m !== holder)!;
    const probe = startReadyzProbe(100);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    // kubelet stops a static pod whose manifest leaves the manifests directory.
    sshOk(victim, "mv /etc/kubernetes/manifests/kube-apiserver.yaml /etc/kubernetes/kube-apiserver.yaml.stopped");
    try {
      await waitFor(`${victim}'s apiserver to stop`, () => sshOk(victim, "curl -sk --max-time 1 https://127.0.0.1:6443/readyz || true").trim() !== "ok", 120000, 500);
      await new Promise((resolve) => setTimeout(resolve, 10000));
      for (let i = 0; i < 10; i++) kubectlOk(["get", "nodes"]);
    } finally {
      sshOk(victim, "mv /etc/kubernetes/kube-apiserver.yaml.stopped /etc/kubernetes/manifests/kube-apiserver.yaml");
    }
    const samples = await probe.stop();
    const failed = samples.filter((s) => !s.ok).length;
    console.log(`apiserver of ${victim} stopped: ${failed} of ${samples.length} requests through the VIP failed`);
    expect(samples.length).toBeGreaterThan(50);
    // nginx retries a refused connection on the next upstream: at most the requests in flight
    // while the apiserver shut down may fail.
    expect(failed).toBeLessThanOrEqual(3);
    await waitFor(`${victim}'s apiserver back`, () => sshOk(victim, "curl -sk --max-time 2 https://127.0.0.1:6443/readyz || true").trim() === "ok", 180000, 1000);
  });

  test("every host hard-stopped at once comes back: etcd, the VIP and every node Ready", async () => {
    const hosts = ["m1", "m2", "m3", "w1", "w2"];
    for (const host of hosts) labOk(["stop", host]);
    const started = Date.now();
    for (const host of hosts) labOk(["start", host]);
    await waitFor("the API through the VIP", () => kubectl(["get", "--raw", "/readyz"]).status === 0, 300000, 2000);
    await waitFor("all five nodes Ready", () => nodes().filter((n) => n.ready).length === 5, 300000, 2000);
    console.log(`all hosts hard-stopped and started: every node Ready after ${Date.now() - started} ms`);
    // Every host runs, so a generous SSH timeout: hosts just booted answer slowly, and a missed
    // answer would read as "not holding". Then several samples: the VIP stays on exactly one.
    await waitFor("the VIP on exactly one host", () => vipHolders(15000).length === 1, 60000, 1000);
    for (let i = 0; i < 3; i++) expect(vipHolders(15000)).toHaveLength(1);
  });

  test("a second pulumi up changes nothing", () => {
    upOk();
    expect(changedOperations(lastUpdate())).toEqual([]);
  });
});
