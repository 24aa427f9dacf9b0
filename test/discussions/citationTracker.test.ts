import { describe, expect, test } from '@jest/globals';
import { CitationTracker } from '../../src/discussions/citationTracker.js';
import type { Citing } from '../../src/discussions/followUps.js';
import { silentLogger } from '../../src/logger.js';
import { createMemoryCitationStore } from '../../src/papers/citations.js';
import { type CitationFacts, RateLimited } from '../../src/papers/sources/semanticScholar.js';
import { FakeClock } from '../support/bot.js';
import { makePaper } from '../support/papers.js';

const ids = (count: number) => Array.from({ length: count }, (_, i) => `2411.${String(i).padStart(5, '0')}`);

function tracker(fetch: (ids: readonly string[]) => Promise<CitationFacts[]>) {
  const store = createMemoryCitationStore();
  const clock = new FakeClock(new Date('2026-11-26T12:00:00Z'));
  const sleeps: number[] = [];
  const told: Citing[][] = [];
  const papers = new Map(
    [
      makePaper({ id: 'cited', arxivId: '2310.02743', title: 'Cited' }),
      makePaper({ id: 'new', arxivId: '2411.00000', title: 'New' }),
    ].map((p) => [p.arxivId as string, p]),
  );
  const run = new CitationTracker({
    store,
    fetch,
    papers: { getByArxivId: async (id) => papers.get(id) },
    tell: async (citations) => told.push([...citations]),
    now: clock.now,
    logger: silentLogger,
    spacingMs: 1100,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
  return { run, store, clock, sleeps, told };
}

describe('the citation tracker', () => {
  test('asks in batches of at most 500, paced; tells what new papers cite; records the counts', async () => {
    const asked: number[] = [];
    const { run, store, sleeps, told } = tracker(async (batch) => {
      asked.push(batch.length);
      return batch.map((arxivId) => ({
        arxivId,
        citationCount: 3,
        influentialCitationCount: 1,
        references: arxivId === '2411.00000' ? ['2310.02743', '9999.99999'] : [],
      }));
    });
    await store.want(ids(1200), new Date('2026-11-26T11:00:00Z'), true);
    const pass = await run.tick();
    expect(pass).toEqual({ fetched: 1200, requests: 3 });
    expect(asked).toEqual([500, 500, 200]);
    expect(sleeps).toHaveLength(2); // between requests, not before the first
    expect(sleeps.every((ms) => ms > 0 && ms <= 1100)).toBe(true);
    expect(told.flat().map((c) => [c.citing.id, c.cited])).toEqual([['new', ['cited']]]);
    expect((await store.counts(['2411.00001'])).get('2411.00001')?.citationCount).toBe(3);
    expect(await store.due(new Date('2026-11-26T12:00:00Z'), 10)).toEqual([]);
  });

  test('a 429 waits out its Retry-After; other failures back off, doubling; nothing is lost meanwhile', async () => {
    const answers: Array<Error | 'ok'> = [
      new RateLimited(30_000, 'x'),
      new Error('HTTP 500'),
      new Error('HTTP 502'),
      'ok',
    ];
    const { run, store, clock } = tracker(async (batch) => {
      const next = answers.shift();
      if (next instanceof Error) throw next;
      return batch.map((arxivId) => ({
        arxivId,
        citationCount: 1,
        influentialCitationCount: 0,
        references: [],
      }));
    });
    await store.want(['2411.00001'], clock.now(), false);
    expect((await run.tick()).stopped).toMatch(/429/);
    clock.advance(29_000);
    expect(await run.tick()).toEqual({ fetched: 0, requests: 0, stopped: 'waiting after a failure' });
    clock.advance(1_000);
    expect((await run.tick()).stopped).toBe('HTTP 500');
    clock.advance(60_000);
    expect((await run.tick()).stopped).toBe('HTTP 502');
    clock.advance(60_000); // the second failure in a row waits two minutes
    expect((await run.tick()).requests).toBe(0);
    clock.advance(60_000);
    expect(await run.tick()).toEqual({ fetched: 1, requests: 1 });
    expect((await store.counts(['2411.00001'])).size).toBe(1);
  });
});
