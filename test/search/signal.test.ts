import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { DocumentIndex } from '../../src/search/documentIndex.js';
import type { SearchDocument } from '../../src/search/documentTable.js';
import { parseQuery } from '../../src/search/query.js';
import { RANKING, withRanking } from '../../src/search/ranking.js';
import {
  mutualInformation,
  SIGNAL_TRAINING,
  type SignalCorpus,
  type SignalTraining,
  type TranslationModel,
  trainTranslation,
} from '../../src/search/signal.js';
import {
  readSignal,
  readSignalHeader,
  SIGNAL_FORMAT,
  trainSignalFile,
  writeSignal,
} from '../../src/search/signalFile.js';
import { searchDocument } from '../support/searchDocuments.js';
import { tempDir } from '../support/tmp.js';

/**
 * A small corpus in which papers titled with "referee" speak of reviewers in their abstracts, so
 * that the model learns to translate one into the other; the rest are on other topics.
 */
const CORPUS: SearchDocument[] = [
  searchDocument(
    'r1',
    'Referee assignment at scale',
    'We assign reviewers to submissions with a flow model.',
  ),
  searchDocument(
    'r2',
    'Fair referee matching',
    'Matching reviewers and papers fairly under reviewer load limits.',
  ),
  searchDocument(
    'r3',
    'Referee bias in conferences',
    'Reviewers favour famous authors; we measure reviewer bias.',
  ),
  searchDocument('r4', 'Who referees the referees', 'Meta review of reviewers and their reviewer scores.'),
  searchDocument(
    'p1',
    'Protein folding with attention',
    'Attention predicts protein structure from sequence.',
  ),
  searchDocument('p2', 'Protein design by diffusion', 'A diffusion model designs protein backbones.'),
  searchDocument('p3', 'Protein language models', 'Sequence models of protein families predict structure.'),
  searchDocument(
    'g1',
    'Graph networks for molecules',
    'Message passing over molecule graphs predicts properties.',
  ),
  searchDocument(
    'g2',
    'Scalable graph learning',
    'Sampling neighbours makes graph learning scale to large graphs.',
  ),
  searchDocument('g3', 'Graph transformers', 'Attention over graph nodes with positional encodings.'),
  searchDocument(
    'w1',
    'Workload balancing in clusters',
    'Cluster workload scheduling keeps the workload even.',
  ),
  searchDocument(
    'w2',
    'Expert assignment',
    'Balancing the workload of reviewers for conference peer review.',
  ),
];
const TRAINING: SignalTraining = { ...SIGNAL_TRAINING, minPapers: 2, minTogether: 2 };
const corpusOf = (index: DocumentIndex): SignalCorpus => index.signalCorpus();

/** The neighbours of `word` in a model, as words. */
function neighboursOf(model: TranslationModel, word: string): string[] {
  const row = model.words.indexOf(word);
  if (row < 0 || row >= model.starts.length - 1) return [];
  const out: string[] = [];
  for (let i = model.starts[row] as number; i < (model.starts[row + 1] as number); i++)
    out.push(model.words[model.targets[i] as number] as string);
  return out;
}

describe('mutualInformation', () => {
  test('is 0 for independent words and for words that avoid each other, positive for words that go together', () => {
    expect(mutualInformation(25, 50, 50, 100)).toBe(0);
    expect(mutualInformation(0, 50, 50, 100)).toBe(0);
    expect(mutualInformation(50, 50, 50, 100)).toBeCloseTo(Math.log(2), 10);
    expect(mutualInformation(10, 20, 30, 100)).toBeCloseTo(mutualInformation(10, 30, 20, 100), 12);
  });
});

describe('trainTranslation', () => {
  const index = DocumentIndex.build(CORPUS);

  test('learns that papers titled with a word use another in their abstracts', () => {
    const model = trainTranslation(corpusOf(index), TRAINING);
    expect(neighboursOf(model, 'refere')).toContain('review');
    expect(neighboursOf(model, 'protein')).not.toContain('review');
    for (let row = 0; row + 1 < model.starts.length; row++) {
      let sum = 0;
      for (let i = model.starts[row] as number; i < (model.starts[row + 1] as number); i++)
        sum += model.weights[i] as number;
      expect(sum).toBeCloseTo(1, 10);
    }
    expect(model.papers).toBe(CORPUS.length);
  });

  test('is deterministic for a corpus and a seed, also when it samples the papers of common words', () => {
    const sampling = { ...TRAINING, samplePapers: 2, seed: 7 };
    expect(trainTranslation(corpusOf(index), sampling)).toEqual(trainTranslation(corpusOf(index), sampling));
  });

  test('reads a seeded sample of a corpus larger than its maximum', () => {
    const sampled = { ...TRAINING, maxPapers: 6, seed: 3 };
    const model = trainTranslation(corpusOf(index), sampled);
    expect(model.papers).toBeGreaterThan(0);
    expect(model.papers).toBeLessThan(CORPUS.length);
    expect(trainTranslation(corpusOf(index), sampled)).toEqual(model);
  });

  test("keeps each word's strongest neighbours by mutual information, as counting every pair finds them", () => {
    const training: SignalTraining = { ...TRAINING, neighbours: 3, sources: 'text' };
    const model = trainTranslation(corpusOf(index), training);
    // Every paper's distinct title and abstract words, counted by brute force.
    const words = CORPUS.map((d) => new Set(termsOfDocument(d)));
    const papersWith = (term: string) => words.filter((set) => set.has(term)).length;
    for (let row = 0; row + 1 < model.starts.length; row++) {
      const source = model.words[row] as string;
      const scores: number[] = [];
      for (const target of new Set(words.flatMap((set) => [...set]))) {
        const both = words.filter((set) => set.has(source) && set.has(target)).length;
        if (target === source || both < 2 || papersWith(target) < 2) continue;
        const score = mutualInformation(both, papersWith(source), papersWith(target), CORPUS.length);
        if (score > 0) scores.push(score);
      }
      const best = scores.sort((a, b) => b - a).slice(0, 3);
      const kept = neighboursOf(model, source).map((target) =>
        mutualInformation(
          words.filter((set) => set.has(source) && set.has(target)).length,
          papersWith(source),
          papersWith(target),
          CORPUS.length,
        ),
      );
      expect(kept.map((x) => x.toFixed(12))).toEqual(best.map((x) => x.toFixed(12)));
    }
  });
});

