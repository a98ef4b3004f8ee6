// Validation of kubeha:workerPools: hosts must exist and be workers, labels and taints well-formed.
import { Problems } from "./errors";
import { isObject, textOf } from "./fields";
import { HOST_NAME, withRole } from "./hosts";
import { checkKnownFields } from "./known";
import { refusedLabel, refusedTaintKey } from "./labels";
import { Host, Taint, WorkerPool } from "./types";

const LABEL_KEY = /^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
/** The fields of a pool entry (Pulumi.yaml's kubeha:workerPools description names them too). */
export const POOL_FIELDS = ["name", "hosts", "labels", "taints"] as const;
const TAINT = /^([^=:]+)(=([^:]*))?:(NoSchedule|PreferNoSchedule|NoExecute)$/;

export function readWorkerPools(value: unknown, hosts: readonly Host[], problems: Problems): WorkerPool[] {
  const workers = withRole(hosts, "worker");
  if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) {
    return workers.length > 0 ? [{ name: "workers", hosts: workers, labels: {}, taints: [] }] : [];
  }
  if (!Array.isArray(value)) {
    problems.add("workerPools", "expected a list of {name, hosts, labels, taints}", "write it as a YAML list");
    return [];
  }
  const pools = value.map((entry, i) => readPool(entry, i, hosts, problems)).filter((p): p is WorkerPool => !!p);
  const names = pools.map((p) => p.name);
  for (const name of new Set(names.filter((n, i) => names.indexOf(n) !== i))) {
    problems.add("workerPools", `two pools are named ${name} (each pool is a resource named after it)`, "give every pool its own name");
  }
  const poolOf = new Map<string, string>();
  for (const pool of pools) {
    for (const host of pool.hosts) {
      const other = poolOf.get(host.name);
      if (other) problems.add("workerPools", `host ${host.name} is in pools ${other} and ${pool.name}`, "put each worker in one pool");
      poolOf.set(host.name, pool.name);
    }
  }
  for (const worker of workers) {
    if (!poolOf.has(worker.name)) problems.add("workerPools", `worker ${worker.name} is in no pool`, "add it to a pool's hosts, or drop its worker role");
  }
  return pools;
}

function readPool(entry: unknown, index: number, hosts: readonly Host[], problems: Problems): WorkerPool | undefined {
  const key = `workerPools[${index}]`;
  if (!isObject(entry)) {
    problems.add(key, `expected an object {name, hosts, labels, taints}`, "write each pool as a YAML mapping");
    return undefined;
  }
  checkKnownFields(entry, POOL_FIELDS, (field) => `${key}.${field}`, problems);
  const name = textOf(entry.name);
  if (!HOST_NAME.test(name)) problems.add(`${key}.name`, `"${name}" is not a valid pool name`, "use lower-case letters, digits and '-'");
  const members: Host[] = [];
  for (const hostName of Array.isArray(entry.hosts) ? entry.hosts : []) {
    const host = hosts.find((h) => h.name === hostName);
    if (!host) problems.add(`${key}.hosts`, `pool ${name} names unknown host ${JSON.stringify(hostName)}`, "list names from kubeha:hosts");
    else if (!host.roles.includes("worker")) problems.add(`${key}.hosts`, `pool ${name} names ${host.name}, which has no worker role`, `add role worker to ${host.name}`);
    else members.push(host);
  }
  if (members.length === 0) problems.add(`${key}.hosts`, `pool ${name} has no hosts`, "list at least one worker host");
  return { name, hosts: members, labels: readLabels(entry.labels, `${key}.labels`, problems), taints: readTaints(entry.taints, `${key}.taints`, problems) };
}

function readLabels(value: unknown, key: string, problems: Problems): Record<string, string> {
  if (value === undefined) return {};
  if (!isObject(value)) {
    problems.add(key, "expected a mapping of label keys to values", "write labels as `key: value` pairs");
    return {};
  }
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    const text = textOf(v);
    const refused = refusedLabel(k);
    if (!LABEL_KEY.test(k) || isObject(v) || Array.isArray(v) || !LABEL_VALUE.test(text))
      problems.add(key, `label ${k}=${text} is not a valid Kubernetes label`, "use [prefix/]name keys and values of letters, digits, '-', '_' and '.' (63 characters at most)");
    else if (refused) problems.add(key, refused.problem, refused.fix);
    else labels[k] = text;
  }
  return labels;
}

function readTaints(value: unknown, key: string, problems: Problems): Taint[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    problems.add(key, "expected a list of taints", 'write taints as a list of "key=value:Effect"');
    return [];
  }
  const taints: Taint[] = [];
  for (const text of value) {
    const match = TAINT.exec(String(text));
    if (!match || !LABEL_KEY.test(match[1]) || !LABEL_VALUE.test(match[3] ?? "")) {
      problems.add(key, `${JSON.stringify(text)} is not a taint`, 'write it as "key=value:Effect" with Effect NoSchedule, PreferNoSchedule or NoExecute');
    } else if (refusedTaintKey(match[1])) {
      problems.add(key, refusedTaintKey(match[1])!.problem, refusedTaintKey(match[1])!.fix);
    } else if (taints.some((t) => t.key === match[1] && t.effect === match[4])) {
      problems.add(key, `two taints have key ${match[1]} and effect ${match[4]} (Kubernetes refuses a node with both)`, "keep one of them");
    } else {
      taints.push({ key: match[1], value: match[3] ?? "", effect: match[4] as Taint["effect"] });
    }
  }
  return taints;
}
