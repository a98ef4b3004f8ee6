// End-to-end: another stack consumes the lab cluster. The example consumer project
// (examples/consumer) reads the lab stack's kubeconfig through a StackReference, deploys a
// namespace and a workload with it, keeps the kubeconfig only as a secret in its own state, and
// removes both on destroy. Its stack lives in the same local backend as the lab stack.
import * as fs from "fs";
import * as path from "path";
import { CliResult, describeWithPlugins, pulumi, REPO } from "../fixtures/pulumiCli";
import { LAB_STACK, useDeployedLab, waitFor } from "../fixtures/lab";
import { kubeconfig, kubectl, kubectlOk, TEST_IMAGE } from "../fixtures/cluster";

jest.setTimeout(900000);

const describeReal = describeWithPlugins("consumer end-to-end test");

const PROJECT = path.join(REPO, "examples/consumer");
// A lab stack by name (scripts/passphrase.sh): it gets the lab's example passphrase, which it must
// share, since one pulumi process decrypts both its own secrets and the lab stack's outputs.
const STACK = "lab-app";
const STACK_FILE = path.join(PROJECT, `Pulumi.${STACK}.yaml`);
const NAMESPACE = "kubeha-e2e-consumer";
/** Pulumi's marker of an encrypted value in an exported state. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";

/** The pulumi CLI on the consumer project's stack (scripts/pulumi.sh: same toolchain, backend and passphrase). */
function consumer(args: string[], timeoutMs = 600000): CliResult {
  return pulumi([...args, "--cwd", PROJECT, "--stack", STACK], { timeoutMs });
}

function consumerOk(args: string[], timeoutMs?: number): string {
  const result = consumer(args, timeoutMs);
  if (result.status !== 0) throw new Error(`pulumi ${args.join(" ")} (consumer) failed (${result.status}):\n${result.stdout.slice(-6000)}\n${result.stderr.slice(-3000)}`);
  return result.stdout;
}

function consumerStackExists(): boolean {
  const listed = pulumi(["stack", "ls", "--json", "--cwd", PROJECT]);
  return listed.status === 0 && (JSON.parse(listed.stdout) as { name: string }[]).some((s) => s.name.split("/").pop() === STACK);
}

/** Removes the consumer stack (destroying what it deployed first) and its config file. */
function removeConsumerStack(): void {
  if (consumerStackExists()) {
    consumer(["destroy", "--yes", "--skip-preview"]);
    consumer(["stack", "rm", "--yes", "--force"]);
  }
  fs.rmSync(STACK_FILE, { force: true });
}

/** The base64 values of a kubeconfig's data fields (certificate-authority-data, client-certificate-data, client-key-data). */
function kubeconfigDataValues(text: string): string[] {
  return [...text.matchAll(/^\s*(?:certificate-authority-data|client-certificate-data|client-key-data):\s*(\S+)\s*$/gm)].map((m) => m[1]);
}

describeReal("a consumer stack deploying onto the lab cluster through a StackReference", () => {
  beforeAll(() => {
    useDeployedLab();
    removeConsumerStack();
    consumerOk(["stack", "init"]);
    consumerOk(["config", "set", "clusterStack", `organization/kubeha/${LAB_STACK}`]);
    consumerOk(["config", "set", "namespace", NAMESPACE]);
    consumerOk(["config", "set", "image", TEST_IMAGE]);
    consumerOk(["config", "set", "imagePullPolicy", "Never"]);
  });

  afterAll(() => {
    removeConsumerStack();
  });

  test("pulumi up creates the namespace and a running workload, seen with kubectl", () => {
    consumerOk(["up", "--yes", "--skip-preview"], 900000);
    expect(kubectlOk(["get", "namespace", NAMESPACE, "-o", "jsonpath={.status.phase}"])).toBe("Active");
    kubectlOk(["-n", NAMESPACE, "rollout", "status", "deployment/hello", "--timeout=120s"], undefined, 180000);
    const pods = JSON.parse(kubectlOk(["-n", NAMESPACE, "get", "pods", "-l", "app=hello", "-o", "json"])) as { items: { metadata: { name: string }; status: { phase: string } }[] };
    expect(pods.items.map((p) => p.status.phase)).toEqual(["Running"]);
    expect(kubectlOk(["-n", NAMESPACE, "logs", pods.items[0].metadata.name])).toContain("hello from a kubeha consumer");
    expect(consumerOk(["stack", "output", "namespaceName"]).trim()).toBe(NAMESPACE);
  });

  test("the consumer's state holds the kubeconfig only as a secret", () => {
    const lab = fs.readFileSync(kubeconfig(), "utf8");
    const values = kubeconfigDataValues(lab);
    expect(values).toHaveLength(3);
    const exported = consumerOk(["stack", "export"]);
    for (const value of values) expect(exported).not.toContain(value);
    expect(exported).not.toMatch(/client-key-data|BEGIN [A-Z ]*PRIVATE KEY/);

    const resources = (JSON.parse(exported) as { deployment: { resources: { type: string; inputs?: Record<string, any>; outputs?: Record<string, any> }[] } }).deployment.resources;
    const provider = resources.find((r) => r.type === "pulumi:providers:kubernetes" && r.inputs?.kubeconfig !== undefined);
    expect(provider?.inputs?.kubeconfig?.[SECRET_SIG]).toBeDefined();
    expect(provider?.inputs?.kubeconfig?.ciphertext).toEqual(expect.any(String));
    const reference = resources.find((r) => r.type === "pulumi:pulumi:StackReference");
    expect(reference?.outputs?.secretOutputNames).toContain("kubeconfig");
    expect(reference?.outputs?.outputs?.kubeconfig?.[SECRET_SIG]).toBeDefined();
  });

  test("pulumi destroy removes the workload and the namespace", async () => {
    consumerOk(["destroy", "--yes", "--skip-preview"], 900000);
    await waitFor(
      `namespace ${NAMESPACE} deleted`,
      () => {
        const got = kubectl(["get", "namespace", NAMESPACE]);
        return got.status !== 0 && /NotFound/.test(got.stderr);
      },
      180000,
      2000,
    );
    expect(kubectl(["-n", NAMESPACE, "get", "deployment", "hello"]).stderr).toMatch(/NotFound/);
  });
});
