// kubeha:leaderElection: profiles and custom timings, each rule with good and bad input, and what
// kubeadm's init configuration gets from them (nothing at all with the default).
import { kubeadmInitView, leaderElectionArgs } from "../../components/controlPlane/kubeadm/views";
import { renderTemplate } from "../../components/host/render";
import { durationMs, FAST_LEADER_ELECTION } from "../../config/leaderElection";
import { validateConfig } from "../../config/validate";
import { RawConfig } from "../../config/types";
import { planCluster } from "../../plan/cluster";
import { PATHS } from "../../plan/paths";
import { expectRejected, problemsOf } from "../fixtures/problems";
import { fakeFiles, seed000, seed003, withKeys } from "../fixtures/topologies";

const timingsOf = (raw: RawConfig) => validateConfig(raw, fakeFiles).kubernetes.leaderElection;
const custom = (t: Record<string, unknown>) => withKeys(seed000, { leaderElection: t });

describe("profiles", () => {
  test("unset and `default`: Kubernetes' defaults, nothing to render", () => {
    expect(timingsOf(seed000)).toBeUndefined();
    expect(timingsOf(withKeys(seed000, { leaderElection: "default" }))).toBeUndefined();
  });

  test("`fast`: 6s lease, 4s renew deadline, 1s retry", () => {
    expect(timingsOf(withKeys(seed000, { leaderElection: "fast" }))).toEqual({ leaseDuration: "6s", renewDeadline: "4s", retryPeriod: "1s" });
  });

  test("an unknown profile names the profiles and the mapping", () => {
    expectRejected(
      withKeys(seed000, { leaderElection: "quick" }),
      "leaderElection",
      /"quick" is not a leader-election profile. Fix: use default .*fast \(6s lease, 4s renew deadline, 1s retry\), or a mapping/,
    );
  });
});

describe("custom timings", () => {
  test("a mapping of three durations, as an object or as the JSON text Pulumi passes", () => {
    const t = { leaseDuration: "8s", renewDeadline: "5s", retryPeriod: "1500ms" };
    expect(timingsOf(custom(t))).toEqual(t);
    expect(timingsOf(withKeys(seed000, { leaderElection: JSON.stringify(t) }))).toEqual(t);
    expect(timingsOf(custom({ leaseDuration: "1m30s", renewDeadline: "1m", retryPeriod: "10s" }))).toEqual({ leaseDuration: "1m30s", renewDeadline: "1m", retryPeriod: "10s" });
  });

  test("durations in milliseconds", () => {
    expect([durationMs("6s"), durationMs("1500ms"), durationMs("1m30s"), durationMs("0.5s"), durationMs("1h")]).toEqual([6000, 1500, 90000, 500, 3600000]);
    expect([durationMs("6"), durationMs("s"), durationMs("-1s"), durationMs("6 s"), durationMs("1d")]).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });

  test("renewDeadline must be shorter than leaseDuration", () => {
    expectRejected(custom({ leaseDuration: "5s", renewDeadline: "5s", retryPeriod: "1s" }), "leaderElection.renewDeadline", /5s is not shorter than leaseDuration 5s. Fix: make renewDeadline shorter/);
    expectRejected(custom({ leaseDuration: "5s", renewDeadline: "6s", retryPeriod: "1s" }), "leaderElection.renewDeadline", /not shorter than leaseDuration/);
  });

  test("retryPeriod x 1.2 must be shorter than renewDeadline (client-go's rule)", () => {
    expectRejected(
      custom({ leaseDuration: "6s", renewDeadline: "4s", retryPeriod: "4s" }),
      "leaderElection.retryPeriod",
      /4s is not shorter than renewDeadline 4s divided by client-go's jitter 1.2. Fix: make retryPeriod x 1.2 shorter/,
    );
    expectRejected(custom({ leaseDuration: "6s", renewDeadline: "3s", retryPeriod: "2500ms" }), "leaderElection.retryPeriod", /jitter/);
    expect(problemsOf(custom({ leaseDuration: "6s", renewDeadline: "3s", retryPeriod: "2400ms" }))).toEqual([]);
    expect(problemsOf(custom({ leaseDuration: "6s", renewDeadline: "3s", retryPeriod: "2s" }))).toEqual([]);
  });

  test.each(["0s", "0ms", "six seconds", "6", 6])("refuses %p as a duration", (retryPeriod) => {
    expectRejected(custom({ leaseDuration: "6s", renewDeadline: "4s", retryPeriod }), "leaderElection.retryPeriod", /is not a positive duration. Fix: write it as a duration with its unit/);
  });

  test("every field is required", () => {
    expectRejected(custom({ leaseDuration: "6s", renewDeadline: "4s" }), "leaderElection.retryPeriod", /missing. Fix: give all three of leaseDuration, renewDeadline, retryPeriod/);
  });

  test("an unknown field is refused with the closest name", () => {
    expectRejected(
      custom({ leaseDuration: "6s", renewDeadline: "4s", retryPeriod: "1s", renewDeadLine: "4s" }),
      "leaderElection.renewDeadLine",
      /did you mean renewDeadline\?\). Fix: rename it to renewDeadline/,
    );
  });

  test("a broken mapping is refused like an unknown profile", () => {
    expectRejected(withKeys(seed000, { leaderElection: "{leaseDuration: 6s" }), "leaderElection", /is not a leader-election profile/);
  });
});

describe("rendering into kubeadm's ClusterConfiguration", () => {
  const initOf = (raw: RawConfig) => {
    const plan = planCluster(validateConfig(raw, fakeFiles));
    return renderTemplate("controlPlane/kubeadm/init.yaml", { paths: PATHS, ...kubeadmInitView(plan, plan.initMaster, []) });
  };
  const section = (yaml: string, name: string) => yaml.split(`\n${name}:\n`)[1].split(/\n\S/)[0];

  test("no flags for Kubernetes' defaults", () => {
    expect(leaderElectionArgs(undefined)).toEqual([]);
    expect(initOf(seed003)).not.toContain("leader-elect-");
  });

  test("the default profile renders the same file as no setting at all", () => {
    expect(initOf(withKeys(seed003, { leaderElection: "default" }))).toBe(initOf(seed003));
  });

  test("fast: the three flags for both kube-controller-manager and kube-scheduler", () => {
    const yaml = initOf(withKeys(seed003, { leaderElection: "fast" }));
    const flags = [
      '    - name: leader-elect-lease-duration\n      value: "6s"',
      '    - name: leader-elect-renew-deadline\n      value: "4s"',
      '    - name: leader-elect-retry-period\n      value: "1s"',
    ].join("\n");
    expect(section(yaml, "controllerManager")).toContain(`value: "true"\n${flags}`);
    expect(section(yaml, "scheduler")).toContain(`    - name: leader-elect\n      value: "true"\n${flags}`);
    expect(leaderElectionArgs(FAST_LEADER_ELECTION).map((a) => a.name)).toEqual(["leader-elect-lease-duration", "leader-elect-renew-deadline", "leader-elect-retry-period"]);
  });

  test("custom timings are rendered as given", () => {
    const yaml = initOf(withKeys(seed003, { leaderElection: { leaseDuration: "8s", renewDeadline: "5s", retryPeriod: "1500ms" } }));
    expect(section(yaml, "scheduler")).toContain('- name: leader-elect-retry-period\n      value: "1500ms"');
  });
});
