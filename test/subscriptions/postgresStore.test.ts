import { describe, expect, test } from '@jest/globals';
import type { Database } from '../../src/db/database.js';
import { PostgresSubscriptionStore } from '../../src/subscriptions/postgresStore.js';
import { suiteDatabase } from '../support/postgres.js';
import { subscription } from '../support/subscriptions.js';
import { storeContract } from './storeContract.js';

let db: Database;
suiteDatabase((opened) => {
  db = opened;
});

/** Ends every claim session the way the server ends a dead client's: its locks go with it. */
async function killClaimSessions(): Promise<void> {
  const sessions = `FROM pg_stat_activity WHERE application_name = 'paperbot claims' AND datname = current_database()`;
  await db.query(`SELECT pg_terminate_backend(pid) ${sessions}`);
  for (let i = 0; i < 100; i++) {
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n ${sessions}`);
    if (rows[0]?.n === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await new Promise((resolve) => setTimeout(resolve, 50)); // the client hears of it
}

storeContract({
  name: 'PostgreSQL',
  open: async () => {
    await db.query('TRUNCATE subscriptions, posted, feedback, channels');
    return new PostgresSubscriptionStore(db);
  },
  killSessions: killClaimSessions,
});

describe('PostgreSQL store', () => {
  test('a claim reads only the ledger its digests can need, not a channel’s whole history', async () => {
    await db.query('TRUNCATE subscriptions, posted, feedback, channels');
    const store = new PostgresSubscriptionStore(db);
    const now = new Date('2026-11-27T09:00:00Z');
    await store.add(
      subscription('aaaa', { papersSince: '2026-11-26T09:00:00.000Z', nextRunAt: now.toISOString() }),
    );
    const run = (at: string, ids: string[]) => ({
      at: new Date(at),
      papersSince: '2026-11-26T09:00:00.000Z',
      nextRunAt: now,
      postedPaperIds: ids,
    });
    await store.recordRun({ team: 'T0TEST', id: 'aaaa' }, run('2025-01-01T09:00:00Z', ['last-year']));
    await store.recordRun({ team: 'T0TEST', id: 'aaaa' }, run('2026-11-26T09:00:00Z', ['yesterday']));
    const claims = await store.openClaims();
    const [claimed] = await claims.claimDue(now, 10);
    expect(claimed?.posted).toEqual({ yesterday: '2026-11-26T09:00:00.000Z' });
    expect(Object.keys(await store.postedIn({ team: 'T0TEST', channel: 'C0GENERAL' })).sort()).toEqual([
      'last-year',
      'yesterday',
    ]);
    await claims.close();
  });

  test('a claim session that lost its connection claims nothing and marks nothing', async () => {
    await db.query('TRUNCATE subscriptions, posted, feedback, channels');
    const store = new PostgresSubscriptionStore(db);
    await store.add(subscription('aaaa'));
    const claims = await store.openClaims();
    await killClaimSessions();
    expect(claims.lost).toBe(true);
    expect(await claims.claimDue(new Date('2026-11-27T09:00:00Z'), 10)).toEqual([]);
    expect(await claims.claimChannel({ team: 'T0TEST', channel: 'C0GENERAL' })).toBeUndefined();
    await claims.close();
  });
});
