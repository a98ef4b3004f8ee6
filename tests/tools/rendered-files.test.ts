// Each rendered file checked by the real program that will read it: nginx -t, keepalived
// --config-test, shellcheck, systemd-analyze verify, and kubeadm config validate. None of them is
// optional: a missing tool fails its tests, naming what provides it (scripts/test-tools.sh installs
// the Debian tools; kubeadm comes from the offline artifacts, `npm run artifacts`; npm test runs both).
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { distinct, renderAllTopologies, RenderedFile } from "../fixtures/renderedFiles";
import { JOIN_TOKEN_PLACEHOLDER } from "../../components/controlPlane/kubeadm/kubeadmEngine";
import { PATHS } from "../../plan/paths";

let files: RenderedFile[];
let scripts: RenderedFile[];
let work: string;

beforeAll(async () => {
  ({ files, scripts } = await renderAllTopologies());
  work = fs.mkdtempSync(path.join(os.tmpdir(), "kubeha-rendered-"));
}, 120000);

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** What provides each tool, for the error when it is missing. */
const PROVIDED_BY: Record<string, string> = {
  nginx: "Debian's nginx-light and libnginx-mod-stream",
  keepalived: "Debian's keepalived",
  shellcheck: "Debian's shellcheck",
  "systemd-analyze": "Debian's systemd",
};

