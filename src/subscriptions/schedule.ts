import { Cron } from 'croner';
import { z } from 'zod';

/** How often a subscription posts. */
export const Cadence = z.enum(['daily', 'weekdays', 'weekly']);
export type Cadence = z.infer<typeof Cadence>;

/** An IANA time zone name that this Node.js knows (e.g. `Europe/Paris`, `UTC`). */
export const TimeZone = z.string().refine(isTimeZone, { message: 'not a known time zone' });

/** When a subscription posts: cadence, local time of day, and the time zone that time is in. */
export const Schedule = z.object({
  cadence: Cadence,
  /** Local time, `HH:MM` (24-hour). */
  time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM'),
  tz: TimeZone,
});
export type Schedule = z.infer<typeof Schedule>;

/** True when `name` is a time zone the runtime can convert to. */
export function isTimeZone(name: string): boolean {
  let known = timeZones.get(name);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat('en-GB', { timeZone: name });
      known = true;
    } catch {
      known = false;
    }
    // Every stored subscription is validated on each read: building a formatter each time costs
    // more than the rest of the validation. A typo'd name is not kept.
    if (known) timeZones.set(name, true);
  }
  return known;
}

const timeZones = new Map<string, boolean>();

// Weekly digests go out on Mondays: the start of a working week, when a reading list is wanted.
const DAYS: Record<Cadence, string> = { daily: '*', weekdays: '1-5', weekly: '1' };

/** The first time strictly after `after` at which the schedule fires (time zone and DST aware, via croner). */
export function nextRun(schedule: Schedule, after: Date): Date {
  const next = cronFor(schedule).nextRun(after);
  if (!next) throw new Error(`schedule ${JSON.stringify(schedule)} never fires`);
  return next;
}

// Parsing a pattern costs more than finding its next run; channels share a few schedules.
const crons = new Map<string, Cron>();

function cronFor(schedule: Schedule): Cron {
  const [hours, minutes] = schedule.time.split(':').map(Number);
  const pattern = `${minutes} ${hours} * * ${DAYS[schedule.cadence]}`;
  const key = `${pattern}|${schedule.tz}`;
  let cron = crons.get(key);
  if (!cron) {
    if (crons.size > 10_000) crons.clear();
    cron = new Cron(pattern, { timezone: schedule.tz, paused: true });
    crons.set(key, cron);
  }
  return cron;
}

/** "every day at 09:00 (Europe/Paris)" */
export function describeSchedule(schedule: Schedule): string {
  const when = { daily: 'every day', weekdays: 'every weekday', weekly: 'every Monday' }[schedule.cadence];
  return `${when} at ${schedule.time} (${schedule.tz})`;
}

/** "Fri 27 Nov, 09:00" in the schedule's time zone. */
export function formatInZone(instant: Date, tz: string): string {
  return new Intl.DateTimeFormat('en-GB', {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone: tz,
  }).format(instant);
}
