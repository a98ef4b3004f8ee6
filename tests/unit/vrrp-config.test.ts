// kubeha:vrrpVersion, kubeha:vrrpAdvertInterval and kubeha:vrrpPreemptDelay: each rule with good
// and bad input, every error naming its key and the fix, and what the keepalived view makes of them.
import { keepalivedView } from "../../components/endpoint/views";
import { validateConfig } from "../../config/validate";
import { RawConfig } from "../../config/types";
import { expectRejected, problemsOf } from "../fixtures/problems";
import { fakeFiles, seed000, withKeys } from "../fixtures/topologies";

const vrrpOf = (raw: RawConfig) => validateConfig(raw, fakeFiles).endpoint.vrrp;

describe("defaults", () => {
  test("version 2, 1 s adverts, no preempt delay", () => {
    expect(vrrpOf(seed000)).toEqual({ version: 2, routerId: 51, interface: "eth0", advertInterval: 1, preemptDelay: 0 });
  });
});

describe("kubeha:vrrpVersion", () => {
  test.each([2, 3, "2", "3"])("accepts %p", (vrrpVersion) => {
    expect(vrrpOf(withKeys(seed000, { vrrpVersion })).version).toBe(Number(vrrpVersion));
  });

  test.each([1, 4, "three", 2.5])("refuses %p, naming 2 and 3", (vrrpVersion) => {
    expectRejected(withKeys(seed000, { vrrpVersion }), "vrrpVersion", /is not a VRRP version keepalived runs. Fix: set 2 .* or 3/);
  });
});

describe("kubeha:vrrpAdvertInterval", () => {
  test.each([
    [2, 1, 1],
    [2, 255, 255],
    [2, "7", 7],
    [3, 0.2, 0.2],
    [3, "0.2", 0.2],
    [3, 0.01, 0.01],
    [3, 0.29, 0.29],
    [3, 40.95, 40.95],
    [3, 1, 1],
  ])("version %p accepts %p as %p s", (vrrpVersion, vrrpAdvertInterval, seconds) => {
    expect(vrrpOf(withKeys(seed000, { vrrpVersion, vrrpAdvertInterval })).advertInterval).toBe(seconds);
  });

  test("sub-second adverts need version 3, and the fix says so", () => {
    expectRejected(withKeys(seed000, { vrrpAdvertInterval: 0.2 }), "vrrpAdvertInterval", /0.2 s is sub-second, but VRRP version 2 advertises in whole seconds. Fix: set kubeha:vrrpVersion 3/);
  });

  test.each([0, 256, 1.5])("version 2 refuses %p (whole seconds 1-255)", (vrrpAdvertInterval) => {
    expectRejected(
      withKeys(seed000, { vrrpAdvertInterval }),
      "vrrpAdvertInterval",
      /not a VRRP version 2 advert interval \(whole seconds, 1 to 255\). Fix: use a whole number of seconds from 1 to 255/,
    );
  });

  test.each([0.005, 0.123, 1.001])("version 3 refuses %p (finer than centiseconds)", (vrrpAdvertInterval) => {
    expectRejected(withKeys(seed000, { vrrpVersion: 3, vrrpAdvertInterval }), "vrrpAdvertInterval", /finer than VRRP version 3's centiseconds. Fix: round it to two decimals/);
  });

  test.each([0, 40.96, 41])("version 3 refuses %p (outside 0.01-40.95 s)", (vrrpAdvertInterval) => {
    expectRejected(withKeys(seed000, { vrrpVersion: 3, vrrpAdvertInterval }), "vrrpAdvertInterval", /outside VRRP version 3's range of 0.01 to 40.95 s. Fix: use an interval from 0.01 to 40.95 s/);
  });

  test.each(["fast", "-1", "1e1", true])("refuses %p (not a number of seconds)", (vrrpAdvertInterval) => {
    expectRejected(withKeys(seed000, { vrrpVersion: 3, vrrpAdvertInterval }), "vrrpAdvertInterval", /is not a number of seconds. Fix: give the seconds between adverts/);
  });
});

describe("kubeha:vrrpPreemptDelay", () => {
  test.each([0, 1, 30, 60, "30"])("accepts %p", (vrrpPreemptDelay) => {
    expect(vrrpOf(withKeys(seed000, { vrrpPreemptDelay })).preemptDelay).toBe(Number(vrrpPreemptDelay));
  });

  test.each([-1, 61, 1000, 2.5, "soon"])("refuses %p", (vrrpPreemptDelay) => {
    expectRejected(withKeys(seed000, { vrrpPreemptDelay }), "vrrpPreemptDelay", /expected an integer from 0 to 60/);
  });
});

test("a valid version 3 stack has no problem at all", () => {
  expect(problemsOf(withKeys(seed000, { vrrpVersion: 3, vrrpAdvertInterval: 0.2, vrrpPreemptDelay: 30 }))).toEqual([]);
});

describe("the keepalived view", () => {
  const viewOf = (raw: RawConfig) => {
    const spec = validateConfig(raw, fakeFiles);
    return keepalivedView(spec.endpoint.lbHosts[0], spec.endpoint, 24);
  };

  test("defaults: no version line, authentication, no preempt delay, today's check", () => {
    const view = viewOf(seed000);
    expect(view).toMatchObject({ version3: false, authentication: true, preemptDelay: false, advertInterval: "1" });
    expect([view.checkInterval, view.checkTimeout, view.checkFall, view.checkRise]).toEqual([1, 3, 2, 2]);
  });

  test("version 3 at 0.2 s: version line, no authentication, the delay, a one-failure check", () => {
    const view = viewOf(withKeys(seed000, { vrrpVersion: 3, vrrpAdvertInterval: 0.2, vrrpPreemptDelay: 30 }));
    expect(view).toMatchObject({ version3: true, authentication: false, preemptDelay: { seconds: 30 }, advertInterval: "0.2" });
    expect([view.checkInterval, view.checkFall, view.checkRise]).toEqual([1, 1, 2]);
  });
});
