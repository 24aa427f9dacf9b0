import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { Library } from '../../src/library.js';
import { silentLogger } from '../../src/logger.js';
import { Backfill } from '../../src/papers/backfill.js';
import { corpusFile } from '../../src/papers/corpus.js';
import { RefreshState, refreshStateFile } from '../../src/papers/refreshState.js';
import { FakeClock } from '../support/bot.js';
import { closedAfter } from '../support/cleanup.js';
import { FakeSources, hfDays } from '../support/fakeSources.js';
import { tempDir } from '../support/tmp.js';

const days = hfDays(3);
const [oldest, middle, newest] = days.map((day) => day.date);

/** Resolves once `condition()` holds (checked every 5 ms), failing after 5 s. */
async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('Backfill against the fake Hugging Face API', () => {
  let sources: FakeSources;
  beforeAll(async () => {
    sources = await new FakeSources().start();
    for (const day of days) sources.hfDays.set(day.date, day.items);
  });
  afterAll(async () => sources.stop());

  async function setup() {
    const dir = tempDir('paperbot-backfill-');
    writeFileSync(corpusFile(dir), '');
    const library = closedAfter(await Library.open(dir, silentLogger));
    const state = await RefreshState.open(dir);
    const clock = new FakeClock(new Date(`${newest}T12:00:00Z`));
    const lines: string[] = [];
    const logger = {
      ...silentLogger,
      info: (...m: unknown[]) => lines.push(`info ${m.join(' ')}`),
      warn: (...m: unknown[]) => lines.push(`warn ${m.join(' ')}`),
    };
    const backfill = (options: { maxAttempts?: number } = {}) =>
      new Backfill({
        library,
        state,
        hfApiUrl: sources.hfUrl,
        now: clock.now,
        logger,
        days: 3,
        paceMs: 0,
        retryMs: 60_000,
        checkEveryMs: 5, // the clock is moved by the test
        fetch: { timeoutMs: 2000 },
        ...options,
      });
    sources.requests.length = 0;
    return { dir, library, state, clock, lines, backfill };
  }

  const dateOf = (request: string) => new URL(request, 'http://x').searchParams.get('date');

  test('reads the days newest first, retries a failed day later, and remembers that it is done', async () => {
    const { dir, library, state, clock, lines, backfill } = await setup();
    expect(Backfill.wanted(state, 3)).toBe(true);
    expect(Backfill.wanted(state, 0)).toBe(false);
    sources.faults = ['http-500']; // the first request (the newest day) fails
    const run = backfill();
    run.start();
    await until(() => (state.backfill?.done.length ?? 0) === 2);
    expect(state.backfill?.failed[newest as string]).toMatchObject({ attempts: 1 });
    expect(run.pending).toBe(1);
    // Papers of the days read are in the corpus while the failed one waits for its retry.
    expect(library.size).toBe((days[0]?.items.length ?? 0) + (days[1]?.items.length ?? 0));
    clock.advance(60_000);
    await run.finished();
    expect(sources.requests.map(dateOf)).toEqual([newest, middle, oldest, newest]);
    expect(library.size).toBe(days.reduce((sum, day) => sum + day.items.length, 0));
    expect(state.backfill).toMatchObject({ done: [middle, oldest, newest], failed: {}, abandoned: [] });
    expect(state.backfill?.finishedAt).toBeDefined();
    expect(lines.find((line) => line.startsWith('warn'))).toMatch(
      new RegExp(`^warn Backfill: ${newest} could not be read \\(.*HTTP 500.*\\); trying it again at `),
    );
    expect(lines.at(-1)).toMatch(/^info Backfill finished: 3 of 3 days read, \d+ new papers\.$/);
    // On disk: a restart does not backfill again.
    await state.settle();
    const reopened = await RefreshState.open(dir);
    expect(reopened.backfill?.finishedAt).toBeDefined();
    expect(Backfill.wanted(reopened, 3)).toBe(false);
    expect(JSON.parse(readFileSync(refreshStateFile(dir), 'utf8')).sources['Hugging Face backfill']).toEqual({
      lastSuccess: expect.objectContaining({ summary: expect.stringContaining(`${newest}: `) }),
      lastFailure: expect.objectContaining({ reason: expect.stringContaining('HTTP 500') }),
    });
  });

  test('a day that keeps failing is left out, with the command that reads it', async () => {
    const { state, clock, lines, backfill } = await setup();
    sources.faults = ['http-500'];
    const run = backfill({ maxAttempts: 2 });
    run.start();
    await until(() => (state.backfill?.done.length ?? 0) === 2);
    sources.faults = ['html']; // its retry fails too
    clock.advance(60_000);
    await run.finished();
    expect(state.backfill).toMatchObject({ done: [middle, oldest], abandoned: [newest] });
    expect(lines.at(-1)).toBe(
      `info Backfill finished: 2 of 3 days read, ${state.backfill?.newPapers} new papers; 1 left out after 2 failures (${newest}): npx paperbot ingest hf-daily --since ${newest} reads them.`,
    );
  });

  test('stopped part-way, it goes on with the days left at the next start', async () => {
    const { state, backfill } = await setup();
    const first = backfill();
    first.start();
    await until(() => (state.backfill?.done.length ?? 0) >= 1);
    await first.stop();
    const read = state.backfill?.done.length ?? 0;
    expect(state.backfill?.finishedAt).toBeUndefined();
    expect(Backfill.wanted(state, 3)).toBe(true);
    const before = sources.requests.length;
    const second = backfill();
    second.start();
    await second.finished();
    expect(sources.requests.length - before).toBe(3 - read); // no day read twice
    expect(state.backfill?.done).toEqual([newest, middle, oldest]);
  });
});
