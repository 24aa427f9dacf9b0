import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { Library } from '../../src/library.js';
import { silentLogger } from '../../src/logger.js';
import { corpusFile } from '../../src/papers/corpus.js';
import { Refresher } from '../../src/papers/refresher.js';
import { configuredSources } from '../../src/papers/refreshSources.js';
import { FakeClock } from '../support/bot.js';
import { closedAfter } from '../support/cleanup.js';
import { arxivRows, FakeSources, hfDays } from '../support/fakeSources.js';
import { tempDir } from '../support/tmp.js';

const days = hfDays(3);

describe('Refresher with the configured sources', () => {
  let sources: FakeSources;
  beforeAll(async () => {
    sources = await new FakeSources().start();
    for (const day of days) sources.hfDays.set(day.date, day.items);
    sources.arxiv = arxivRows(40);
  });
  afterAll(async () => sources.stop());

  async function setup(start: string) {
    const dir = tempDir('paperbot-refresh-');
    writeFileSync(corpusFile(dir), '');
    const library = closedAfter(await Library.open(dir, silentLogger));
    const clock = new FakeClock(new Date(start));
    const warn = jest.fn();
    const refresher = new Refresher({
      library,
      sources: configuredSources(
        {
          hfApiUrl: sources.hfUrl,
          arxivApiUrl: sources.arxivUrl,
          hfSchedule: '5 * * * *',
          arxivSchedule: '30 6 * * *',
          arxivCategories: ['cs.LG'],
          arxivMax: 25,
        },
        { sleep: async () => {}, timeoutMs: 500 },
      ),
      now: clock.now,
      logger: { ...silentLogger, warn },
    });
    return { dir, library, clock, refresher, warn };
  }

  test('each source is read when its schedule says, and what it finds is in the corpus', async () => {
    const last = days[2]?.date ?? '';
    const { library, clock, refresher } = await setup(`${last}T05:00:00Z`);
    expect(refresher.schedule().map((s) => [s.source, s.next.toISOString()])).toEqual([
      ['Hugging Face daily papers', `${last}T05:05:00.000Z`],
      ['arXiv cs.LG', `${last}T06:30:00.000Z`],
    ]);
    expect(await refresher.tick()).toEqual([]);
    clock.set(`${last}T05:05:00Z`);
    const [hf] = await refresher.tick();
    // The HF source reads yesterday's and today's lists.
    const yesterday = new Date(Date.parse(`${last}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    const read = [...(sources.hfDays.get(yesterday) ?? []), ...(sources.hfDays.get(last) ?? [])] as Array<{
      paper: { id: string };
    }>;
    const expected = new Set(read.map((item) => item.paper.id)).size;
    expect(hf).toEqual({
      source: 'Hugging Face daily papers',
      report: expect.objectContaining({ new: expected, corpusSize: expected }),
    });
    clock.set(`${last}T06:30:00Z`);
    // The hourly HF read is due again too: it finds nothing new.
    expect(await refresher.tick()).toEqual([
      {
        source: 'Hugging Face daily papers',
        report: expect.objectContaining({ new: 0, unchanged: expected }),
      },
      { source: 'arXiv cs.LG', report: expect.objectContaining({ new: 25 }) },
    ]);
    expect(library.size).toBe(expected + 25);
  });

  test.each(['http-500', 'timeout', 'truncated'] as const)(
    'a failing source (%s) is logged, leaves the corpus as it was, and is read again next time',
    async (fault) => {
      const last = days[2]?.date ?? '';
      const { dir, library, clock, refresher, warn } = await setup(`${last}T05:00:00Z`);
      clock.set(`${last}T05:05:00Z`);
      sources.faults.push(fault);
      const [run] = await refresher.tick();
      expect(run).toMatchObject({
        source: 'Hugging Face daily papers',
        error: expect.stringContaining('/hf/daily_papers?date='),
      });
      expect(String(warn.mock.calls[0]?.[0])).toMatch(
        new RegExp(
          `^Hugging Face daily papers could not be read \\(.+\\); trying again at ${last}T06:05:00\\.000Z\\.$`,
        ),
      );
      expect(library.size).toBe(0);
      expect(readFileSync(corpusFile(dir), 'utf8')).toBe('');
      clock.set(`${last}T06:05:00Z`);
      const [retry] = await refresher.tick();
      expect(retry).toMatchObject({ report: { corpusSize: expect.any(Number) } });
      expect(library.size).toBeGreaterThan(0);
    },
  );
});
