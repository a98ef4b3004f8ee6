// The timings of keepalived's track script (vrrp_script check_apiserver), derived from the VRRP
// advert interval so that a dead nginx (or no apiserver reachable through it) on the VIP holder is
// noticed about as fast as a dead holder, which the backups notice after 3 x advert + skew.

/** keepalived's vrrp_script `interval` is whole seconds, at least 1 (keepalived 2.2 refuses 0.5): the floor. */
export const MIN_SCRIPT_INTERVAL = 1;
/** Longest run of the check script: curl through nginx (1 s), then each apiserver (0.5 s each). */
export const SCRIPT_TIMEOUT = 3;
/** Failures before the check counts as failed, at most: two, so one slow answer under load moves nothing. */
export const MAX_FALL = 2;
/** Successes before a failed host counts as healthy again (it is not in a hurry). */
export const RISE = 2;

export interface TrackScriptTimings {
  readonly interval: number;
  readonly timeout: number;
  readonly fall: number;
  readonly rise: number;
}

/**
 * Whole-second adverts (VRRP version 2, or 3 at 1 s and more) keep today's check: every second,
 * failed after 2 runs (2 s, within the 3 s a dead holder takes). Sub-second adverts keep the 1 s
 * floor and fail after as many runs as fit into 3 x advert, at least one: at 0.2 s a dead nginx is
 * noticed within 1-2 s, where a dead host is noticed within 0.6-0.8 s.
 */
export function trackScriptTimings(advertInterval: number): TrackScriptTimings {
  const interval = MIN_SCRIPT_INTERVAL;
  const fall = Math.min(MAX_FALL, Math.max(1, Math.floor((3 * advertInterval) / interval + 1e-9)));
  return { interval, timeout: SCRIPT_TIMEOUT, fall, rise: RISE };
}
