import { cpSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { Library } from '../../src/library.js';
import { silentLogger } from '../../src/logger.js';
import { corpusFile, serialiseCorpus, writeFileAtomically } from '../../src/papers/corpus.js';
import type { Paper } from '../../src/papers/paper.js';
import { papersFromHfItems } from '../../src/papers/sources/hfDaily.js';
import { signalFile } from '../../src/search/signalFile.js';
import { DEFAULT_STRICTNESS, type Strictness } from '../../src/subscriptions/aboutness.js';
import { DIGEST_SIZE, nextPapersSince, selectDigest } from '../../src/subscriptions/digest.js';

const BY_DAY = fileURLToPath(
  new URL('../../../shared/data/hf-daily-papers/by_day.jsonl.gz', import.meta.url),
);

/** digest-labels.json: the replay window, its papers, and each topic's relevant papers among them. */
export interface DigestLabels {
  window: { from: string; to: string; days: string[] };
  papers: { arxivId: string; title: string; day: string }[];
  topics: { topic: string; relevant: string[] }[];
}

/** Precision and recall of what the subscriptions of one split posted over the window. */
export interface ReplayResult {
  topics: number;
  posted: number;
  relevant: number;
  hits: number;
  precision: number;
  recall: number;
}

/** Tune on every other topic (the first, third, …), report the rest. */
export const topicSplit = (i: number): 'tune' | 'heldout' => (i % 2 === 0 ? 'tune' : 'heldout');

/** The window's papers as the daily Hugging Face refresh would have ingested them, by day. */
export function windowArrivals(labels: DigestLabels): Map<string, Paper[]> {
  const days = new Set(labels.window.days);
  const seen = new Set<string>();
  const byDay = new Map<string, Paper[]>();
  const lines = gunzipSync(readFileSync(BY_DAY)).toString('utf8').split('\n').filter(Boolean);
  for (const line of lines) {
    const { date, items } = JSON.parse(line) as { date: string; items: unknown[] };
    if (!days.has(date)) continue;
    for (const paper of papersFromHfItems(items, `${date}T06:00:00.000Z`).papers) {
      if (seen.has(paper.id)) continue;
      seen.add(paper.id);
      byDay.set(date, [...(byDay.get(date) ?? []), paper]);
    }
  }
  return byDay;
}

/**
 * The index of the 85k corpus as it stood before the window: every paper but the window's, cached
 * beside the eval corpus (`dir`) like a data directory, so that later runs load its snapshot.
 */
export async function indexBeforeWindow(
  dir: string,
  corpus: Library,
  labels: DigestLabels,
): Promise<Library> {
  const window = new Set(labels.papers.map((paper) => paper.arxivId));
  const cached = join(dir, 'cached');
  if (!existsSync(corpusFile(cached))) {
    const before: Paper[] = [];
    for await (const batch of corpus.papers())
      before.push(...batch.filter((paper) => !window.has(paper.arxivId ?? paper.id)));
    await writeFileAtomically(corpusFile(cached), serialiseCorpus(before));
  }
  if (!existsSync(signalFile(cached))) {
    // Its catalog, snapshot and learnt signal, for next time.
    const library = await Library.open(cached, silentLogger);
    await library.refreshSignal();
    await library.close();
  }
  // The replay ingests into a copy, so that the cached directory stays as it was before the window.
  const copy = join(dir, 'replay');
  rmSync(copy, { recursive: true, force: true });
  cpSync(cached, copy, { recursive: true });
  const library = await Library.open(copy, silentLogger);
  await library.refreshSignal();
  return library;
}

/**
 * Replays the window: each day its papers are added to the index at 06:00 UTC and every topic's
 * subscription runs its daily digest at 09:00 (at most {@link DIGEST_SIZE} papers, the rest
 * carried over as the scheduler does), starting the day before the window, every subscription
 * with the given strictness. Returns, per split,
 * the precision and recall of everything posted against the labels.
 */
export async function replayDigests(
  labels: DigestLabels,
  corpus: Library,
  cacheDir: string,
  prepare: (index: Library) => Promise<void> = async () => {},
  strictness: Strictness = DEFAULT_STRICTNESS,
): Promise<Record<'tune' | 'heldout', ReplayResult>> {
  const index = await indexBeforeWindow(join(cacheDir, 'digest-replay'), corpus, labels);
  await prepare(index);
  const arrivals = windowArrivals(labels);
  const start = new Date(Date.parse(`${labels.window.days[0]}T09:00:00Z`) - 86_400_000).toISOString();
  const subscriptions = labels.topics.map(({ topic }) => ({
    topic,
    strictness,
    createdAt: start,
    papersSince: start,
    posted: {} as Record<string, string>,
  }));
  for (const day of labels.window.days) {
    await index.ingest({ papers: arrivals.get(day) ?? [], skipped: [] });
    const runAt = new Date(`${day}T09:00:00Z`);
    for (const subscription of subscriptions) {
      const digest = await selectDigest(subscription, index, subscription.posted, DIGEST_SIZE);
      for (const hit of digest.hits) subscription.posted[hit.paper.id] = runAt.toISOString();
      subscription.papersSince = nextPapersSince(subscription, digest, runAt);
    }
  }
  const result = (split: 'tune' | 'heldout'): ReplayResult => {
    let posted = 0;
    let relevant = 0;
    let hits = 0;
    let topics = 0;
    labels.topics.forEach(({ relevant: ids }, i) => {
      if (topicSplit(i) !== split) return;
      topics++;
      const sent = Object.keys((subscriptions[i] as (typeof subscriptions)[number]).posted);
      posted += sent.length;
      relevant += ids.length;
      hits += sent.filter((id) => ids.includes(id)).length;
    });
    return {
      topics,
      posted,
      relevant,
      hits,
      precision: posted ? hits / posted : 1,
      recall: relevant ? hits / relevant : 1,
    };
  };
  await index.close();
  return { tune: result('tune'), heldout: result('heldout') };
}
