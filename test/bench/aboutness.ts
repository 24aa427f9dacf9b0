import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Paper } from '../../src/papers/paper.js';
import { TopicJudge } from '../../src/subscriptions/aboutness.js';
import type { DigestLabels } from './digestReplay.js';
import { quantile } from './stats.js';

const BUNDLED = fileURLToPath(new URL('../../data/bundled-papers.jsonl', import.meta.url));
const LABELS = fileURLToPath(new URL('../eval/digest-labels.json', import.meta.url));

/** Microseconds per judgement, the median of `rounds` rounds of `run` (on what `setup` made, untimed). */
function timed<T>(rounds: number, setup: () => T, run: (made: T) => number): number {
  const samples: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const made = setup();
    const started = performance.now();
    const judged = run(made);
    samples.push(((performance.now() - started) * 1000) / judged);
  }
  return quantile(samples, 0.5);
}

/**
 * `npm run build && node --import tsx --import ./test/bench/compiled.mjs test/bench/aboutness.ts`:
 * the cost of judging whether a paper is about a topic (what a digest does to each of up to 200
 * matches), over the bundled papers and the 40 labelled digest topics. `new paper, one topic`: every
 * judgement reads a paper never seen (the worst case); `new papers, 40 topics`: each paper is read
 * once and judged for every topic (a morning's digests share the day's new papers); `papers
 * already read`: the same papers again (a paper stays a candidate until posted).
 */
function main(): void {
  const papers = readFileSync(BUNDLED, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Paper);
  const topics = (JSON.parse(readFileSync(LABELS, 'utf8')) as DigestLabels).topics.map((t) => t.topic);
  const judges = topics.map((topic) => new TopicJudge(topic));
  const copies = () => papers.map((paper) => ({ title: paper.title, abstract: paper.abstract }));
  const rounds = 3;
  const fresh = timed(
    rounds,
    () => judges.map(copies),
    (unseen) => {
      judges.forEach((judge, i) => {
        for (const paper of unseen[i] as Paper[]) judge.judge(paper, 1);
      });
      return judges.length * papers.length;
    },
  );
  const shared = timed(rounds, copies, (unseen) => {
    for (const judge of judges) for (const paper of unseen) judge.judge(paper, 1);
    return judges.length * papers.length;
  });
  const warm = timed(
    rounds,
    () => undefined,
    () => {
      for (const judge of judges) for (const paper of papers) judge.judge(paper, 1);
      return judges.length * papers.length;
    },
  );
  console.log(`load average ${loadavg()[0]?.toFixed(2)}; ${papers.length} papers x ${topics.length} topics`);
  console.table({
    'new paper, one topic (us per judgement)': fresh.toFixed(1),
    'new papers, 40 topics (us per judgement)': shared.toFixed(1),
    'papers already read (us per judgement)': warm.toFixed(1),
  });
}

main();