function run(command: string, args: string[]): { status: number | null; output: string } {
  const result = spawnSync(command, args, { encoding: "utf8" });
  if (result.error) {
    const from = PROVIDED_BY[command] ? `${PROVIDED_BY[command]}: \`bash scripts/test-tools.sh\` installs it (npm test runs it first)` : "see the comment at the top of this file";
    throw new Error(`cannot run ${command} (${result.error.message}): this check needs it. It comes from ${from}.`);
  }
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

function write(name: string, content: string, mode = 0o644): string {
  const file = path.join(work, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content, { mode });
  return file;
}

function named(p: string): RenderedFile[] {
  const found = distinct(files.filter((f) => f.path === p));
  expect(found.length).toBeGreaterThan(0);
  return found;
}

describe("nginx -t", () => {
  test("accepts every rendered nginx.conf", () => {
    for (const [i, f] of named("/etc/nginx/nginx.conf").entries()) {
      const result = run("nginx", ["-t", "-c", write(`nginx-${i}.conf`, f.content)]);
      expect({ topology: f.topology, ...result }).toEqual({ topology: f.topology, status: 0, output: expect.stringContaining("syntax is ok") });
    }
  });

  test("rejects a broken one (the check can fail)", () => {
    const broken = named("/etc/nginx/nginx.conf")[0].content.replace("least_conn;", "least_conn");
    const result = run("nginx", ["-t", "-c", write("nginx-broken.conf", broken)]);
    expect(result.status).toBe(1);
    expect(result.output).toContain('invalid number of arguments in "least_conn" directive');
    expect(result.output).toContain("test failed");
  });
});

describe("keepalived --config-test", () => {
  // keepalived insists that the interface exists: test with one this machine has.
  const iface = execFileSync("ip", ["-o", "link"], { encoding: "utf8" })
    .split("\n")
    .map((l) => l.split(": ")[1]?.split("@")[0])
    .find((n) => n && n !== "lo")!;

  function check(conf: string, auth: string, label: string) {
    const authFile = write(`${label}-auth.conf`, auth, 0o600);
    const checkScript = write(`${label}-check.sh`, named("/etc/keepalived/check_apiserver.sh")[0].content, 0o755);
    const adapted = conf
      .replace(/\binterface \S+/, `interface ${iface}`)
      .replace(/ dev \S+/, ` dev ${iface}`)
      .replace("/etc/keepalived/kubeha-auth.conf", authFile)
      .replace("/etc/keepalived/check_apiserver.sh", checkScript);
    return run("keepalived", ["--config-test", "-f", write(`${label}.conf`, adapted)]);
  }

  test("accepts every rendered keepalived.conf with its auth include", () => {
    const auth = named("/etc/keepalived/kubeha-auth.conf")[0].content;
    expect(auth).toMatch(/^auth_pass \S{8}\n$/);
    for (const [i, f] of named("/etc/keepalived/keepalived.conf").entries()) {
      const result = check(f.content, auth, `keepalived-${i}`);
      expect({ topology: f.topology, host: f.host, ...result }).toEqual({ topology: f.topology, host: f.host, status: 0, output: "" });
    }
  });

  test("accepts the VRRP version 3 configuration: sub-second adverts, a preempt delay, no authentication", () => {
    const v3 = named("/etc/keepalived/keepalived.conf").filter((f) => f.topology === "seed003tuned");
    expect(v3.length).toBe(3);
    for (const f of v3) {
      expect(f.content).toMatch(/\n {2}version 3\n {2}advert_int 0\.2\n {2}preempt_delay 30\n/);
      expect(f.content).not.toContain("authentication");
      expect({ host: f.host, ...check(f.content, "", `keepalived-v3-${f.host}`) }).toEqual({ host: f.host, status: 0, output: "" });
    }
  });

  test("keepalived refuses authentication with version 3, and a sub-second advert with version 2 (why kubeha renders neither)", () => {
    const v3 = named("/etc/keepalived/keepalived.conf").find((f) => f.topology === "seed003tuned")!.content;
    const withAuth = v3.replace("  virtual_ipaddress {", "  authentication {\n    auth_type PASS\n    include /etc/keepalived/kubeha-auth.conf\n  }\n  virtual_ipaddress {");
    const auth = check(withAuth, "auth_pass abcdefgh\n", "keepalived-v3-auth");
    expect(auth.status).not.toBe(0);
    expect(auth.output).toContain("VRRP version 3 does not support authentication");
    const v2 = check(v3.replace("  version 3\n", ""), "", "keepalived-v2-fraction");
    expect(v2.status).not.toBe(0);
    expect(v2.output).toContain("VRRPv2 advertisement interval 0.200000s must be an integer");
  });

  test("rejects a broken one (the check can fail)", () => {
    const conf = named("/etc/keepalived/keepalived.conf")[0].content.replace(/priority \d+/, "priority");
    const result = check(conf, "auth_pass abcdefgh\n", "keepalived-broken");
    expect(result.status).toBe(2);
    expect(result.output).toContain("is missing a parameter after keyword `priority`");
  });
});

describe("shellcheck", () => {
  test("passes every rendered script and the keepalived check script", () => {
    const all = [...distinct(scripts), ...named("/etc/keepalived/check_apiserver.sh"), ...named(PATHS.apiserverGateScript), ...named(PATHS.etcdSnapshotScript), ...named(PATHS.etcdRestoreScript)];
    expect(all.length).toBeGreaterThan(10);
    for (const [i, s] of all.entries()) {
      const result = run("shellcheck", ["--severity=style", write(`script-${i}.sh`, s.content, 0o755)]);
      expect({ script: s.path, ...result }).toEqual({ script: s.path, status: 0, output: "" });
    }
  });

  test("flags a broken script (the check can fail)", () => {
    const result = run("shellcheck", [write("broken.sh", "#!/bin/bash\nrm -rf $DIR/*\n")]);
    expect(result.status).toBe(1);
    expect(result.output).toContain("SC2115");
  });
});

describe("systemd-analyze verify", () => {
  // A scratch root with the standard targets and stand-ins for the binaries the units start.
  function scratchRoot(): string {
    const root = path.join(work, "root");
    fs.mkdirSync(path.join(root, "lib/systemd/system"), { recursive: true });
    for (const unit of fs.readdirSync("/lib/systemd/system").filter((u) => /\.(target|slice)$/.test(u))) {
      const source = path.join("/lib/systemd/system", unit);
      if (fs.statSync(source).isFile()) fs.copyFileSync(source, path.join(root, "lib/systemd/system", unit));
    }
    for (const bin of ["usr/local/bin/etcd", "usr/local/bin/kubelet"]) {
      fs.mkdirSync(path.dirname(path.join(root, bin)), { recursive: true });
      fs.writeFileSync(path.join(root, bin), "#!/bin/sh\n", { mode: 0o755 });
    }
    return root;
  }

  function verify(units: RenderedFile[]) {
    const root = scratchRoot();
    for (const unit of units) {
      fs.mkdirSync(path.dirname(path.join(root, unit.path)), { recursive: true });
      // Programs the units start (a .sh among them) must be executable.
      fs.writeFileSync(path.join(root, unit.path), unit.content, { mode: unit.path.endsWith(".sh") ? 0o755 : 0o644 });
    }
    return run("systemd-analyze", ["verify", `--root=${root}`, ...units.filter((u) => u.path.endsWith(".service") || u.path.endsWith(".timer")).map((u) => u.path)]);
  }

  test("accepts the etcd unit", () => {
    for (const unit of named("/etc/systemd/system/etcd.service")) expect(verify([unit])).toEqual({ status: 0, output: "" });
  });

  test("accepts the offline kubelet unit with its kubeadm drop-in", () => {
    const units = [...named("/etc/systemd/system/kubelet.service"), ...named("/etc/systemd/system/kubelet.service.d/10-kubeadm.conf")];
    expect(verify(units)).toEqual({ status: 0, output: "" });
  });

  test("accepts keepalived's drop-in with Debian's keepalived unit", () => {
    const dropIns = named("/etc/systemd/system/keepalived.service.d/kubeha.conf");
    expect(dropIns.length).toBeGreaterThan(0);
    const debianUnit = { ...dropIns[0], path: "/lib/systemd/system/keepalived.service", content: fs.readFileSync("/lib/systemd/system/keepalived.service", "utf8") };
    for (const dropIn of dropIns) {
      const root = scratchRoot();
      for (const bin of ["usr/sbin/keepalived", "bin/sh", "bin/kill"]) {
        fs.mkdirSync(path.dirname(path.join(root, bin)), { recursive: true });
        fs.writeFileSync(path.join(root, bin), "#!/bin/sh\n", { mode: 0o755 });
      }
      expect(verify([debianUnit, dropIn])).toEqual({ status: 0, output: "" });
    }
  });

  test("accepts each master's apiserver boot gate, ordered before the kubelet it comes with", () => {
    const kubelet = named("/etc/systemd/system/kubelet.service")[0];
    for (const gate of named(PATHS.apiserverGateUnit)) {
      const programs = files.filter((f) => f.path === PATHS.apiserverGateScript && f.topology === gate.topology && f.host === gate.host);
      expect(programs).toHaveLength(1);
      expect(gate.content).toMatch(/^Before=kubelet\.service$/m);
      expect(verify([gate, kubelet, programs[0]])).toEqual({ status: 0, output: "" });
    }
  });

  test("accepts each etcd member's snapshot service and its timer", () => {
    const timers = named(PATHS.etcdSnapshotTimer);
    expect(timers.length).toBeGreaterThan(0);
    for (const timer of timers) {
      const sameHost = (p: string) => files.filter((f) => f.path === p && f.topology === timer.topology && f.host === timer.host);
      const [service, program] = [sameHost(PATHS.etcdSnapshotService), sameHost(PATHS.etcdSnapshotScript)];
      expect([service.length, program.length]).toEqual([1, 1]);
      expect(timer.content).toMatch(/^OnCalendar=hourly$/m);
      expect(verify([timer, service[0], program[0]])).toEqual({ status: 0, output: "" });
    }
  });

  test("rejects a snapshot timer on a schedule systemd cannot read (the check can fail)", () => {
    const timer = named(PATHS.etcdSnapshotTimer)[0];
    const service = files.find((f) => f.path === PATHS.etcdSnapshotService && f.host === timer.host && f.topology === timer.topology)!;
    expect(verify([{ ...timer, content: timer.content.replace("OnCalendar=hourly", "OnCalendar=hourlyy") }, service]).output).toMatch(/Failed to parse calendar specification/);
  });

  test("rejects a broken unit (the check can fail)", () => {
    const unit = named("/etc/systemd/system/etcd.service")[0];
    expect(verify([{ ...unit, content: unit.content.replace("Type=notify", "Type=notifyy") }]).output).toMatch(/Failed to parse service type/);
  });
});

describe("kubeadm config validate", () => {
  // The kubeadm of the offline artifacts (scripts/artifacts/build.sh), at the Kubernetes release
  // they build; KUBEHA_KUBEADM names another one.
  const k8sVersion = /^require k8s\.io\/kubernetes v(\S+)$/m.exec(fs.readFileSync(path.join(__dirname, "../../scripts/artifacts/go/k8s/go.mod"), "utf8"))![1];
  const built = path.join(process.env.KUBEHA_CACHE ?? path.join(os.homedir(), ".cache/kubeha"), "artifacts", `k8s-${k8sVersion}`, "bin/kubeadm");
  const kubeadm = process.env.KUBEHA_KUBEADM || built;

  test(`accepts every rendered kubeadm init and join configuration (${kubeadm})`, () => {
    if (!fs.existsSync(kubeadm)) {
      throw new Error(
        process.env.KUBEHA_KUBEADM
          ? `KUBEHA_KUBEADM=${kubeadm} does not exist`
          : `no kubeadm at ${kubeadm}: \`npm run artifacts\` builds the offline artifacts of Kubernetes ${k8sVersion}, kubeadm among them (npm test runs it first), or set KUBEHA_KUBEADM to a kubeadm binary`,
      );
    }
    // The join and rejoin configurations once kubeadm-join.sh or kubeadm-init.sh has put a token in.
    const withToken = [...named("/etc/kubeha/kubeadm-join.yaml"), ...named("/etc/kubeha/kubeadm-rejoin.yaml")].map((f) => ({
      ...f,
      content: f.content.replace(JOIN_TOKEN_PLACEHOLDER, "abcdef.0123456789abcdef"),
    }));
    expect(withToken.filter((f) => f.path.endsWith("rejoin.yaml")).length).toBeGreaterThan(0);
    for (const [i, f] of [...named("/etc/kubeha/kubeadm-init.yaml"), ...withToken].entries()) {
      const result = run(kubeadm, ["config", "validate", "--config", write(`kubeadm-${i}.yaml`, f.content)]);
      expect({ topology: f.topology, path: f.path, status: result.status, output: result.status === 0 ? "" : result.output }).toEqual({ topology: f.topology, path: f.path, status: 0, output: "" });
    }
  });

  test("accepts the init configuration with the fast leader-election profile", () => {
    if (!fs.existsSync(kubeadm)) throw new Error(`no kubeadm at ${kubeadm}: see the test above`);
    const fast = named("/etc/kubeha/kubeadm-init.yaml").filter((f) => f.topology === "seed003tuned");
    expect(fast.length).toBe(1);
    expect(fast[0].content.match(/name: leader-elect-(lease-duration|renew-deadline|retry-period)/g)?.length).toBe(6);
    const result = run(kubeadm, ["config", "validate", "--config", write("kubeadm-fast.yaml", fast[0].content)]);
    expect({ status: result.status, output: result.status === 0 ? "" : result.output }).toEqual({ status: 0, output: "" });
  });

  test("rejects a broken one (the check can fail)", () => {
    if (!fs.existsSync(kubeadm)) throw new Error(`no kubeadm at ${kubeadm}: see the test above`);
    const broken = named("/etc/kubeha/kubeadm-init.yaml")[0].content.replace(/serviceSubnet: "[^"]*"/, 'serviceSubnet: "not-a-cidr"');
    expect(broken).not.toBe(named("/etc/kubeha/kubeadm-init.yaml")[0].content);
    expect(run(kubeadm, ["config", "validate", "--config", write("kubeadm-broken.yaml", broken)]).status).not.toBe(0);
  });
});
