import { statSync, writeFileSync } from 'node:fs';
import { describe, expect, test } from '@jest/globals';
import { Library, type SignalSchedule } from '../src/library.js';
import { silentLogger } from '../src/logger.js';
import { corpusFile } from '../src/papers/corpus.js';
import type { Paper } from '../src/papers/paper.js';
import { RANKER_FEATURES } from '../src/search/ranker.js';
import { SIGNAL_TRAINING } from '../src/search/signal.js';
import { readSignal, readSignalHeader, signalFile } from '../src/search/signalFile.js';
import { WorkerSearcher } from '../src/search/workerSearcher.js';
import { closedAfter } from './support/cleanup.js';
import { makePaper } from './support/papers.js';
import { tempDir } from './support/tmp.js';

// Training runs the compiled worker (dist/), which `npm test` builds first.
const emptyDataDir = () => {
  const dir = tempDir('paperbot-signal-');
  writeFileSync(corpusFile(dir), '');
  return dir;
};

/** Papers titled with "referee" whose abstracts speak of reviewers, and papers on proteins. */
const papers = (from: number, count: number): Paper[] =>
  Array.from({ length: count }, (_, i) => {
    const n = from + i;
    return n % 2 === 0
      ? makePaper({
          id: `2401.${String(n).padStart(5, '0')}`,
          title: `Referee study ${n}`,
          abstract: `How reviewers score submissions, case ${n}.`,
        })
      : makePaper({
          id: `2401.${String(n).padStart(5, '0')}`,
          title: `Protein study ${n}`,
          abstract: `How folding shapes structure, case ${n}.`,
        });
  });

const SCHEDULE: SignalSchedule = {
  minPapers: 10,
  growth: 0.5,
  training: { ...SIGNAL_TRAINING, minPapers: 2 },
  train: true,
};

/** Ingests papers, writes a checkpoint and waits for the signal's refresh that follows it. */
async function ingest(library: Library, batch: Paper[]): Promise<void> {
  await library.ingest({ papers: batch, skipped: [] });
  await library.checkpoint();
  await library.refreshSignal();
}

describe('the learnt signal of a library', () => {
  test('is trained once the corpus is large enough, and again only when it has grown enough', async () => {
    const dir = emptyDataDir();
    const library = closedAfter(await Library.open(dir, silentLogger, { signal: SCHEDULE }));
    await ingest(library, papers(0, 8));
    expect(await readSignalHeader(signalFile(dir))).toBeUndefined();
    expect(await library.relatedTerms('referee')).toEqual([]);

    await ingest(library, papers(8, 4));
    expect((await readSignalHeader(signalFile(dir)))?.papers).toBe(12);
    expect((await library.relatedTerms('referee')).map((r) => r.term)).toContain('review');
    // The worker trains the ranker beside the translation, into the same file.
    expect((await readSignal(signalFile(dir)))?.model.ranker).toHaveLength(RANKER_FEATURES.length);

    await ingest(library, papers(12, 5)); // 17: less than half as many again
    expect((await readSignalHeader(signalFile(dir)))?.papers).toBe(12);
    await ingest(library, papers(17, 1)); // 18
    expect((await readSignalHeader(signalFile(dir)))?.papers).toBe(18);
  });

  test('trained on a sample of a larger corpus, it is trained again only when the corpus has grown enough', async () => {
    const dir = emptyDataDir();
    const sampled: SignalSchedule = { ...SCHEDULE, training: { ...SCHEDULE.training, maxPapers: 6 } };
    const library = closedAfter(await Library.open(dir, silentLogger, { signal: sampled }));
    await ingest(library, papers(0, 12));
    const first = await readSignalHeader(signalFile(dir));
    expect(first?.papers).toBeLessThan(12); // a sample
    expect(first?.corpusPapers).toBe(12);
    await ingest(library, papers(12, 5)); // 17: less than half as many again as the corpus it learnt from
    expect(await readSignalHeader(signalFile(dir))).toEqual(first);
    await ingest(library, papers(17, 1)); // 18
    expect((await readSignalHeader(signalFile(dir)))?.corpusPapers).toBe(18);
  });

  test('a reopened library uses the file it finds, unless it was trained otherwise', async () => {
    const dir = emptyDataDir();
    const first = await Library.open(dir, silentLogger, { signal: SCHEDULE });
    await ingest(first, papers(0, 12));
    await first.close();
    const trainedAt = statSync(signalFile(dir)).mtimeMs;

    const reopened = closedAfter(
      await Library.open(dir, silentLogger, {
        signal: SCHEDULE,
        searcher: new WorkerSearcher({ logger: silentLogger }),
      }),
    );
    await reopened.refreshSignal();
    expect(statSync(signalFile(dir)).mtimeMs).toBe(trainedAt);
    expect((await reopened.relatedTerms('referee')).map((r) => r.term)).toContain('review');
    const [reviewers, proteins] = await reopened.signalScores('referee', ['2401.00000', '2401.00001']);
    expect(reviewers).toBeGreaterThan(proteins as number);
    await reopened.close();

    const seed = { ...SCHEDULE, training: { ...SCHEDULE.training, seed: 2 } };
    const loadsOnly = closedAfter(
      await Library.open(dir, silentLogger, { signal: { ...seed, train: false } }),
    );
    await loadsOnly.refreshSignal();
    expect(await loadsOnly.relatedTerms('referee')).toEqual([]);
    await loadsOnly.close();
    const retrained = closedAfter(await Library.open(dir, silentLogger, { signal: seed }));
    await retrained.refreshSignal();
    expect((await readSignalHeader(signalFile(dir)))?.training.seed).toBe(2);
    expect((await retrained.relatedTerms('referee')).map((r) => r.term)).toContain('review');
  });
});
