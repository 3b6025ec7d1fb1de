// The cron arithmetic behind `this.schedule`: checking a 5-field expression and finding its next firing in UTC, with croner (no dependencies).
// croner in 5-part mode with OR-ed day-of-month / day-of-week reads the same grammar as the
// classic cron the local runtime writes (numbers, `*`, ranges, steps, lists, JAN-DEC, SUN-SAT,
// 0 or 7 for Sunday) and gives the same firings; `sloppyRanges` also takes `a/n` (from a to the
// field's end, every n), which the build-time check accepts too. Shorthands such as `@daily` are
// expanded by the caller first. Workers run in UTC, so the expressions are read in UTC: as a
// fixed offset of 0 (`utcOffset`), which croner computes with Date's UTC fields. The same firings
// as `timezone: "UTC"`, which goes through Intl.DateTimeFormat instead: building that formatter
// loads time zone data and cost a new isolate's first schedule.create about 20 ms of CPU.

import { Cron } from "croner";

const OPTIONS = { utcOffset: 0, mode: "5-part", domAndDow: false, sloppyRanges: true } as const;

function firstAfter(expr: string, after: number): Date | null {
  // No callback: croner only parses and computes dates, it never starts a timer.
  return new Cron(expr, OPTIONS).nextRun(new Date(after));
}

/** Throws (with croner's reason) when `expr` is not a 5-field cron expression that ever fires. */
export function checkCron(expr: string): void {
  if (firstAfter(expr, Date.now()) === null) throw new Error("it never fires (no such date)");
}

/** The first firing of `expr` strictly after `after` (ms since epoch), in UTC. */
export function nextCronFiring(expr: string, after: number): number {
  const next = firstAfter(expr, after);
  if (next === null) throw new Error("it never fires (no such date)");
  return next.getTime();
}