/** The distinct title and abstract terms of a document, as the index has them. */
function termsOfDocument(d: SearchDocument): string[] {
  const corpus = DocumentIndex.build([d]).signalCorpus();
  const [title, abstract] = [corpus.segmentLengths[0] as number, corpus.segmentLengths[1] as number];
  return [...corpus.sequenceTerms.subarray(0, title + abstract)].map((id) => corpus.terms[id] as string);
}

describe('the signal in search', () => {
  const query = (text: string) => ({ query: parseQuery(text).query, limit: 5 });
  const ids = (index: DocumentIndex, text: string) =>
    index
      .search(query(text))
      .hits.map((hit) => hit.id)
      .slice(0, 2);

  test('lifts a paper that says in other words what the query says above one that only shares a word', () => {
    const index = DocumentIndex.build(CORPUS);
    expect(ids(index, 'referee workload')).toEqual(['w1', 'w2']);
    index.useSignal(trainTranslation(corpusOf(index), TRAINING));
    expect(ids(index, 'referee workload')).toEqual(['w2', 'w1']);
    // Weight 0 ranks as without a signal, to the score.
    index.rankWith(withRanking(RANKING, { signal: { weight: 0 } }));
    const without = DocumentIndex.build(CORPUS);
    expect(index.search(query('referee workload'))).toEqual(without.search(query('referee workload')));
  });

  test('with proximity, the best papers that have the query words next to each other rise', () => {
    const papers = [
      searchDocument('a', 'Notes', 'alpha gamma beta delta'),
      searchDocument('b', 'Notes', 'alpha beta gamma delta'),
      ...CORPUS,
    ];
    const index = DocumentIndex.build(papers);
    index.useSignal(trainTranslation(corpusOf(index), TRAINING));
    expect(ids(index, 'alpha beta')).toEqual(['a', 'b']);
    index.rankWith(withRanking(RANKING, { signal: { proximity: 0.4 } }));
    expect(ids(index, 'alpha beta')).toEqual(['b', 'a']);
  });

  test('relates words to a text and scores papers against it', () => {
    const index = DocumentIndex.build(CORPUS);
    expect(index.relatedTerms('referee')).toEqual([]);
    expect(index.signalScores('referee', ['w2'])).toEqual([undefined]);
    index.useSignal(trainTranslation(corpusOf(index), TRAINING));
    const related = index.relatedTerms('referee', 3);
    expect(related.map((r) => r.term)).toContain('review');
    expect(related.every((r) => r.weight > 0 && r.weight <= 1)).toBe(true);
    const [reviewers, clusters, unknown] = index.signalScores('referee', ['w2', 'w1', 'nope']);
    expect(reviewers).toBeGreaterThan(clusters as number);
    expect(clusters).toBe(0);
    expect(unknown).toBeUndefined();
  });
});

describe('the signal file', () => {
  const model = trainTranslation(corpusOf(DocumentIndex.build(CORPUS)), TRAINING);

  test('reads back what was written, its header also alone', async () => {
    const file = join(tempDir('paperbot-signal-'), 'index.signal');
    await writeSignal(file, model, TRAINING, 12);
    const read = await readSignal(file);
    expect(read?.model).toEqual(model);
    expect(read?.header).toEqual({
      format: SIGNAL_FORMAT,
      training: TRAINING,
      papers: CORPUS.length,
      corpusPapers: CORPUS.length,
      trainingMs: 12,
    });
    expect(await readSignalHeader(file)).toEqual(read?.header);
  });

  test('a training asked for after a close has begun does not start', async () => {
    const out = join(tempDir('paperbot-signal-'), 'index.signal');
    const closing = new AbortController();
    closing.abort();
    await expect(trainSignalFile('no-such.snapshot', out, TRAINING, closing.signal)).rejects.toThrow(
      'the signal training was stopped',
    );
    expect(existsSync(out)).toBe(false);
  });

  test('a missing, damaged or other file is no signal', async () => {
    const dir = tempDir('paperbot-signal-');
    expect(await readSignal(join(dir, 'missing'))).toBeUndefined();
    expect(await readSignalHeader(join(dir, 'missing'))).toBeUndefined();
    const damaged = join(dir, 'damaged');
    writeFileSync(damaged, 'PBSECT01 not really');
    expect(await readSignal(damaged)).toBeUndefined();
    expect(await readSignalHeader(damaged)).toBeUndefined();
    const broken = join(dir, 'broken');
    await writeSignal(
      broken,
      { ...model, targets: model.targets.map(() => model.words.length) },
      TRAINING,
      1,
    );
    expect(await readSignal(broken)).toBeUndefined();
  });
});
