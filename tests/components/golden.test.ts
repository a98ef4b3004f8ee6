// Golden files: every file and script the program puts on hosts for the seed topologies
// (tests/fixtures/renderedFiles.ts), compared with tests/golden/<case>/<name>.
// Regenerate after an intended change: KUBEHA_UPDATE_GOLDEN=1 npx jest tests/components/golden.test.ts
//
// - <case> names the topology (CASES below); <name> comes from what is rendered, never from the
//   template's path: a file is named by its on-host path (/etc/keepalived/keepalived.conf ->
//   etc-keepalived-keepalived.conf), a script by its step, the resource name without the cluster
//   prefix and host (kubeha-cp-kube-master01-kubeadm-init -> step-cp-kubeadm-init.sh).
// - A path written by more than one component gets the component as a suffix
//   (etc-kubeha-kubeadm-join.yaml@cp, etc-kubeha-kubeadm-join.yaml@pool-workers).
// - The golden is the rendering for the first host (in config order). Every other host's rendering
//   must equal it once host names, addresses and VRRP priorities are masked; one that differs in
//   anything else gets a golden of its own, <name>@<host>.
// - Random values are replaced by placeholders (PEM blocks, sha256 pins, random passwords and
//   tokens), and the values of the "# kubeha inputs:" line by <hash>. Files that are nothing but
//   placeholders (keys, certificates) have no golden.
// - A golden identical to one before it (cases in CASES order, names sorted) holds one line
//   "# identical to tests/golden/<case>/<name>" instead of the content.
// - The shell library every step script (and program put on hosts) carries is kept once, in
//   _shared/lib.sh, and stands as one line in each golden.
// Fails on a missing, different or stale golden (one that no rendering produces any more).
import * as fs from "fs";
import * as path from "path";
import { shellLibrary } from "../../components/host/script";
import { renderAllTopologies, RenderedFile, TopologyHost } from "../fixtures/renderedFiles";

const GOLDEN_DIR = path.join(__dirname, "..", "golden");
const UPDATE = process.env.KUBEHA_UPDATE_GOLDEN === "1";
const REGENERATE = "KUBEHA_UPDATE_GOLDEN=1 npx jest tests/components/golden.test.ts";

/** Topology ids of renderedFiles -> golden case directories, in dedup order. */
const CASES: Record<string, string> = {
  seed000: "seed000-stacked-etcd-vip-on-masters",
  seed001: "seed001-external-etcd-dedicated-lb",
  seed002: "seed002-local-proxy-no-vip",
  seed003: "seed003-external-etcd-on-masters",
  seed003offline: "seed003-offline",
  seed003tuned: "seed003-vrrp3-fast-leader-election",
};
const SHARED = "_shared";
const LIBRARY_FILE = `${SHARED}/lib.sh`;
const NOT_GOLDEN = new Set(["README.md"]);
/** Folders of tests/golden that other tests own (resources/: tests/components/resources.test.ts). */
const OTHER_TESTS = new Set(["resources"]);
const POINTER = "# identical to tests/golden/";

