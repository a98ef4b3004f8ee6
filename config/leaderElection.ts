// Validation of kubeha:leaderElection: the lease timings of kube-controller-manager's and
// kube-scheduler's leader election. `default` keeps Kubernetes' own (nothing is rendered), `fast`
// is kubeha's documented faster profile, and an object gives the three durations.
import { DEFAULTS } from "./defaults";
import { Problems } from "./errors";
import { isObject, nameOrMapping, textOf } from "./fields";
import { checkKnownFields } from "./known";
import { LeaderElection } from "./types";

const KEY = "leaderElection";

/** The fields of the object form, in the order kube-controller-manager's flags name them. */
export const LEADER_ELECTION_FIELDS = ["leaseDuration", "renewDeadline", "retryPeriod"] as const;

/** Kubernetes' defaults (kube-controller-manager and kube-scheduler). */
export const KUBERNETES_LEADER_ELECTION: LeaderElection = { leaseDuration: "15s", renewDeadline: "10s", retryPeriod: "2s" };

/**
 * The faster profile: a candidate takes over about leaseDuration + retryPeriod x 1.2 (client-go's
 * jitter) after the leader's last renewal, about 7 s instead of about 17 s. A leader that cannot
 * renew for 4 s (its local apiserver restarting) gives the lease up and restarts.
 */
export const FAST_LEADER_ELECTION: LeaderElection = { leaseDuration: "6s", renewDeadline: "4s", retryPeriod: "1s" };

export const LEADER_ELECTION_PROFILES = ["default", "fast"] as const;

/** client-go's leaderelection.JitterFactor: it refuses renewDeadline <= retryPeriod x 1.2. */
export const LEADER_ELECTION_JITTER = 1.2;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60000, h: 3600000 };
const DURATION = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/;

/** A Go duration of ms, s, m and h parts ("1m30s", "500ms") in milliseconds; undefined if it is none. */
export function durationMs(text: string): number | undefined {
  if (!DURATION.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) total += Number(amount) * UNIT_MS[unit];
  return total;
}

/** The timings to render, or undefined for Kubernetes' defaults (kubeha:leaderElection default). */
export function readLeaderElection(raw: Record<string, unknown>, problems: Problems): LeaderElection | undefined {
  const value = nameOrMapping(raw, KEY, DEFAULTS.leaderElection);
  if (isObject(value)) return readTimings(value, problems);
  const text = textOf(value).trim();
  if (text === "default") return undefined;
  if (text === "fast") return FAST_LEADER_ELECTION;
  problems.add(
    KEY,
    `${JSON.stringify(value)} is not a leader-election profile`,
    `use default (Kubernetes' ${describe(KUBERNETES_LEADER_ELECTION)}), fast (${describe(FAST_LEADER_ELECTION)}), or a mapping {leaseDuration, renewDeadline, retryPeriod}`,
  );
  return undefined;
}

function describe(t: LeaderElection): string {
  return `${t.leaseDuration} lease, ${t.renewDeadline} renew deadline, ${t.retryPeriod} retry`;
}

function readTimings(value: Record<string, unknown>, problems: Problems): LeaderElection | undefined {
  const before = problems.count;
  checkKnownFields(value, LEADER_ELECTION_FIELDS, (field) => `${KEY}.${field}`, problems);
  const ms: Partial<Record<(typeof LEADER_ELECTION_FIELDS)[number], number>> = {};
  const texts: Partial<Record<(typeof LEADER_ELECTION_FIELDS)[number], string>> = {};
  for (const field of LEADER_ELECTION_FIELDS) {
    const given = value[field];
    if (given === undefined || given === null || given === "") {
      problems.add(`${KEY}.${field}`, "missing", `give all three of ${LEADER_ELECTION_FIELDS.join(", ")} as durations, e.g. ${describe(FAST_LEADER_ELECTION)}`);
      continue;
    }
    const text = textOf(given).trim();
    const duration = typeof given === "string" ? durationMs(text) : undefined;
    if (duration === undefined || duration <= 0) {
      problems.add(`${KEY}.${field}`, `${JSON.stringify(given)} is not a positive duration`, `write it as a duration with its unit, e.g. "${FAST_LEADER_ELECTION[field]}" or "1500ms"`);
      continue;
    }
    ms[field] = duration;
    texts[field] = text;
  }
  const { leaseDuration: lease, renewDeadline: renew, retryPeriod: retry } = ms;
  if (lease !== undefined && renew !== undefined && renew >= lease) {
    problems.add(`${KEY}.renewDeadline`, `${texts.renewDeadline} is not shorter than leaseDuration ${texts.leaseDuration}`, "make renewDeadline shorter than leaseDuration (Kubernetes: 10s and 15s)");
  }
  if (renew !== undefined && retry !== undefined && retry * LEADER_ELECTION_JITTER >= renew) {
    problems.add(
      `${KEY}.retryPeriod`,
      `${texts.retryPeriod} is not shorter than renewDeadline ${texts.renewDeadline} divided by client-go's jitter ${LEADER_ELECTION_JITTER}`,
      `make retryPeriod x ${LEADER_ELECTION_JITTER} shorter than renewDeadline (Kubernetes: 2s and 10s)`,
    );
  }
  if (problems.count > before) return undefined;
  return { leaseDuration: texts.leaseDuration!, renewDeadline: texts.renewDeadline!, retryPeriod: texts.retryPeriod! };
}
