import { describe, expect, test } from '@jest/globals';
import { READ_INTERVAL_MS, type ReadBudget } from '../../src/slack/readBudget.js';

/** How a suite opens an empty budget (and, for a shared one, a second replica's view of it). */
export interface ReadBudgetFactory {
  name: string;
  open(): Promise<ReadBudget>;
}

const at = (ms: number) => new Date(Date.parse('2026-11-26T12:00:00Z') + ms);

/** What every read budget (memory, lowdb, PostgreSQL) guarantees. */
export function readBudgetContract({ name, open }: ReadBudgetFactory): void {
  describe(`read budget contract: ${name}`, () => {
    test('one read of a method per workspace a minute; the other method and other workspaces have their own', async () => {
      const budget = await open();
      try {
        expect(await budget.take('T1', 'conversations.history', at(0))).toBe(true);
        expect(await budget.take('T1', 'conversations.history', at(1000))).toBe(false);
        expect(await budget.take('T1', 'conversations.history', at(READ_INTERVAL_MS - 1))).toBe(false);
        expect(await budget.take('T1', 'conversations.replies', at(1000))).toBe(true);
        expect(await budget.take('T2', 'conversations.history', at(1000))).toBe(true);
        expect(await budget.take('T1', 'conversations.history', at(READ_INTERVAL_MS))).toBe(true);
        // A refused take does not move the minute: free again a minute after the last taken.
        expect(await budget.take('T1', 'conversations.history', at(2 * READ_INTERVAL_MS - 1))).toBe(false);
        expect(await budget.take('T1', 'conversations.history', at(2 * READ_INTERVAL_MS))).toBe(true);
      } finally {
        await budget.close();
      }
    });

    test("Slack's Retry-After holds the method until then, and never brings the next read forward", async () => {
      const budget = await open();
      try {
        await budget.holdUntil('T1', 'conversations.replies', at(90_000));
        expect(await budget.take('T1', 'conversations.replies', at(89_999))).toBe(false);
        expect(await budget.take('T1', 'conversations.replies', at(90_000))).toBe(true);
        await budget.holdUntil('T1', 'conversations.replies', at(91_000)); // earlier than the minute taken
        expect(await budget.take('T1', 'conversations.replies', at(90_000 + READ_INTERVAL_MS - 1))).toBe(
          false,
        );
        expect(await budget.take('T1', 'conversations.replies', at(90_000 + READ_INTERVAL_MS))).toBe(true);
      } finally {
        await budget.close();
      }
    });

    test('of many callers taking the same minute at once, exactly one gets it', async () => {
      const budget = await open();
      try {
        const taken = await Promise.all(
          Array.from({ length: 8 }, () => budget.take('T3', 'conversations.history', at(0))),
        );
        expect(taken.filter(Boolean)).toHaveLength(1);
      } finally {
        await budget.close();
      }
    });
  });
}
