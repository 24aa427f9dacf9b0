import { expect, test } from '@jest/globals';
import type { Database } from '../../src/db/database.js';
import { PostgresReadBudget } from '../../src/slack/readBudget.js';
import { suiteDatabase } from '../support/postgres.js';
import { readBudgetContract } from './readBudgetContract.js';

let db: Database;
suiteDatabase((opened) => {
  db = opened;
});

readBudgetContract({
  name: 'PostgreSQL',
  open: async () => {
    await db.query('TRUNCATE read_budget');
    return new PostgresReadBudget(db);
  },
});

test('two replicas share one budget: of both taking the same minute, one reads', async () => {
  await db.query('TRUNCATE read_budget');
  const now = new Date('2026-11-26T12:00:00Z');
  const [a, b] = [new PostgresReadBudget(db), new PostgresReadBudget(db)];
  const taken = await Promise.all([
    a.take('T1', 'conversations.replies', now),
    b.take('T1', 'conversations.replies', now),
  ]);
  expect(taken.sort()).toEqual([false, true]);
  expect(await b.take('T1', 'conversations.replies', new Date(now.getTime() + 60_000))).toBe(true);
});