function normalise(content: string): string {
  return content
    .replace(/^(# kubeha inputs:)(.*)$/gm, (_m, head: string, rest: string) => head + rest.replace(/=\S+/g, "=<hash>"))
    .replace(/-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g, "<$1>")
    .replace(/sha256:[0-9a-f]{64}/g, "sha256:<hash>")
    .replace(/\brnd\d+r*\b/g, "<random>"); // tests/fixtures/mockProgram.ts's RandomPassword results
}

const onlyPlaceholders = (content: string) => /^\s*(?:<[A-Z0-9 ]+>\s*)+$/.test(content);

/** The resource name without the cluster prefix, split at the host it names (if any). */
function stepOf(resource: string, hosts: TopologyHost[]): { component: string; step: string; host?: TopologyHost } {
  const rest = resource.replace(/^kubeha-/, "");
  for (const host of [...hosts].sort((a, b) => b.name.length - a.name.length)) {
    const at = `-${rest}-`.indexOf(`-${host.name}-`);
    if (at >= 0) return { component: rest.slice(0, Math.max(at - 1, 0)), step: rest.slice(at + host.name.length + 1), host };
  }
  return { component: "", step: rest };
}

function masker(hosts: TopologyHost[]): (content: string) => string {
  const values: [string, string][] = [];
  for (const h of hosts) values.push([h.address, "<address>"], [h.name, "<host>"], [h.name.replace(/-/g, "_"), "<host>"]);
  values.sort((a, b) => b[0].length - a[0].length);
  const priorities = hosts.flatMap((h) => (h.vrrpPriority === undefined ? [] : [String(h.vrrpPriority)]));
  const priority = priorities.length ? new RegExp(`\\b(?:${priorities.join("|")})\\b`, "g") : undefined;
  return (content) => {
    let out = content;
    for (const [value, placeholder] of values) out = out.split(value).join(placeholder);
    return priority ? out.replace(priority, "<priority>") : out;
  };
}

interface Rendering {
  readonly item: RenderedFile;
  readonly kind: "file" | "script";
  readonly content: string; // normalised
}

/** Every step script carries the shell library (components/host/script.ts): kept once, in its own golden. */
function stripLibrary(script: string): string {
  const library = shellLibrary().trimEnd();
  if (!script.includes(library)) throw new Error(`a rendered step script lacks the shell library:\n${script.slice(0, 400)}`);
  return script.replace(library, `# <the kubeha shell library: tests/golden/${LIBRARY_FILE}>`);
}

interface Expected {
  /** Path under tests/golden -> exact text of the golden file. */
  readonly files: Map<string, string>;
  /** Path under tests/golden -> content (pointers resolved). */
  readonly resolved: Map<string, string>;
  /** Per case: every rendering and the golden it is checked by. */
  readonly coverage: { caseDir: string; resource: string; host: string; golden: string }[];
}

function expectedGoldens(rendered: { files: RenderedFile[]; scripts: RenderedFile[]; hosts: Record<string, TopologyHost[]> }): Expected {
  for (const topology of Object.keys(rendered.hosts)) {
    if (!(topology in CASES)) throw new Error(`renderedFiles has a topology "${topology}" with no golden case name: add it to CASES in ${path.basename(__filename)}`);
  }
  let renderings: Rendering[] = [
    ...rendered.files.map((item) => ({ item, kind: "file" as const, content: normalise(item.content) })),
    ...rendered.scripts.map((item) => ({ item, kind: "script" as const, content: normalise(item.content) })),
  ].filter((r) => !onlyPlaceholders(r.content));
  // Programs kubeha puts on hosts as files (the apiserver boot gate) carry the library too.
  const library = shellLibrary().trimEnd();
  renderings = renderings.map((r) => (r.kind === "script" || r.content.includes(library) ? { ...r, content: stripLibrary(r.content) } : r));

  const resolved = new Map<string, string>();
  const coverage: Expected["coverage"] = [];
  resolved.set(LIBRARY_FILE, `${shellLibrary().trimEnd()}\n`);
  for (const [topology, caseDir] of Object.entries(CASES)) {
    const hosts = rendered.hosts[topology];
    if (!hosts) throw new Error(`renderedFiles no longer renders topology "${topology}": remove it from CASES`);
    const mask = masker(hosts);
    const order = (r: Rendering) => {
      const named = stepOf(r.item.resource, hosts).host ?? hosts.find((h) => h.address === r.item.host);
      return named ? hosts.indexOf(named) : -1;
    };
    const mine = renderings.filter((r) => r.item.topology === topology).sort((a, b) => order(a) - order(b) || a.item.resource.localeCompare(b.item.resource));
    // Components writing each on-host path: a path written by several is named per component.
    const writers = new Map<string, Set<string>>();
    for (const r of mine.filter((x) => x.kind === "file")) {
      const set = writers.get(r.item.path) ?? new Set<string>();
      set.add(stepOf(r.item.resource, hosts).component);
      writers.set(r.item.path, set);
    }
    const classes = new Map<string, { name: string; content: string }[]>();
    for (const r of mine) {
      const { component, step, host } = stepOf(r.item.resource, hosts);
      let name: string;
      if (r.kind === "script") name = `step-${component ? `${component}-` : ""}${step}.sh`;
      else {
        name = r.item.path.replace(/^\/+/, "").replace(/\//g, "-");
        if (writers.get(r.item.path)!.size > 1) name += `@${component || "program"}`;
      }
      const list = classes.get(name) ?? [];
      classes.set(name, list);
      let golden = list.find((c) => c.content === r.content || mask(c.content) === mask(r.content));
      if (!golden) {
        const who = host ?? hosts.find((h) => h.address === r.item.host);
        golden = { name: list.length === 0 ? name : `${name}@${who?.name ?? r.item.host}`, content: r.content };
        list.push(golden);
      }
      coverage.push({ caseDir, resource: r.item.resource, host: r.item.host, golden: `${caseDir}/${golden.name}` });
    }
    for (const list of classes.values()) for (const c of list) resolved.set(`${caseDir}/${c.name}`, c.content);
  }

  // Dedup: a golden identical to an earlier one points at it.
  const files = new Map<string, string>();
  const first = new Map<string, string>();
  const caseOrder = Object.values(CASES);
  const keys = [...resolved.keys()].sort((a, b) => {
    const [ca, cb] = [caseOrder.indexOf(a.split("/")[0]), caseOrder.indexOf(b.split("/")[0])];
    return ca - cb || (a < b ? -1 : a > b ? 1 : 0);
  });
  for (const key of keys) {
    const content = resolved.get(key)!;
    const earlier = first.get(content);
    if (earlier !== undefined && key !== LIBRARY_FILE) files.set(key, `${POINTER}${earlier}\n`);
    else {
      files.set(key, content);
      if (key !== LIBRARY_FILE) first.set(content, key);
    }
  }
  return { files, resolved, coverage };
}

function onDisk(dir: string, base = ""): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const rel = base ? `${base}/${entry.name}` : entry.name;
    if (!base && OTHER_TESTS.has(entry.name)) return [];
    return entry.isDirectory() ? onDisk(path.join(dir, entry.name), rel) : [rel];
  });
}

