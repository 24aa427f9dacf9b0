// Days are checked without zod here: the search workers check the days of a query, and loading
// zod would be a good part of a worker's start-up.

/** A day's shape, `YYYY-MM-DD`. */
export const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** Whether a `YYYY-MM-DD` string is a real calendar date (not 2024-02-30). */
export function isRealDay(day: string): boolean {
  return !Number.isNaN(Date.parse(`${day}T00:00:00Z`)) && new Date(day).toISOString().startsWith(day);
}

/** Whether `value` is a real calendar day written `YYYY-MM-DD`. */
export function isIsoDay(value: unknown): value is string {
  return typeof value === 'string' && DAY_PATTERN.test(value) && isRealDay(value);
}
