import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { DocumentIndex } from '../../src/search/documentIndex.js';
import type { SearchDocument } from '../../src/search/documentTable.js';
import { parseQuery } from '../../src/search/query.js';
import { seededRandom } from '../../src/search/random.js';
import {
  pseudoQuery,
  RANKER_FEATURES,
  RANKER_TRAINING,
  type RankerTraining,
} from '../../src/search/ranker.js';
import { RANKING, withRanking } from '../../src/search/ranking.js';
import {
  SIGNAL_TRAINING,
  type SignalTraining,
  trainSignalModel,
  trainTranslation,
} from '../../src/search/signal.js';
import { readSignal, SIGNAL_FORMAT, writeSignal } from '../../src/search/signalFile.js';
import { writeSectionFile } from '../../src/sectionFile.js';
import { searchDocument } from '../support/searchDocuments.js';
import { tempDir } from '../support/tmp.js';

/**
 * A synthetic corpus of topics, each with its own vocabulary: a paper's title takes two of its
 * topic's words, its abstract a seeded run of the topic's others and of words every topic uses.
 */
function syntheticCorpus(papers: number): SearchDocument[] {
  const random = seededRandom(5);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)] as T;
  const common = ['method', 'result', 'data', 'model', 'learning', 'task', 'performance', 'approach'];
  const topics = Array.from({ length: 12 }, (_, t) =>
    Array.from(
      { length: 14 },
      (_, w) => `topic${String.fromCharCode(97 + t)}word${String.fromCharCode(97 + w)}`,
    ),
  );
  return Array.from({ length: papers }, (_, n) => {
    const topic = pick(topics);
    const title = [pick(topic), pick(topic), pick(common)].join(' ');
    const abstract = Array.from({ length: 30 + Math.floor(random() * 30) }, () =>
      random() < 0.6 ? pick(topic) : pick(common),
    ).join(' ');
    return searchDocument(`s${n}`, title, abstract);
  });
}

const TRAINING: SignalTraining = {
  ...SIGNAL_TRAINING,
  minPapers: 2,
  minTogether: 2,
  ranker: { ...RANKER_TRAINING, queries: 80, iterations: 40 },
};

