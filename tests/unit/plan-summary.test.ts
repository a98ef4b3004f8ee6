// The plan summary (plan-summary/summary.ts) of real previews and of changes derived from them:
// each case checked for the lines a reviewer must see, its exit code, and no secret anywhere.
import { summarise, EXIT } from "../../plan-summary/summary";
import { PreviewDigest } from "../../plan-summary/preview";
import { fileDiff, scriptInputsChanged, UNKNOWN } from "../../plan-summary/diffs";
import { asDelete, asUpdate, devFresh, digestOf, readDigest, stepOf } from "../fixtures/plan/previews";

/** Secret values in the fixtures' stacks: the dev stack's placeholder key, any key, a secret marker. */
const SECRETS = /placeholder: not a key|PRIVATE KEY|\[secret\]|s3cr3t-vrrp/;

function plan(digest: PreviewDigest, status = 0) {
  const { markdown, exitCode } = summarise({ stack: "dev", digest, status, jsonPath: ".kubeha-plan/dev.preview.json" });
  expect(markdown).not.toMatch(SECRETS);
  return { markdown, exitCode, lines: markdown.split("\n") };
}

describe("the dev stack from nothing (a real preview)", () => {
  const { markdown, exitCode, lines } = plan(devFresh());

  test("plans changes: exit 2, counts at the top", () => {
    expect(exitCode).toBe(EXIT.changes);
    expect(markdown).toMatch(/^\*\*\d+ to create, 0 to update, 0 to replace, 0 to delete\*\* \(0 unchanged\)$/m);
  });

  test("every host in its stages, in bootstrap order, in sentences", () => {
    const headings = lines.filter((l) => l.startsWith("#### "));
    expect(headings).toEqual(["#### 1. SSH reachability", "#### 2. API endpoint (load balancer)", "#### 3. control plane", "#### 4. etcd", "#### 5. workers", "#### 6. add-ons"]);
    expect(markdown).toMatch(/^- \*\*kube-master01\*\*: initialise the cluster \(kubeadm init\), \d+ new steps$/m);
    expect(markdown).toMatch(/^- \*\*kube-master02\*\*: join the control plane, \d+ new steps$/m);
    expect(markdown).toMatch(/^- \*\*kube-node03\*\*: join the cluster as a worker \(pool workers\), \d+ new steps$/m);
    expect(markdown).toMatch(/^- \*\*kube-master03\*\*: start nginx and keepalived, \d+ new steps$/m);
    // Hosts appear in the order the plan first touches them.
    const masters = ["kube-master01", "kube-master02", "kube-master03"].map((h) => lines.findIndex((l) => l.startsWith(`- **${h}**: join`) || l.startsWith(`- **${h}**: init`)));
    expect([...masters].sort((a, b) => a - b)).toEqual(masters);
  });

  test("cluster-wide resources are counted, not listed", () => {
    const block = ["- **cluster-wide**: create: CA certificate (3)", "  - create: certificate", "  - create: certificate request", "  - create: generated secret (2)", "  - create: private key (5)"];
    expect(markdown).toContain(block.join("\n"));
    expect(markdown).toMatch(/create: Kubernetes DaemonSet/);
  });
});

