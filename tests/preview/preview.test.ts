// A real `pulumi preview` of the dev stack (seed 000) through the CLI built by the toolchain step.
import { describeWithPlugins, pulumi, selectStack } from "../fixtures/pulumiCli";

// Without every resource plugin the engine cannot plan: then this is one failing test naming them.
const describeReal = describeWithPlugins("the real preview");

interface Step {
  op: string;
  urn: string;
}

let steps: Step[];
let raw: string;

describeReal("real pulumi preview", () => {
  beforeAll(() => {
    selectStack("dev");
    const result = pulumi(["preview", "--stack", "dev", "--json"]);
    raw = `${result.stdout}${result.stderr}`;
    if (result.status !== 0) throw new Error(`pulumi preview failed (${result.status}):\n${raw}`);
    steps = (JSON.parse(result.stdout) as { steps: Step[] }).steps;
  }, 300000);

  const typeOf = (urn: string) => urn.split("::")[2].split("$").pop()!;

  test("plans all four components", () => {
    const types = steps.map((s) => typeOf(s.urn));
    for (const component of ["EtcdCluster", "LoadBalancerPair", "ControlPlane", "WorkerPool"]) {
      expect(types.filter((t) => t === `kubeha:index:${component}`)).toHaveLength(1);
    }
  });

  test("plans every step as a create on a fresh stack: per-host commands, certificates, add-ons", () => {
    expect(steps.filter((s) => s.op === "create").length).toBeGreaterThan(100);
    // Nothing else on a fresh stack but the read of its own previous outputs (config/previousDeployment.ts).
    expect(steps.filter((s) => s.op !== "create").map((s) => `${s.op} ${typeOf(s.urn)}`)).toEqual(["read pulumi:pulumi:StackReference"]);
    const types = new Set(steps.map((s) => typeOf(s.urn)));
    for (const type of ["command:remote:Command", "tls:index/locallySignedCert:LocallySignedCert", "random:index/randomPassword:RandomPassword", "kubernetes:apps/v1:DaemonSet"]) {
      expect(types).toContain(type);
    }
  });

  test("shows no secret in plain text", () => {
    expect(raw).not.toMatch(/placeholder: not a key|PRIVATE KEY/);
  });
});
