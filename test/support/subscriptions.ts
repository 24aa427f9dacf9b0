import type { Subscription } from '../../src/subscriptions/subscription.js';

/** The workspace of the fake Slack's default token (and of the tests' signed requests). */
export const TEST_TEAM = 'T0TEST';

/** A valid subscription in T0TEST's C0GENERAL, daily at 09:00 UTC, with `fields` overriding. */
export function subscription(id: string, fields: Partial<Subscription> = {}): Subscription {
  return {
    id,
    team: TEST_TEAM,
    channel: 'C0GENERAL',
    topic: `topic ${id}`,
    schedule: { cadence: 'daily', time: '09:00', tz: 'UTC' },
    createdBy: 'U0ALICE',
    createdAt: '2026-11-26T12:00:00.000Z',
    state: { status: 'active' },
    nextRunAt: '2026-11-27T09:00:00.000Z',
    ...fields,
  };
}