describe('the learnt ranker', () => {
  const corpus = syntheticCorpus(160);

  test('is trained from pseudo-queries made from the corpus, deterministically for a seed', () => {
    const index = DocumentIndex.build(corpus);
    const model = trainSignalModel(index.signalCorpus(), () => index, TRAINING);
    expect(model.ranker).toHaveLength(RANKER_FEATURES.length);
    expect([...(model.ranker as Float64Array)].every(Number.isFinite)).toBe(true);
    expect([...(model.ranker as Float64Array)].some((w) => w !== 0)).toBe(true);
    const again = DocumentIndex.build(corpus);
    expect(trainSignalModel(again.signalCorpus(), () => again, TRAINING)).toEqual(model);
    const other = DocumentIndex.build(corpus);
    const reseeded: SignalTraining = {
      ...TRAINING,
      ranker: { ...(TRAINING.ranker as RankerTraining), seed: 8 },
    };
    expect(trainSignalModel(other.signalCorpus(), () => other, reseeded).ranker).not.toEqual(model.ranker);
    // Without ranker training, the model is the translation alone.
    expect(
      trainSignalModel(index.signalCorpus(), () => index, { ...TRAINING, ranker: undefined }).ranker,
    ).toBeUndefined();
  });

  test("a pseudo-query takes a run of the paper's abstract, without its title's words", () => {
    const index = DocumentIndex.build([
      searchDocument('a', 'Alpha beta', 'gamma delta alpha epsilon zeta eta theta beta kappa'),
    ]);
    const source = index.rankerCorpus();
    const [n] = source.papers();
    const { title, abstract } = source.paperTerms(n as number);
    const words = (ids: Int32Array) => [...ids].map((id) => source.term(id));
    expect(words(title)).toEqual(['alpha', 'beta']);
    const training: RankerTraining = {
      ...RANKER_TRAINING,
      window: [9, 9],
      density: 1,
      keepTitleWords: 0,
      drop: 0,
      translate: 0,
      titles: 0,
    };
    expect(pseudoQuery(source, n as number, training, seededRandom(1))).toEqual(
      words(abstract).filter((word) => word !== 'alpha' && word !== 'beta'),
    );
    // Naming the paper instead: the start of its title.
    expect(pseudoQuery(source, n as number, { ...training, titles: 1 }, seededRandom(1))).toEqual([
      'alpha',
      'beta',
    ]);
  });

  test('orders the best papers by its weights, strong matches first', () => {
    const papers = [
      searchDocument('apart', 'Notes', 'alpha gamma beta delta alpha'),
      searchDocument('together', 'Notes', 'alpha beta gamma delta epsilon zeta'),
      ...corpus,
    ];
    const index = DocumentIndex.build(papers);
    index.useSignal(trainTranslation(index.signalCorpus(), TRAINING));
    const top2 = () =>
      index.search({ query: parseQuery('alpha beta').query, limit: 2 }).hits.map((hit) => hit.id);
    expect(top2()).toEqual(['apart', 'together']);
    // All the weight on the query's pairs next to each other: the paper that has them rises.
    const phrase = RANKER_FEATURES.map((name) => (name === 'phrase' ? 1 : 0));
    index.rankWith(withRanking(RANKING, { signal: { rankerWeights: phrase, rankerMinTerms: 0 } }));
    expect(top2()).toEqual(['together', 'apart']);
    // A query shorter than the ranker's least is ranked by its scores.
    index.rankWith(withRanking(RANKING, { signal: { rankerWeights: phrase, rankerMinTerms: 3 } }));
    expect(top2()).toEqual(['apart', 'together']);
    // Shorter first: the same two, the other way round; scores stay the ranking's own.
    const shorter = RANKER_FEATURES.map((name) => (name === 'length' ? -1 : 0));
    index.rankWith(withRanking(RANKING, { signal: { rankerWeights: shorter, rankerMinTerms: 0 } }));
    const { hits } = index.search({ query: parseQuery('alpha beta').query, limit: 2 });
    expect(hits.map((hit) => hit.id)).toEqual(['apart', 'together']);
    expect((hits[0]?.score as number) > (hits[1]?.score as number)).toBe(true);
    // Without the ranker, the order is the scores'.
    index.rankWith(withRanking(RANKING, { signal: { ranker: false } }));
    expect(top2()).toEqual(['apart', 'together']);
  });

  test('keeps strong matches before weak ones whatever its weights', () => {
    const papers = [
      searchDocument('strong', 'Alpha beta gamma', 'alpha beta gamma in every word alpha beta gamma'),
      searchDocument('weak', 'Notes', 'alpha then something long about other things entirely and more words'),
      ...corpus,
    ];
    const index = DocumentIndex.build(papers);
    index.useSignal(trainTranslation(index.signalCorpus(), TRAINING));
    const longer = RANKER_FEATURES.map((name) => (name === 'length' ? 1 : name === 'score' ? -1 : 0));
    index.rankWith(withRanking(RANKING, { signal: { rankerWeights: longer, rankerMinTerms: 0 } }));
    const found = index.search({ query: parseQuery('alpha beta gamma').query, limit: 5 });
    expect(found.strong).toBe(1);
    expect(found.hits.map((hit) => hit.id)).toEqual(['strong', 'weak']);
    index.rankWith(
      withRanking(RANKING, {
        signal: { rankerWeights: longer, rankerMinTerms: 0, rankerWithinStrength: false },
      }),
    );
    expect(index.search({ query: parseQuery('alpha beta gamma').query, limit: 5 }).hits[0]?.id).toBe('weak');
  });
});

describe('the signal file with the ranker', () => {
  const index = DocumentIndex.build(syntheticCorpus(160));
  const model = trainSignalModel(index.signalCorpus(), () => index, TRAINING);

  test('keeps its weights beside the translation, in a format of its own', async () => {
    expect(SIGNAL_FORMAT).toBe('paperbot-signal/2');
    const file = join(tempDir('paperbot-ranker-'), 'index.signal');
    await writeSignal(file, model, TRAINING, 5);
    const read = await readSignal(file);
    expect(read?.model.ranker).toEqual(model.ranker);
    expect(read?.header.training).toEqual(TRAINING);
  });

  test('a file of the format before, or with weights of another length, is no signal (it is trained again)', async () => {
    const dir = tempDir('paperbot-ranker-');
    const old = join(dir, 'old.signal');
    const { words, starts, targets, weights } = model;
    await writeSectionFile(
      old,
      { format: 'paperbot-signal/1', training: TRAINING, papers: model.papers, trainingMs: 1 },
      { words, starts, targets, weights },
    );
    expect(await readSignal(old)).toBeUndefined();
    const short = join(dir, 'short.signal');
    await writeSignal(short, { ...model, ranker: new Float64Array(RANKER_FEATURES.length - 1) }, TRAINING, 1);
    expect(await readSignal(short)).toBeUndefined();
    const notFinite = join(dir, 'nan.signal');
    await writeSignal(
      notFinite,
      { ...model, ranker: new Float64Array(RANKER_FEATURES.length).fill(Number.NaN) },
      TRAINING,
      1,
    );
    expect(await readSignal(notFinite)).toBeUndefined();
  });
});