describe("a stack with nothing to change", () => {
  const digest: PreviewDigest = { ...digestOf([], 270), steps: [{ op: "read", urn: "urn:pulumi:dev::kubeha::pulumi:pulumi:StackReference::organization/kubeha/dev" }] };
  const { markdown, exitCode } = plan(digest);

  test("says no changes and exits 0", () => {
    expect(exitCode).toBe(EXIT.noChange);
    expect(markdown).toContain("**No changes.** The hosts already match the config.");
    expect(markdown).not.toMatch(/^#### /m);
    expect(markdown).toContain("exit code 0 (no change)");
  });
});

describe("a worker added", () => {
  // The real preview of the dev stack with a fourth worker, over a deployed stack: the new
  // worker's steps are creates, and every other host's /etc/hosts block gains its line.
  const added = readDigest("dev-worker-added.json");
  const creates = (added.steps ?? []).filter((s) => s.op === "create" && s.urn.includes("kube-node04"));
  const hostsFiles = (added.steps ?? [])
    .filter((s) => s.newState?.type === "command:remote:Command" && s.urn.endsWith("-hosts") && !s.urn.includes("kube-node04"))
    .map((s) => asUpdate(s, (inputs) => ({ ...inputs, stdin: String(inputs.stdin).replace("172.26.133.167 kube-node04\n", "") })));
  const { markdown, exitCode, lines } = plan({ ...digestOf([...hostsFiles, ...creates], 260), config: added.config });

  test("the new worker is checked, joins, and every other host learns its address", () => {
    expect(exitCode).toBe(EXIT.changes);
    expect(hostsFiles).toHaveLength(6);
    expect(lines).toContain("- **kube-node04**: check that SSH answers");
    expect(markdown).toMatch(/^- \*\*kube-node04\*\*: join the cluster as a worker \(pool workers\), \d+ new steps$/m);
    for (const host of ["kube-master01", "kube-master02", "kube-master03", "kube-node01", "kube-node02", "kube-node03"]) {
      expect(lines).toContain(`- **${host}**: /etc/hosts entries changed: (none) -> \`172.26.133.167 kube-node04\``);
    }
    expect(markdown).toMatch(new RegExp(`^\\*\\*${creates.length} to create, 6 to update, 0 to replace, 0 to delete\\*\\* \\(260 unchanged\\)$`, "m"));
    // In bootstrap order: the new worker's join comes after the masters' changes.
    expect(lines.findIndex((l) => l.startsWith("- **kube-node04**: join"))).toBeGreaterThan(lines.findIndex((l) => l.startsWith("- **kube-master03**")));
  });
});

describe("a priority changed on one host", () => {
  const fresh = devFresh();
  const conf = stepOf(fresh, "kubeha-lb-kube-master02-keepalived-conf");
  const apply = stepOf(fresh, "kubeha-lb-kube-master02-keepalived-apply");
  const text = (inputs: Record<string, unknown>) => String(inputs.stdin);
  const steps = [
    asUpdate(conf, (inputs) => ({ ...inputs, stdin: text(inputs).replace("priority 100", "priority 102") })),
    // Its script's input hashes are computed during the update: the preview knows only that it runs again.
    asUpdate(apply, (inputs) => inputs),
  ];
  const { markdown, exitCode, lines } = plan(digestOf(steps, 268));

  test("names the host, the file and the changed line, then the reload", () => {
    expect(text(conf.newState!.inputs!)).toContain("priority 100");
    expect(exitCode).toBe(EXIT.changes);
    expect(lines).toContain("- **kube-master02**: keepalived config changed: `priority 102` -> `priority 100`");
    expect(apply.newState?.inputs?.stdin).toBe(UNKNOWN);
    expect(lines).toContain("  - runs again: validates and (re)loads keepalived");
    expect(markdown).toContain("#### 1. API endpoint (load balancer)");
    expect(markdown).not.toMatch(/kube-master0[13]/);
  });

  test("a secret file that changed is named, its content never shown", () => {
    const auth = stepOf(fresh, "kubeha-lb-kube-master02-keepalived-auth");
    expect(auth.newState?.inputs?.stdin).toBe("[secret]");
    const { lines: authLines } = plan(digestOf([asUpdate(auth, (inputs) => inputs)], 269));
    expect(authLines).toContain("- **kube-master02**: keepalived VRRP password changed");
  });
});

describe("a worker removed", () => {
  const fresh = devFresh();
  const steps = (fresh.steps ?? []).filter((s) => s.op === "create" && s.urn.includes("-kube-node03-")).map(asDelete);
  const { markdown, exitCode } = plan(digestOf(steps, 250));

  test("warns at the top that it is drained and reset", () => {
    expect(exitCode).toBe(EXIT.changes);
    expect(markdown).toMatch(/^\*\*Warnings\*\*\n\n- kube-node03 leaves the cluster: its node is drained and deleted, the host reset \(kubeadm reset\)$/m);
    expect(markdown).toMatch(/^- \*\*kube-node03\*\*: leave the cluster \(drain, reset\), \d+ removed steps$/m);
  });
});

describe("a refused membership change (a real preview)", () => {
  const refused = readDigest("dev-refused.json");
  const { markdown, exitCode, lines } = plan(refused, 255);

  test("exits 3 with kubeha's reasons at the top, and no plan", () => {
    expect(exitCode).toBe(EXIT.refused);
    expect(lines[2]).toBe("> **Refused by kubeha.** This update would not run: nothing changes on any host until the config is fixed.");
    expect(lines).toContain("> - kubeha:hosts: this update would remove 2 masters at once (kube-master02, kube-master03). Fix: remove one master per `pulumi up`.");
    expect(markdown).toContain("below the quorum of 2");
    expect(markdown).not.toMatch(/^#### /m);
    expect(markdown).toContain("exit code 3 (refused)");
  });
});

describe("a preview that failed for another reason", () => {
  const digest: PreviewDigest = { diagnostics: [{ severity: "error", message: "error: could not load plugin for tls provider\n" }] };
  const { markdown, exitCode } = plan(digest, 255);

  test("is a tool failure, exit 1, with the error shown", () => {
    expect(exitCode).toBe(EXIT.failed);
    expect(markdown).toContain("> - error: could not load plugin for tls provider");
    expect(markdown).not.toContain("Refused");
  });
});

describe("what changed inside a file or a script", () => {
  test("a script runs again because of the inputs whose hash changed, or its own text", () => {
    const script = (conf: string, body = "reload") => `#!/usr/bin/env bash\n# kubeha inputs: auth=aaaa conf=${conf}\n${body}\n`;
    expect(scriptInputsChanged(script("1111"), script("2222"))).toBe("conf changed");
    expect(scriptInputsChanged(script("1111"), script("1111", "restart"))).toBe("its script changed");
    expect(scriptInputsChanged(script("1111"), UNKNOWN)).toBeUndefined();
  });

  test("secret or unknown content gives no detail; long changes are cut short", () => {
    expect(fileDiff("[secret]", "[secret]")).toBeUndefined();
    expect(fileDiff("password s3cr3t-vrrp", "[secret]")).toBeUndefined();
    expect(fileDiff("a\nb", UNKNOWN)).toBeUndefined();
    expect(fileDiff("a 1\nb 1\nc 1\nd 1", "a 2\nb 2\nc 2\nd 2")).toBe("`a 1` -> `a 2`, `b 1` -> `b 2`, `c 1` -> `c 2`, and 1 more line");
  });
});

test("the fixtures, real preview output, hold no secret value", () => {
  for (const file of ["dev-fresh.json", "dev-worker-added.json", "dev-refused.json"]) {
    expect({ file, leaks: /placeholder: not a key|PRIVATE KEY/.test(JSON.stringify(readDigest(file))) }).toEqual({ file, leaks: false });
  }
});
