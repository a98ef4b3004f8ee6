// Validation of kubeha:etcdSnapshots: the scheduled etcd snapshots every member takes (a systemd
// timer). `default` is hourly, the newest 24 kept in /var/backups/kubeha/etcd; `off` installs no
// timer; a mapping sets any of schedule, keep and directory (the others keep their defaults).
import { DEFAULTS } from "./defaults";
import { Problems } from "./errors";
import { isObject, nameOrMapping, textOf } from "./fields";
import { checkKnownFields } from "./known";
import { EtcdSnapshotSettings } from "./types";

const KEY = "etcdSnapshots";

export const ETCD_SNAPSHOT_FIELDS = ["schedule", "keep", "directory"] as const;

export const DEFAULT_ETCD_SNAPSHOTS: EtcdSnapshotSettings = { schedule: "hourly", keep: 24, directory: "/var/backups/kubeha/etcd" };

/** At most this many snapshots per member: each is a full copy of the keyspace. */
export const MAX_KEPT_SNAPSHOTS = 1000;

/** systemd's named calendar events (systemd.time(7)). */
const CALENDAR_SHORTHANDS = ["minutely", "hourly", "daily", "weekly", "monthly", "quarterly", "semiannually", "yearly", "annually"];

const WEEKDAY = "(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*";
const WEEKDAYS = `${WEEKDAY}(?:(?:,|\\.\\.)${WEEKDAY})*`;
/** One field of a date or time: values, ranges, lists and repetitions ("*", "1,15", "00/6", "1..5"). */
const FIELD = "[0-9*][0-9*/,.]*";
const DATE = `${FIELD}-${FIELD}(?:[-~]${FIELD})?`;
const TIME = `${FIELD}:${FIELD}(?::${FIELD})?`;
/** The calendar expressions kubeha accepts: [WEEKDAYS] [DATE] [TIME], at least one of them. */
const CALENDAR_EXPRESSION = new RegExp(`^(?=\\S)(?:${WEEKDAYS})?(?:(?:^| )${DATE})?(?:(?:^| )${TIME})?$`);

/**
 * A systemd OnCalendar expression kubeha renders: a shorthand or [WEEKDAYS] [DATE] [TIME]. A
 * subset of systemd.time(7) (no time zones, no seconds fractions): the enable step has
 * `systemd-analyze calendar` check it on the host too.
 */
export function isCalendarExpression(text: string): boolean {
  if (CALENDAR_SHORTHANDS.includes(text)) return true;
  return text.length <= 100 && CALENDAR_EXPRESSION.test(text);
}

/** An absolute directory path of plain characters (it is rendered into a unit and scripts). */
export function isSnapshotDirectory(text: string): boolean {
  return /^\/[A-Za-z0-9._/-]+$/.test(text) && !text.split("/").includes("..") && text.replace(/\/+$/, "") !== "";
}

/** The snapshot settings, or undefined for `off`. */
export function readEtcdSnapshots(raw: Record<string, unknown>, problems: Problems, forbiddenDirectories: readonly string[] = []): EtcdSnapshotSettings | undefined {
  const value = nameOrMapping(raw, KEY, DEFAULTS.etcdSnapshots);
  if (isObject(value)) return readSettings(value, problems, forbiddenDirectories);
  const text = textOf(value).trim();
  if (text === "default") return DEFAULT_ETCD_SNAPSHOTS;
  if (text === "off") return undefined;
  problems.add(KEY, `${JSON.stringify(value)} is not a snapshot setting`, `use default (${describe(DEFAULT_ETCD_SNAPSHOTS)}), off (no scheduled snapshots), or a mapping {schedule, keep, directory}`);
  return undefined;
}

function describe(s: EtcdSnapshotSettings): string {
  return `${s.schedule}, the newest ${s.keep} kept in ${s.directory}`;
}

function readSettings(value: Record<string, unknown>, problems: Problems, forbiddenDirectories: readonly string[]): EtcdSnapshotSettings | undefined {
  const before = problems.count;
  checkKnownFields(value, ETCD_SNAPSHOT_FIELDS, (field) => `${KEY}.${field}`, problems);
  const given = (field: (typeof ETCD_SNAPSHOT_FIELDS)[number]) => (value[field] === undefined || value[field] === null || value[field] === "" ? undefined : value[field]);

  const scheduleValue = given("schedule");
  const schedule = scheduleValue === undefined ? DEFAULT_ETCD_SNAPSHOTS.schedule : textOf(scheduleValue).trim();
  if (typeof (scheduleValue ?? "") !== "string" || !isCalendarExpression(schedule)) {
    problems.add(
      `${KEY}.schedule`,
      `${JSON.stringify(scheduleValue)} is not a systemd calendar expression kubeha accepts`,
      `use a shorthand (${CALENDAR_SHORTHANDS.slice(0, 4).join(", ")}, ...) or [WEEKDAYS] [DATE] [TIME] as in systemd.time(7), e.g. "*-*-* 00/6:00:00" (every 6 hours)`,
    );
  }

  const keepValue = given("keep");
  const keep = keepValue === undefined ? DEFAULT_ETCD_SNAPSHOTS.keep : typeof keepValue === "string" ? Number(keepValue) : keepValue;
  if (typeof keep !== "number" || !Number.isInteger(keep) || keep < 1 || keep > MAX_KEPT_SNAPSHOTS) {
    problems.add(
      `${KEY}.keep`,
      `expected an integer from 1 to ${MAX_KEPT_SNAPSHOTS}, got ${JSON.stringify(keepValue)}`,
      `set how many snapshots each member keeps, e.g. ${DEFAULT_ETCD_SNAPSHOTS.keep}`,
    );
  }

  const directoryValue = given("directory");
  const directory = directoryValue === undefined ? DEFAULT_ETCD_SNAPSHOTS.directory : textOf(directoryValue).trim().replace(/\/+$/, "");
  if (typeof (directoryValue ?? "") !== "string" || !isSnapshotDirectory(directory)) {
    problems.add(`${KEY}.directory`, `${JSON.stringify(directoryValue)} is not an absolute directory of letters, digits and . _ - /`, `use a path such as ${DEFAULT_ETCD_SNAPSHOTS.directory}`);
  } else {
    const inside = forbiddenDirectories.find((dir) => directory === dir || directory.startsWith(`${dir}/`) || dir.startsWith(`${directory}/`));
    if (inside) {
      problems.add(
        `${KEY}.directory`,
        `${directory} overlaps ${inside}, which kubeha or etcd manages (a reset or a restore would take the snapshots with it)`,
        `use a directory of its own, e.g. ${DEFAULT_ETCD_SNAPSHOTS.directory}`,
      );
    }
  }
  if (problems.count > before) return undefined;
  return { schedule, keep: keep as number, directory };
}