function read(rel: string): string | undefined {
  const file = path.join(GOLDEN_DIR, rel);
  return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
}

/** A golden's content, following its "identical to" line. */
function resolveOnDisk(rel: string): string | undefined {
  const text = read(rel);
  if (text === undefined || !text.startsWith(POINTER)) return text;
  return read(text.slice(POINTER.length).trim());
}

/** Jest's readable diff of two strings. */
function diff(expected: string, received: string): string {
  try {
    expect(received).toBe(expected);
    return "";
  } catch (err) {
    return (err as Error).message;
  }
}

let expected: Expected;
beforeAll(async () => {
  expected = expectedGoldens(await renderAllTopologies());
  if (UPDATE) {
    for (const rel of onDisk(GOLDEN_DIR)) if (!expected.files.has(rel) && !NOT_GOLDEN.has(rel)) fs.rmSync(path.join(GOLDEN_DIR, rel));
    for (const [rel, text] of expected.files) {
      fs.mkdirSync(path.dirname(path.join(GOLDEN_DIR, rel)), { recursive: true });
      if (read(rel) !== text) fs.writeFileSync(path.join(GOLDEN_DIR, rel), text);
    }
    for (const dir of fs.readdirSync(GOLDEN_DIR)) {
      const full = path.join(GOLDEN_DIR, dir);
      if (fs.statSync(full).isDirectory() && fs.readdirSync(full).length === 0) fs.rmdirSync(full);
    }
  }
}, 180000);

describe.each(Object.values(CASES).map((c) => [c]))("golden files of %s", (caseDir) => {
  test("each rendering matches its golden", () => {
    const problems: string[] = [];
    for (const [rel, text] of expected.files) {
      if (!rel.startsWith(`${caseDir}/`)) continue;
      const want = expected.resolved.get(rel)!;
      const have = resolveOnDisk(rel);
      if (have === undefined) problems.push(read(rel) === undefined ? `tests/golden/${rel}: missing` : `tests/golden/${rel}: ${read(rel)!.trim().slice(2)}, which is missing`);
      else if (have !== want) problems.push(`tests/golden/${rel} differs from the rendering:\n${diff(have, want)}`);
      else if (read(rel) !== text)
        problems.push(`tests/golden/${rel}: same content, but ${text.startsWith(POINTER) ? `now ${text.trim().slice(2)}` : "no longer identical to the golden it points at"}`);
    }
    if (problems.length > 0) throw new Error(`${problems.join("\n\n")}\n\nIf the change is intended: ${REGENERATE}`);
  });

  test("every rendered file and script of the case is checked by a golden", () => {
    const mine = expected.coverage.filter((c) => c.caseDir === caseDir);
    expect(mine.length).toBeGreaterThan(0);
    const uncovered = mine.filter((c) => resolveOnDisk(c.golden) === undefined).map((c) => `${c.resource} on ${c.host} (golden ${c.golden})`);
    expect(uncovered).toEqual([]);
  });
});

test("no stale golden files (every file under tests/golden belongs to a rendering)", () => {
  const stale = onDisk(GOLDEN_DIR).filter((rel) => !expected.files.has(rel) && !NOT_GOLDEN.has(rel));
  if (stale.length > 0) throw new Error(`stale golden files, rendered by nothing:\n${stale.map((s) => `  tests/golden/${s}`).join("\n")}\nRemove them with: ${REGENERATE}`);
  expect(read(LIBRARY_FILE)).toBe(expected.resolved.get(LIBRARY_FILE));
});
