// End-to-end: a worker leaves the config and comes back. Removing it drains and deletes its node
// (on the first master) and resets the host; adding it back joins it again; then nothing changes.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { describeWithPlugins, pulumi, REPO } from "../fixtures/pulumiCli";
import { changedOperations, LAB_STACK, lastUpdate, ssh, sshOk, STACK_FILE, upOk, useDeployedLab, waitFor } from "../fixtures/lab";
import { kubectlOk, nodes, rolloutOk, TEST_IMAGE } from "../fixtures/cluster";

jest.setTimeout(900000);

const describeReal = describeWithPlugins("worker end-to-end tests");

const LEAVER = "w2";
const NAMESPACE = "kubeha-e2e-workers";
const pinnedPod = `
apiVersion: v1
kind: Namespace
metadata: {name: ${NAMESPACE}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: on-leaver, namespace: ${NAMESPACE}}
spec:
  replicas: 1
  selector: {matchLabels: {app: on-leaver}}
  template:
    metadata: {labels: {app: on-leaver}}
    spec:
      nodeSelector: {kubernetes.io/hostname: ${LEAVER}}
      containers:
        - {name: sleeper, image: "${TEST_IMAGE}", imagePullPolicy: Never, command: ["/bin/sleep", "100000"]}
`;

/** `npm run plan -- lab`: the review summary of the pending change (issue 19), printed for the log. */
function planSummary(label: string): { status: number | null; summary: string } {
  const run = spawnSync("bash", [path.join(REPO, "scripts/plan.sh"), LAB_STACK], { cwd: REPO, encoding: "utf8", timeout: 600000 });
  console.log(`npm run plan -- ${LAB_STACK}, ${label} (exit ${run.status}):\n${run.stdout}`);
  return { status: run.status, summary: run.stdout };
}

/** Steps a preview plans, "op name", without the ones that change nothing. */
function plannedChanges(): string[] {
  const preview = pulumi(["preview", "--stack", LAB_STACK, "--json"]);
  if (preview.status !== 0) throw new Error(`preview failed:\n${preview.stdout}\n${preview.stderr}`);
  return (JSON.parse(preview.stdout).steps as { op: string; urn: string }[]).filter((s) => s.op !== "same" && s.op !== "read").map((s) => `${s.op} ${s.urn.split("::").pop()}`);
}

describeReal("a worker leaving the config, and coming back", () => {
  let originalConfig: string;

  beforeAll(() => {
    useDeployedLab();
    originalConfig = fs.readFileSync(STACK_FILE, "utf8");
  });

  afterAll(() => {
    if (originalConfig) fs.writeFileSync(STACK_FILE, originalConfig);
    spawnQuiet(() => kubectlOk(["delete", "namespace", NAMESPACE, "--wait=false"]));
  });

  test("removed from config: its pods are evicted, its node deleted, the host reset; nothing else is removed", () => {
    kubectlOk(["apply", "-f", "-"], pinnedPod);
    rolloutOk(NAMESPACE, "on-leaver", 120);

    const hostLine = new RegExp(`^\\s*- \\{name: ${LEAVER}, .*\\n`, "m");
    expect(originalConfig).toMatch(hostLine);
    fs.writeFileSync(STACK_FILE, originalConfig.replace(hostLine, ""));

    const plan = planSummary(`${LEAVER} removed from the config`);
    expect(plan.status).toBe(2);
    expect(plan.summary).toContain(`- **${LEAVER}**: leave the cluster (drain, reset)`);
    const planned = plannedChanges();
    const deletes = planned.filter((s) => s.startsWith("delete "));
    // Every step of the leaver, and only those, is deleted; the others at most update (hosts entries).
    expect(deletes.length).toBeGreaterThan(0);
    expect(deletes.filter((s) => !s.includes(`-${LEAVER}-`))).toEqual([]);
    expect(deletes).toEqual(expect.arrayContaining([`delete kubeha-pool-workers-${LEAVER}-registered`, `delete kubeha-pool-workers-${LEAVER}-kubeadm-join`]));
    expect(planned.filter((s) => s.startsWith("replace ") || s.startsWith("create "))).toEqual([]);

    upOk();
    expect(nodes().map((n) => n.name)).not.toContain(LEAVER);
    // The pod pinned to the leaver was evicted by the drain: its replacement cannot schedule.
    const pods = kubectlOk(["-n", NAMESPACE, "get", "pods", "-o", 'jsonpath={range .items[*]}{.spec.nodeName}:{.status.phase}{"\\n"}{end}']);
    expect(pods.trim()).toBe(":Pending");
    // The host is reset: no kubelet config, kubelet not running, no join marker.
    expect(sshOk(LEAVER, "ls /etc/kubernetes/kubelet.conf /etc/kubeha/kubeadm-join.done 2>/dev/null | wc -l").trim()).toBe("0");
    expect(ssh(LEAVER, "systemctl is-active --quiet kubelet").status).toBe(3); // not active (255 would be ssh failing)
    // Its cleanup step went last: no kubeha file is left on it.
    expect(ssh(LEAVER, "test -e /etc/kubeha").status).toBe(1); // absent (255 would be ssh failing)
  });

  test("added back: it joins again, every node is Ready, and its pod runs there again", async () => {
    fs.writeFileSync(STACK_FILE, originalConfig);
    const plan = planSummary(`${LEAVER} added back`);
    expect(plan.status).toBe(2);
    expect(plan.summary).toContain(`- **${LEAVER}**: join the cluster as a worker`);
    upOk();
    await waitFor("every node Ready", () => nodes().filter((n) => n.ready).length === 5, 300000, 2000);
    expect(nodes().map((n) => n.name)).toContain(LEAVER);
    rolloutOk(NAMESPACE, "on-leaver", 180);
  });

  test("then a second pulumi up changes nothing, and the plan says so", () => {
    upOk();
    expect(changedOperations(lastUpdate())).toEqual([]);
    expect(planSummary("no change").status).toBe(0);
  });
});

/** Cleanup that must not fail the suite. */
function spawnQuiet(action: () => unknown): void {
  try {
    action();
  } catch {
    // best effort
  }
}
