// The track script's timings follow the advert interval (plan/trackScript.ts).
import { MAX_FALL, MIN_SCRIPT_INTERVAL, trackScriptTimings } from "../../plan/trackScript";

test("whole-second adverts keep the check of earlier releases (byte-identical keepalived.conf)", () => {
  for (const advert of [1, 2, 3, 10, 255, 40.95]) expect(trackScriptTimings(advert)).toEqual({ interval: 1, timeout: 3, fall: 2, rise: 2 });
});

test.each([
  [0.01, 1],
  [0.1, 1],
  [0.2, 1],
  [0.5, 1],
  [0.66, 1],
  [0.67, 2],
  [0.9, 2],
])("advert %p s: fails after %p run(s), never below keepalived's 1 s interval", (advert, fall) => {
  const t = trackScriptTimings(advert);
  expect(t).toEqual({ interval: MIN_SCRIPT_INTERVAL, timeout: 3, fall, rise: 2 });
});

test("a failed check is noticed within about 3 x advert, rounded up to whole runs, and never after more than two", () => {
  for (let cs = 1; cs <= 4095; cs++) {
    const advert = cs / 100;
    const { interval, fall } = trackScriptTimings(advert);
    expect(Number.isInteger(interval) && interval >= 1).toBe(true);
    expect(fall).toBeGreaterThanOrEqual(1);
    expect(fall).toBeLessThanOrEqual(MAX_FALL);
    // One run fewer would be below 3 x advert unless already at the minimum of one run.
    if (fall < MAX_FALL) expect((fall + 1) * interval).toBeGreaterThan(3 * advert);
  }
});
