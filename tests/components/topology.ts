// Assertions every topology must satisfy, run against the real program under mocks.
import { RawConfig } from "../../config/types";
import { READ_HOST_KEYS } from "../../components/host/hostKeys";
import { isSecret, ProgramRun, runProgram } from "../fixtures/mockProgram";

const SECRET_FILES = /(\.key|kubeha-auth\.conf)$/;
const GUARD = "kubeha-destroy-guard";

/** The two shapes of create command that carry contents over stdin, and the reachability probe. */
const SCRIPT_RUNNER = `bash -c 'f=$(mktemp) && cat > "$f" && bash "$f" < /dev/null; rc=$?; rm -f "$f"; exit $rc'`;
const FILE_WRITER = /^sh -c 'umask 077 && mkdir -p "\$\(dirname (\/[\w./-]+)\)" && cat > \1\.kubeha-tmp && chmod 0(?:600|644|755) \1\.kubeha-tmp && mv -f \1\.kubeha-tmp \1'$/;
const PROBE = "uname -srm && cat /etc/os-release | grep ^PRETTY_NAME=";

/** expected.apiServer: the server URL of the exported admin kubeconfig. */
export function describeTopology(label: string, raw: RawConfig, expected: { apiServer: string }, extra: (run: () => ProgramRun) => void): void {
  describe(label, () => {
    let run: ProgramRun;
    beforeAll(async () => {
      run = await runProgram(raw);
    });

    test("every host is reached once over SSH before anything else runs on it", () => {
      const hosts = raw.hosts as { name: string; address: string }[];
      const reach = run.resources.filter((r) => r.name.endsWith("-reachable"));
      expect(reach.map((r) => r.inputs.connection.host).sort()).toEqual(hosts.map((h) => h.address).sort());
      for (const step of run.scripts()) {
        const hostName = hosts.find((h) => h.address === step.host)!.name;
        expect({ step: step.name, waits: run.waitsFor(step.name, `kubeha-hosts-${hostName}-reachable`) }).toEqual({ step: step.name, waits: true });
        // ... and for its cleanup step, which is therefore deleted after every other step of the host.
        const cleanup = `kubeha-hosts-${hostName}-cleanup`;
        if (step.name !== cleanup) expect({ step: step.name, waits: run.waitsFor(step.name, cleanup) }).toEqual({ step: step.name, waits: true });
      }
      for (const host of hosts) {
        const cleanup = run.named(`kubeha-hosts-${host.name}-cleanup`);
        expect(cleanup.inputs.delete).toMatch(
          /^sh -c 'rm -rf \/etc\/kubeha \/var\/log\/kubeha \/var\/lib\/kubeha \/etc\/etcd \/etc\/keepalived\/keepalived\.conf \/etc\/keepalived\/kubeha-auth\.conf /,
        );
      }
    });

    test("every child resource has a parent component", () => {
      for (const r of run.resources.filter((r) => !r.type.startsWith("kubeha:index:") && !r.type.startsWith("pulumi:pulumi:") && r.name !== GUARD)) {
        expect({ name: r.name, parent: r.parent }).toEqual({ name: r.name, parent: expect.stringMatching(/^kubeha-/) });
      }
    });

    test("private keys, tokens and passwords travel as secrets, with logging off", () => {
      const files = run.files();
      // Each kind of secret file is there to be checked (keepalived's auth only with a VIP).
      const kinds = new Set(files.filter((f) => SECRET_FILES.test(f.path)).map((f) => SECRET_FILES.exec(f.path)![1]));
      expect([...kinds].sort()).toEqual([".key", ...(raw.apiEndpoint === "local" ? [] : ["kubeha-auth.conf"])].sort());
      for (const file of files) {
        const resource = file.resource;
        const secret = SECRET_FILES.test(file.path);
        expect({ path: file.path, secret: isSecret(resource.rawInputs.stdin) }).toEqual({ path: file.path, secret });
        if (secret) expect(resource.inputs.logging).toBe("none");
        if (secret) expect(resource.inputs.create).toMatch(/chmod 0600/);
      }
    });

    test("join configurations on the nodes hold a placeholder; the token travels only in the join steps' secret scripts", () => {
      const joins = run.files().filter((f) => f.path === "/etc/kubeha/kubeadm-join.yaml" || f.path === "/etc/kubeha/kubeadm-rejoin.yaml");
      expect(joins.length).toBeGreaterThan(1);
      for (const f of joins) expect({ path: f.path, placeholder: String(f.resource.inputs.stdin).includes('token: "@@TOKEN@@"') }).toEqual({ path: f.path, placeholder: true });
      const steps = run.resources.filter((r) => r.name.endsWith("-kubeadm-join"));
      expect(steps.length).toBeGreaterThan(1);
      for (const step of steps) {
        expect({ step: step.name, secret: isSecret(step.rawInputs.stdin), token: /^TOKEN="[a-z0-9]{6}\.[a-z0-9]{16}"$/m.test(String(step.inputs.stdin)) }).toEqual({
          step: step.name,
          secret: true,
          token: true,
        });
      }
    });

    test("one bootstrap token for this set of joins: issued in a secret script, used by every join, revoked after them all, in no file and no plain input", () => {
      const tokenOf = (r: { inputs: Record<string, unknown> }) => /^TOKEN="([a-z0-9]{6}\.[a-z0-9]{16})"$/m.exec(String(r.inputs.stdin))?.[1];
      const first = (raw.hosts as { name: string; roles: string[] }[]).find((h) => h.roles.includes("master"))!.name;
      const issue = run.named(`kubeha-cp-${first}-bootstrap-token-issue`);
      const revoke = run.named(`kubeha-cp-${first}-bootstrap-token-revoke`);
      const token = tokenOf(issue)!;
      expect(isSecret(issue.rawInputs.stdin)).toBe(true);
      expect(token).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
      const joins = run.resources.filter((r) => r.name.endsWith("-kubeadm-join"));
      for (const join of joins) expect({ join: join.name, token: tokenOf(join) }).toEqual({ join: join.name, token });
      const last = [...joins, ...run.resources.filter((r) => /^kubeha-pool-.*-registered$/.test(r.name))];
      for (const step of last) expect({ step: step.name, revokedAfter: run.waitsFor(revoke.name, step.name) }).toEqual({ step: step.name, revokedAfter: true });
      expect(isSecret(revoke.rawInputs.stdin)).toBe(false);
      expect(String(revoke.inputs.stdin)).not.toContain(token);
      expect(String(revoke.inputs.stdin)).toContain("kubectl -n kube-system delete secret $names --ignore-not-found");
      expect(
        run
          .files()
          .filter((f) => f.content.includes(token))
          .map((f) => f.path),
      ).toEqual([]);
      for (const r of run.resources) {
        for (const [key, value] of Object.entries(r.rawInputs)) {
          if (!isSecret(value)) expect({ name: r.name, key, leaks: (JSON.stringify(value) ?? "").includes(token.split(".")[1]) }).toEqual({ name: r.name, key, leaks: false });
        }
      }
    });

    test("the destroy guard waits for every component, so that a destroy deletes it first, and refuses unless kubeha:allowDestroy", () => {
      const guard = run.named(GUARD);
      expect(guard.inputs).toMatchObject({ allowed: false, clusterName: "kubeha", stack: "test" });
      expect(guard.inputs.message).toContain("kubeha:allowDestroy was not true at the last `pulumi up`");
      const components = run.resources.filter((r) => r.type.startsWith("kubeha:index:")).map((r) => r.name);
      expect([...guard.dependsOn].sort()).toEqual([...new Set(components), "organization/kubeha/test"].sort());
      const parentOf = new Map(run.resources.map((r) => [r.name, r.parent]));
      const guarded = (name: string): boolean => guard.dependsOn.includes(name) || (parentOf.get(name) !== undefined && guarded(parentOf.get(name)!));
      for (const r of run.resources.filter((r) => r.name !== GUARD && !r.type.startsWith("pulumi:"))) expect({ name: r.name, guarded: guarded(r.name) }).toEqual({ name: r.name, guarded: true });
    });

    test("no secret appears in any plain-text input", () => {
      for (const r of run.resources) {
        for (const [key, value] of Object.entries(r.rawInputs)) {
          if (isSecret(value) || key === "connection") continue;
          const text = JSON.stringify(value) ?? "";
          expect({ name: r.name, key, leaks: /PRIVATE KEY|MOCK-KEY|rnd\d\dr/.test(text) }).toEqual({ name: r.name, key, leaks: false });
        }
      }
    });

    test("the SSH key reaches every connection as a secret", () => {
      for (const r of run.byType("command:remote:Command")) {
        expect({ name: r.name, connectionIsSecret: isSecret(r.rawInputs.connection) }).toEqual({ name: r.name, connectionIsSecret: true });
        expect(r.inputs.connection.privateKey).toBe("MOCK-KEY");
      }
    });

    test("file contents never appear inside a shell command", () => {
      for (const r of run.byType("command:remote:Command")) {
        // Contents go over stdin: the command is the fixed script runner, the fixed file writer
        // (one path, one mode) or the reachability probe, and never holds a line of its stdin.
        const create: string = r.inputs.create;
        const shape = create === SCRIPT_RUNNER ? "script" : FILE_WRITER.test(create) ? "file" : create === PROBE ? "probe" : create === READ_HOST_KEYS ? "host-keys" : create;
        const expected = r.name.endsWith("-reachable") ? "probe" : r.name.endsWith("-host-key") ? "host-keys" : expect.stringMatching(/^(script|file)$/);
        expect({ name: r.name, shape }).toEqual({ name: r.name, shape: expected });
        for (const line of String(r.inputs.stdin ?? "")
          .split("\n")
          .filter((l) => l.trim().length >= 8))
          expect({ name: r.name, inCommand: create.includes(line) }).toEqual({ name: r.name, inCommand: false });
        expect(r.inputs.create).not.toMatch(/BEGIN|\n/);
      }
    });

    test("the kubeconfig output is a secret whose server is the API endpoint", () => {
      expect(run.secretOutputs).toContain("kubeconfig");
      const servers = String(run.outputs.kubeconfig)
        .split("\n")
        .filter((l) => /^\s*server:/.test(l))
        .map((l) => l.trim());
      expect(servers).toEqual([`server: ${expected.apiServer}`]);
    });

    test("bootstrap order: load balancer -> first master -> other masters in turn -> workers -> add-ons", () => {
      const masters = (raw.hosts as { name: string; roles: string[] }[]).filter((h) => h.roles.includes("master")).map((h) => h.name);
      const init = `kubeha-cp-${masters[0]}-kubeadm-init`;
      const lbGate = run.resources.find((r) => /^kubeha-lb-.*-(vip-answers|nginx-apply)$/.test(r.name))!.name;
      expect(run.waitsFor(init, lbGate)).toBe(true);
      let previous = init;
      for (const master of masters.slice(1)) {
        const join = `kubeha-cp-${master}-kubeadm-join`;
        expect(run.waitsFor(join, previous)).toBe(true);
        previous = join;
      }
      const workerJoins = run.resources.filter((r) => /^kubeha-pool-.*-kubeadm-join$/.test(r.name));
      const workers = (raw.hosts as { name: string; roles: string[] }[]).filter((h) => h.roles.includes("worker")).map((h) => h.name);
      expect(workerJoins.map((r) => r.name.replace(/^kubeha-pool-\w+-(.*)-kubeadm-join$/, "$1")).sort()).toEqual([...workers].sort());
      for (const join of workerJoins) {
        expect(run.waitsFor(join.name, previous)).toBe(true);
        expect(run.waitsFor(join.name, `kubeha-cp-${masters[0]}-bootstrap-token-issue`)).toBe(true);
      }
      expect(run.waitsFor("kubeha-addons-k8s", previous)).toBe(true);
    });

    test("worker preparation does not wait for the control plane (it runs in parallel)", () => {
      const prepare = run.resources.find((r) => /^kubeha-pool-.*-prepare$/.test(r.name))!;
      expect(run.waitsFor(prepare.name, `kubeha-cp-${(raw.hosts as { name: string; roles: string[] }[]).find((h) => h.roles.includes("master"))!.name}-kubeadm-init`)).toBe(false);
    });

    test("removing a worker drains it on the first master, then resets it", () => {
      const registered = run.resources.find((r) => /^kubeha-pool-.*-registered$/.test(r.name))!;
      expect(registered.inputs.delete).toMatch(/kubectl --kubeconfig=\/etc\/kubernetes\/admin.conf drain \S+ --ignore-daemonsets/);
      const join = run.named(registered.name.replace(/-registered$/, "-kubeadm-join"));
      expect(join.inputs.delete).toMatch(/kubeadm reset -f/);
      // The join script skips a node with its success marker: a reset must remove it.
      expect(join.inputs.delete).toContain("/etc/kubeha/kubeadm-join.done");
      expect(run.waitsFor(registered.name, join.name)).toBe(true);
    });

    extra(() => run);
  });
}
