import { Library } from '../../src/library.js';
import { silentLogger } from '../../src/logger.js';
import type { Paper } from '../../src/papers/paper.js';
import { STOP_WORDS } from '../../src/search/text.js';
import { selectDigest } from '../../src/subscriptions/digest.js';
import { Scheduler } from '../../src/subscriptions/scheduler.js';
import { createMemoryStore } from '../../src/subscriptions/store.js';
import type { Subscription } from '../../src/subscriptions/subscription.js';
import { FakeClock, RecordingPoster } from '../support/bot.js';
import { random } from './corpora.js';

/**
 * Topics as people write them: two or three consecutive content words from real titles
 * ("diffusion models", "vision language navigation"), drawn with a fixed seed.
 */
export function sampleTopics(papers: readonly Paper[], count: number, seed = 7): string[] {
  const next = random(seed);
  const topics: string[] = [];
  while (topics.length < count) {
    const paper = papers[Math.floor(next() * papers.length)] as Paper;
    const words = (paper.title.match(/[\p{L}][\p{L}\p{N}-]*/gu) ?? []).filter(
      (word) => word.length > 2 && !STOP_WORDS.has(word.toLowerCase()),
    );
    if (words.length < 2) continue;
    const length = next() < 0.6 ? 2 : 3;
    const start = Math.floor(next() * Math.max(1, words.length - length + 1));
    topics.push(
      words
        .slice(start, start + length)
        .join(' ')
        .toLowerCase(),
    );
  }
  return topics;
}

/**
 * `count` subscriptions on sampled topics, 5 to a channel (2,000 channels for 10,000), all due the
 * morning after the corpus's newest listing day and last run the morning before: the digests of a
 * busy morning.
 */
export function dueSubscriptions(
  papers: readonly Paper[],
  count: number,
  team = 'T0BENCH',
): { now: Date; subscriptions: Subscription[] } {
  // The day of the newest listing (the seed has no publication dates: its arrival day).
  const dayOf = (paper: Paper) => paper.published ?? paper.arrivedAt.slice(0, 10);
  let lastDay = '';
  for (const paper of papers) if (dayOf(paper) > lastDay) lastDay = dayOf(paper);
  const now = new Date(`${lastDay}T09:00:00Z`);
  const lastRunAt = new Date(now.getTime() - 24 * 3600_000).toISOString();
  const subscriptions: Subscription[] = sampleTopics(papers, count).map((topic, i) => ({
    id: `s${i.toString(36).padStart(6, '0')}`,
    team,
    channel: `C${i % Math.max(1, Math.floor(count / 5))}`,
    topic,
    schedule: { cadence: 'daily', time: '09:00', tz: 'UTC' },
    createdBy: 'U0BENCH',
    createdAt: '2025-01-01T00:00:00.000Z',
    state: { status: 'active' },
    lastRunAt,
    papersSince: lastRunAt,
    nextRunAt: now.toISOString(),
  }));
  return { now, subscriptions };
}

/**
 * 10,000 subscriptions due at once the morning after the corpus's last listing day: the time to
 * compute every digest (the pure part), and a whole scheduler tick with a no-op poster.
 */
export async function benchDigests(
  papers: Paper[],
  subscriptions: number,
  built?: Library,
): Promise<Record<string, number | string>> {
  let started = performance.now();
  const index = built ?? (await Library.inMemory(papers));
  const buildMs = performance.now() - started;
  const { now, subscriptions: subs } = dueSubscriptions(papers, subscriptions);

  started = performance.now();
  let selected = 0;
  for (const sub of subs) selected += (await selectDigest(sub, index, {})).hits.length > 0 ? 1 : 0;
  const computeMs = performance.now() - started;

  const store = createMemoryStore();
  for (const sub of subs) await store.add(sub);
  const poster = new RecordingPoster();
  const scheduler = new Scheduler({
    store,
    index,
    poster,
    now: new FakeClock(now).now,
    logger: silentLogger,
  });
  started = performance.now();
  const runs = await scheduler.tick();
  const tickMs = performance.now() - started;

  // A first digest (no last run) searches the whole corpus: measured on a sample.
  const firstRuns = subs.slice(0, 500).map((s) => ({ topic: s.topic }));
  started = performance.now();
  for (const sub of firstRuns) await selectDigest(sub, index, {});
  const firstRunMs = (performance.now() - started) / firstRuns.length;

  return {
    papers: papers.length,
    'papers in the last day': papers.filter((paper) => paper.arrivedAt > (subs[0]?.papersSince ?? '')).length,
    ...(built ? {} : { 'index build (ms)': Math.round(buildMs) }),
    subscriptions,
    'digests with papers': selected,
    'compute all due digests (ms)': Math.round(computeMs),
    'scheduler tick, no-op poster (ms)': Math.round(tickMs),
    'digests posted by the tick': runs.filter((run) => run.outcome === 'posted').length,
    'first-run digest, whole corpus (ms each)': firstRunMs.toFixed(1),
  };
}
