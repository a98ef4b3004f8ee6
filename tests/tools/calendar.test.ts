// kubeha:etcdSnapshots.schedule is checked before any SSH by a pure function that accepts a subset
// of systemd.time(7): every expression it accepts must be one systemd reads too (the real
// `systemd-analyze calendar` of this machine). Values systemd would refuse that it lets through (an
// hour 25) are refused on the host by the enable step, before the timer changes.
import { spawnSync } from "child_process";
import { isCalendarExpression } from "../../config/etcdSnapshots";

function systemdAccepts(expression: string): boolean {
  const result = spawnSync("systemd-analyze", ["calendar", expression], { encoding: "utf8" });
  if (result.error) throw result.error;
  return result.status === 0;
}

const ACCEPTED = [
  "hourly",
  "daily",
  "weekly",
  "minutely",
  "*-*-* 00/6:00:00",
  "*-*-* 02:30",
  "Mon..Fri 22:00",
  "Sat,Sun 03:15:00",
  "*-*-01 00:00:00",
  "2026-*-* 00/4:00",
  "*:0/15",
  "Mon *-*-* 01:00",
  "Mon..Fri",
];

const REFUSED = ["", "hourlyy", "every hour", "*-*-* 25:00; rm -rf /", "$(reboot)", "*-*-* 00:00 Europe/Berlin"];

test.each(ACCEPTED)("accepted %p is one systemd reads", (expression) => {
  expect(isCalendarExpression(expression)).toBe(true);
  expect(systemdAccepts(expression)).toBe(true);
});

test.each(REFUSED)("refused %p", (expression) => {
  expect(isCalendarExpression(expression)).toBe(false);
});
