/**
 * How much papers resemble each other (what the taste's floor is measured
 * against), and what the workspaces' memory costs a card as it grows.
 * Run: npx tsx test/bench/memoryAndTaste.ts
 */
import { standaloneCard } from '../../src/blocks/paperCard.js';
import { DiscussionNotes } from '../../src/bot/discussionNotes.js';
import type { Sighting } from '../../src/discussions/discussion.js';
import { createMemoryDiscussionStore } from '../../src/discussions/store.js';
import { silentLogger } from '../../src/logger.js';
import { profileTerms } from '../../src/subscriptions/digest.js';
import { bundledPapers, makePaper } from '../support/papers.js';
import { quantile } from './stats.js';

function jaccard(a: Set<string>, b: Set<string>): number {
  let shared = 0;
  for (const term of a) if (b.has(term)) shared++;
  return shared / (a.size + b.size - shared || 1);
}

const profiles = bundledPapers().map(profileTerms);
const pairs: number[] = [];
const nearest = profiles.map((p, i) => {
  let best = 0;
  for (const [j, q] of profiles.entries()) {
    if (i === j) continue;
    const s = jaccard(p, q);
    if (j > i) pairs.push(s);
    best = Math.max(best, s);
  }
  return best;
});
const f = (x: number) => x.toFixed(3);
console.log(
  `bundled ${profiles.length} papers: pair overlap p50 ${f(quantile(pairs, 0.5))}, p99 ${f(quantile(pairs, 0.99))}; ` +
    `nearest other p50 ${f(quantile(nearest, 0.5))}, p90 ${f(quantile(nearest, 0.9))}, max ${f(quantile(nearest, 1))}; ` +
    `pairs at or above 0.2: ${((100 * pairs.filter((x) => x >= 0.2).length) / pairs.length).toFixed(2)}%`,
);

for (const n of [1_000, 10_000, 100_000]) {
  const store = createMemoryDiscussionStore();
  const sightings: Sighting[] = Array.from({ length: n }, (_, i) => {
    const ts = `1700000000.${String(i).padStart(6, '0')}`;
    return {
      team: 'T',
      channel: `C${i % 50}`,
      ts,
      threadTs: ts,
      paperId: `p${i % 5000}`,
      kind: 'link',
      at: new Date(1.7e12 + i * 1000).toISOString(),
    };
  });
  const started = performance.now();
  await store.record(sightings);
  const recordMs = performance.now() - started;
  const notes = new DiscussionNotes(store, () => new Date(), silentLogger);
  const cards = [0, 1, 2, 3, 4].flatMap((i) => standaloneCard(makePaper({ id: `p${i}`, title: `P ${i}` })));
  const message = { text: 'x', blocks: cards };
  const audience = { team: 'T', channel: 'C0', canSee: async () => true };
  const times: number[] = [];
  for (let r = 0; r < 41; r++) {
    const t = performance.now();
    await notes.annotate(message, audience);
    times.push(performance.now() - t);
  }
  console.log(
    `${n} sightings in the embedded store: recording them ${recordMs.toFixed(0)} ms; ` +
      `5 cards' "discussed" lines p50 ${quantile(times, 0.5).toFixed(2)} ms, p90 ${quantile(times, 0.9).toFixed(2)} ms`,
  );
}
