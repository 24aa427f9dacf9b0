import { expect, test } from '@jest/globals';
import { Replies } from '../../src/bot/replies.js';
import { Library } from '../../src/library.js';
import { silentLogger } from '../../src/logger.js';
import type { OperationsStatus } from '../../src/status.js';
import { Scheduler } from '../../src/subscriptions/scheduler.js';
import { createMemoryStore } from '../../src/subscriptions/store.js';
import { RecordingPoster } from '../support/bot.js';
import { makePaper } from '../support/papers.js';

function replies(index: Library, operations?: OperationsStatus) {
  const store = createMemoryStore();
  const now = () => new Date('2026-12-07T12:00:00Z');
  const scheduler = new Scheduler({ store, index, poster: new RecordingPoster(), now, logger: silentLogger });
  return new Replies({
    index,
    store,
    scheduler,
    now,
    logger: silentLogger,
    ...(operations ? { operations } : {}),
  });
}

test("status's newest paper is the one published last, not the one that arrived last", async () => {
  // A bulk ingest of older papers after the recent ones: arrival order is not publication order.
  const index = await Library.inMemory([
    makePaper({
      title: 'Published in August',
      published: '2026-08-20',
      arrivedAt: '2026-11-01T00:00:00.000Z',
    }),
    makePaper({
      title: 'Published in April',
      published: '2026-04-29',
      arrivedAt: '2026-12-01T00:00:00.000Z',
    }),
    makePaper({ title: 'No date, arrived last', arrivedAt: '2026-12-05T00:00:00.000Z' }),
  ]);
  expect((await replies(index).status()).newest?.title).toBe('Published in August');
});

test('without publication dates, the newest is the last to arrive; the last manual ingest is reported', async () => {
  const index = await Library.inMemory([
    makePaper({ title: 'First', arrivedAt: '2026-11-01T00:00:00.000Z' }),
    makePaper({ title: 'Second', arrivedAt: '2026-12-01T00:00:00.000Z' }),
  ]);
  const lastIngest = { at: '2026-12-07T10:00:00.000Z', what: 'file day.json', new: 2, summary: '2 new' };
  const status = await replies(index, {
    startedAt: new Date('2026-12-07T11:00:00Z'),
    sources: () => [],
    backfill: () => undefined,
    lastIngest: async () => lastIngest,
  }).status();
  expect(status.newest?.title).toBe('Second');
  expect(status.lastIngest).toEqual(lastIngest);
});
