// `npm run plan -- dev` end to end: a real preview of the committed example stack (it only
// plans, never connects to a host), its JSON written for tools, the summary printed, exit code 2.
// Then a refused plan for real: in a scratch backend the dev stack's last deployment lists three
// masters (an imported state) and a config replacing two of them at once is refused, exit 3.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { describeWithPlugins, pulumi, REPO } from "../fixtures/pulumiCli";

const describeReal = describeWithPlugins("npm run plan");

/** The plaintext of the dev stack's one secret (its placeholder SSH key), and what any key looks like. */
const SECRET_TEXT = /placeholder: not a key|PRIVATE KEY/;

interface PlanRun {
  status: number | null;
  stdout: string;
  stderr: string;
  summary: string;
  json: string;
}

function plan(stack: string, dir: string, extra: string[] = [], env: Record<string, string> = {}): PlanRun {
  const jsonOut = path.join(dir, "preview.json");
  const summaryOut = path.join(dir, "summary.md");
  const result = spawnSync("bash", [path.join(REPO, "scripts/plan.sh"), stack, "--json-out", jsonOut, "--summary-out", summaryOut, ...extra], {
    cwd: REPO,
    encoding: "utf8",
    timeout: 300000,
    env: { ...process.env, ...env },
  });
  const read = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "");
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, summary: read(summaryOut), json: read(jsonOut) };
}

describeReal("npm run plan", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kubeha-plan-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  describe("of the dev stack from nothing", () => {
    let run: PlanRun;
    beforeAll(() => {
      // A scratch backend, as on a fresh clone: scripts/pulumi.sh creates the dev stack from its
      // committed file first (which already needs the example passphrase).
      const backend = fs.mkdtempSync(path.join(dir, "backend-"));
      run = plan("dev", fs.mkdtempSync(path.join(dir, "dev-")), [], { PULUMI_BACKEND_URL: `file://${backend}` });
    }, 300000);

    test("exits 2 (changes) and prints the summary it writes", () => {
      expect({ status: run.status, stderr: run.status === 2 ? "" : run.stderr.slice(-3000) }).toEqual({ status: 2, stderr: "" });
      expect(run.stdout).toBe(run.summary);
      expect(run.summary).toContain("### kubeha plan: stack `dev`");
    });

    test("says what each host does, stage by stage in bootstrap order", () => {
      const headings = run.summary
        .split("\n")
        .filter((l) => l.startsWith("#### "))
        .map((l) => l.replace(/^#### \d+\. /, ""));
      // Stacked etcd's health gate runs once the masters have joined, before any worker.
      // The stack's own resources last: the destroy guard.
      expect(headings).toEqual(["SSH reachability", "API endpoint (load balancer)", "control plane", "etcd", "workers", "add-ons", "stack"]);
      expect(run.summary).toContain("destroy guard (kubeha:allowDestroy; no host) kubeha-destroy-guard");
      const init = /^- \*\*kube-master01\*\*: initialise the cluster \(kubeadm init\), (\d+) new steps$/m.exec(run.summary);
      expect(Number(init?.[1])).toBe(countNew(run.json, "kubeha-cp-kube-master01-"));
      for (const master of ["kube-master02", "kube-master03"]) expect(run.summary).toMatch(new RegExp(`^- \\*\\*${master}\\*\\*: join the control plane, \\d+ new steps$`, "m"));
      for (const worker of ["kube-node01", "kube-node02", "kube-node03"])
        expect(run.summary).toMatch(new RegExp(`^- \\*\\*${worker}\\*\\*: join the cluster as a worker \\(pool workers\\), \\d+ new steps$`, "m"));
      for (const master of ["kube-master01", "kube-master02", "kube-master03"]) expect(run.summary).toMatch(new RegExp(`^- \\*\\*${master}\\*\\*: start nginx and keepalived, \\d+ new steps$`, "m"));
    });

    test("writes the preview's JSON for tools, with no secret in it or in the summary", () => {
      const digest = JSON.parse(run.json) as { steps: { op: string }[] };
      expect(digest.steps.filter((s) => s.op === "create").length).toBeGreaterThan(100);
      expect(run.json).toContain('"[secret]"');
      expect(run.json).not.toMatch(SECRET_TEXT);
      expect(run.summary).not.toMatch(SECRET_TEXT);
      expect(run.summary).not.toContain("[secret]");
    });
  });

  describe("of a membership change kubeha refuses", () => {
    let run: PlanRun;
    beforeAll(() => {
      // A scratch local backend: the dev stack there "was deployed" with masters 01-03 (its membership output).
      const backend = fs.mkdtempSync(path.join(dir, "backend-"));
      const env = { PULUMI_BACKEND_URL: `file://${backend}` };
      const cli = (args: string[]) => {
        const result = pulumi(args, { env });
        if (result.status !== 0) throw new Error(`pulumi ${args.join(" ")} failed:\n${result.stdout}\n${result.stderr}`);
        return result.stdout;
      };
      cli(["stack", "select", "dev", "--create"]);
      const state = JSON.parse(cli(["stack", "export", "--stack", "dev"]));
      const masters = ["kube-master01", "kube-master02", "kube-master03"];
      state.deployment.resources = [
        { urn: "urn:pulumi:dev::kubeha::pulumi:pulumi:Stack::kubeha-dev", custom: false, type: "pulumi:pulumi:Stack", outputs: { membership: { etcd: masters, masters } } },
      ];
      const stateFile = path.join(backend, "state.json");
      fs.writeFileSync(stateFile, JSON.stringify(state));
      cli(["stack", "import", "--stack", "dev", "--file", stateFile]);
      // The committed config with kube-master02 and 03 replaced by two new masters in one update.
      const config = fs
        .readFileSync(path.join(REPO, "Pulumi.dev.yaml"), "utf8")
        .replace(/kube-master02, address: 172\.26\.133\.162/, "kube-master04, address: 172.26.133.167")
        .replace(/kube-master03, address: 172\.26\.133\.163/, "kube-master05, address: 172.26.133.168");
      const configFile = path.join(backend, "Pulumi.dev.yaml");
      fs.writeFileSync(configFile, config);
      run = plan("dev", fs.mkdtempSync(path.join(dir, "refused-")), ["--", "--config-file", configFile], env);
    }, 300000);

    test("exits 3 (refused) with kubeha's reasons at the top and no plan below", () => {
      expect({ status: run.status, stderr: run.status === 3 ? "" : run.stderr.slice(-3000) }).toEqual({ status: 3, stderr: "" });
      expect(run.summary).toContain("**Refused by kubeha.**");
      expect(run.summary).toContain("> - kubeha:hosts: this update would remove 2 masters at once (kube-master02, kube-master03). Fix: remove one master per `pulumi up`.");
      expect(run.summary).toContain("below the quorum of 2");
      expect(run.summary).not.toMatch(/^#### /m);
      expect(run.summary).not.toMatch(SECRET_TEXT);
      expect(run.summary).not.toContain("[secret]");
    });
  });
});

/** How many resources named PREFIX... the preview plans to create. */
function countNew(json: string, prefix: string): number {
  return (JSON.parse(json) as { steps: { op: string; urn: string }[] }).steps.filter((s) => s.op === "create" && s.urn.split("::").pop()!.startsWith(prefix)).length;
}
