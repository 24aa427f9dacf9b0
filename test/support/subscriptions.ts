import type { Subscription } from '../../src/subscriptions/subscription.js';

/** A valid subscription in C0GENERAL, daily at 09:00 UTC, with `fields` overriding. */
export function subscription(id: string, fields: Partial<Subscription> = {}): Subscription {
  return {
    id,
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
