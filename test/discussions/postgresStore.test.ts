import { describe, expect, test } from '@jest/globals';
import type { Database } from '../../src/db/database.js';
import { type FollowUpPoster, FollowUps } from '../../src/discussions/followUps.js';
import { PostgresDiscussionStore } from '../../src/discussions/postgresStore.js';
import { silentLogger } from '../../src/logger.js';
import { makePaper } from '../support/papers.js';
import { suiteDatabase } from '../support/postgres.js';
import { discussionStoreContract } from './storeContract.js';

const before = makePaper({ id: '2401.00001', arxivId: '2401.00001', title: 'Reward model ensembles' });
const after = { ...before, links: { code: ['https://github.com/a/ensembles'], project: [] } };

let db: Database;
suiteDatabase((opened) => {
  db = opened;
});

discussionStoreContract({
  name: 'PostgreSQL',
  open: async () => {
    await db.query('TRUNCATE sightings, follow_ups, unnamed_people');
    return new PostgresDiscussionStore(db);
  },
});

describe('follow-ups over PostgreSQL', () => {
  test('three replicas hearing of the same news at once post it once', async () => {
    await db.query('TRUNCATE sightings, follow_ups');
    const ts = '1700000000.000100';
    await new PostgresDiscussionStore(db).record([
      {
        team: 'T0TEST',
        channel: 'C0ML',
        ts,
        threadTs: ts,
        paperId: before.id,
        kind: 'link',
        at: '2026-11-26T12:00:00.000Z',
      },
    ]);
    const posts: string[] = [];
    const poster: FollowUpPoster = {
      isArchived: async () => false,
      post: async (target, _followUp, key) => {
        posts.push(`${target.channel}/${target.threadTs}/${key}`);
        await new Promise((resolve) => setTimeout(resolve, 20)); // Slack's round trip
        return { ok: true };
      },
      alreadyPosted: async () => false,
    };
    const replica = () =>
      new FollowUps({
        store: new PostgresDiscussionStore(db), // each replica its own store over the shared database
        poster,
        paper: async () => after,
        now: () => new Date('2026-11-27T12:00:00Z'),
        logger: silentLogger,
      });
    const runs = await Promise.all([1, 2, 3].map(() => replica().handle([{ before, after }])));
    expect(posts).toHaveLength(1);
    expect(
      runs
        .flat()
        .map((r) => r.outcome)
        .sort(),
    ).toEqual(['posted', 'taken', 'taken']);
    const { rows } = await db.query<{ status: string }>('SELECT status FROM follow_ups');
    expect(rows).toEqual([{ status: 'posted' }]);
  });
});
