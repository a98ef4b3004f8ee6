// Validation of the VRRP settings keepalived runs with: version, router id, interface, advert
// interval (whole seconds with version 2, centiseconds with version 3) and preemption delay.
// The ranges are keepalived's own (checked with `keepalived --config-test`, keepalived 2.2).
import { DEFAULTS } from "./defaults";
import { Problems } from "./errors";
import { integerField, stringField, textOf } from "./fields";
import { VrrpSettings } from "./types";

const INTERFACE = /^[A-Za-z0-9_.:-]{1,15}$/;

/** VRRP version 2 (RFC 3768) advertises in whole seconds, 1-255. */
export const V2_ADVERT_RANGE = [1, 255] as const;
/** VRRP version 3 (RFC 5798): a 12-bit count of centiseconds, 0.01-40.95 s. */
export const V3_ADVERT_RANGE = [0.01, 40.95] as const;
/**
 * keepalived allows preempt_delay up to 1000 s, and also waits it before the first election at
 * startup; kubeha's vip-answers step waits 90 s for the VIP, so the delay stays well below that.
 */
export const MAX_PREEMPT_DELAY = 60;

export function readVrrp(raw: Record<string, unknown>, problems: Problems): VrrpSettings {
  const version = readVersion(raw, problems);
  const settings = {
    version,
    routerId: integerField(raw, "vrrpRouterId", DEFAULTS.vrrpRouterId, [1, 255], problems),
    interface: stringField(raw, "vrrpInterface", DEFAULTS.vrrpInterface, problems),
    advertInterval: readAdvertInterval(raw, version, problems),
    preemptDelay: integerField(raw, "vrrpPreemptDelay", DEFAULTS.vrrpPreemptDelay, [0, MAX_PREEMPT_DELAY], problems),
  };
  if (!INTERFACE.test(settings.interface)) {
    problems.add("vrrpInterface", `"${settings.interface}" is not an interface name`, "give the lb hosts' interface, e.g. eth0 or ens18");
  }
  return settings;
}

function readVersion(raw: Record<string, unknown>, problems: Problems): 2 | 3 {
  const value = raw.vrrpVersion;
  if (value === undefined || value === null || value === "") return DEFAULTS.vrrpVersion;
  const n = Number(textOf(value));
  if (n === 2 || n === 3) return n;
  problems.add("vrrpVersion", `${JSON.stringify(value)} is not a VRRP version keepalived runs`, "set 2 (the default, RFC 3768) or 3 (RFC 5798, sub-second adverts, no authentication)");
  return DEFAULTS.vrrpVersion;
}

/** Seconds between adverts, rounded to keepalived's centiseconds; the default when invalid. */
function readAdvertInterval(raw: Record<string, unknown>, version: 2 | 3, problems: Problems): number {
  const value = raw.vrrpAdvertInterval;
  if (value === undefined || value === null || value === "") return DEFAULTS.vrrpAdvertInterval;
  const text = textOf(value).trim();
  const seconds = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
  const key = "vrrpAdvertInterval";
  if (Number.isNaN(seconds)) {
    problems.add(key, `${JSON.stringify(value)} is not a number of seconds`, "give the seconds between adverts, e.g. 1 (or 0.2 with kubeha:vrrpVersion 3)");
    return DEFAULTS.vrrpAdvertInterval;
  }
  if (version === 2) {
    const [low, high] = V2_ADVERT_RANGE;
    if (!Number.isInteger(seconds) && seconds > 0 && seconds < low) {
      problems.add(
        key,
        `${text} s is sub-second, but VRRP version 2 advertises in whole seconds`,
        `set kubeha:vrrpVersion 3 for sub-second adverts, or use a whole number of seconds from ${low} to ${high}`,
      );
    } else if (!Number.isInteger(seconds) || seconds < low || seconds > high) {
      problems.add(
        key,
        `${text} s is not a VRRP version 2 advert interval (whole seconds, ${low} to ${high})`,
        `use a whole number of seconds from ${low} to ${high}, or set kubeha:vrrpVersion 3 for fractional ones`,
      );
    } else return seconds;
    return DEFAULTS.vrrpAdvertInterval;
  }
  const [low, high] = V3_ADVERT_RANGE;
  const centiseconds = seconds * 100;
  if (Math.abs(centiseconds - Math.round(centiseconds)) > 1e-6) {
    problems.add(key, `${text} s is finer than VRRP version 3's centiseconds`, `round it to two decimals, e.g. ${(Math.round(centiseconds) / 100 || low).toString()}`);
  } else if (seconds < low || seconds > high) {
    problems.add(key, `${text} s is outside VRRP version 3's range of ${low} to ${high} s`, `use an interval from ${low} to ${high} s, e.g. 0.2`);
  } else return Math.round(centiseconds) / 100;
  return DEFAULTS.vrrpAdvertInterval;
}
