import { SEGMENTS } from './documentTable.js';
import { seededRandom } from './random.js';
import { RANKER_TRAINING, type RankerCorpus, type RankerTraining, trainRanker } from './ranker.js';

export { seededRandom };

/**
 * What training reads of an index: its vocabulary and every document's term sequence (title,
 * abstract, authors, keywords, in that order), as a snapshot holds them.
 */
export interface SignalCorpus {
  terms: readonly string[];
  sequenceStarts: Int32Array;
  sequenceTerms: Int32Array;
  segmentLengths: Int32Array;
  live: Uint8Array;
}

/** How the translation model is trained (the defaults are what the eval measured). */
export interface SignalTraining {
  /** Neighbours kept per word. */
  neighbours: number;
  /** Words in fewer papers than this neither translate nor are translated to. */
  minPapers: number;
  /** Pairs seen together in fewer papers than this are not counted. */
  minTogether: number;
  /** Of a word's papers, at most this many (a seeded sample) are read to count its neighbours. */
  samplePapers: number;
  /**
   * At most this many papers are read (a seeded sample of larger corpora): enough to learn which
   * words go together, and it bounds training's time and memory whatever the corpus's size.
   */
  maxPapers: number;
  /** The seed of the samples. */
  seed: number;
  /**
   * Which papers a word's neighbours are counted over: those with it anywhere in title and
   * abstract (`text`), or in the title only (`title`: the title's words translated into the
   * abstract's, after Berger & Lafferty 1999).
   */
  sources: 'text' | 'title';
  /** How the learnt ranker is trained after the translations; without it, there is none. */
  ranker?: RankerTraining;
}

export const SIGNAL_TRAINING: SignalTraining = {
  neighbours: 24,
  minPapers: 3,
  minTogether: 2,
  samplePapers: 4000,
  maxPapers: 150_000,
  seed: 1,
  sources: 'title',
  ranker: RANKER_TRAINING,
};

/**
 * A word translation model learnt from the corpus: for each word, the words that papers with it
 * use with it far more often than chance (their mutual information over papers, after
 * Karimzadehgan & Zhai 2010), the `neighbours` strongest, with weights summing to 1. A
 * description that says "referee" where the paper says "reviewer" finds the paper through it.
 * Rows are by the model's own word ids (`words`); a searcher maps them to its index's term ids.
 */
export interface TranslationModel {
  words: string[];
  /** Word `w`'s neighbours are `targets[starts[w]…starts[w + 1]]`, weighted by `weights`. */
  starts: Int32Array;
  targets: Int32Array;
  weights: Float64Array;
  /** How many papers it was trained on. */
  papers: number;
  /**
   * How many live papers the corpus it was trained from had (past `maxPapers` it reads a sample of
   * them): what the corpus's growth is measured from.
   */
  corpusPapers: number;
  /**
   * The learnt ranker's weights over src/search/ranker.ts's features, trained after the
   * translations (absent for a corpus too small to train it on).
   */
  ranker?: Float64Array;
}

/**
 * The mutual information of two words' presence over `total` papers: `a` and `b` papers have
 * each, `both` have both; 0 for words seen together less than chance would have them.
 */
export function mutualInformation(both: number, a: number, b: number, total: number): number {
  if (both * total <= a * b) return 0;
  const cell = (count: number, row: number, column: number) =>
    count > 0 ? (count / total) * Math.log((count * total) / (row * column)) : 0;
  return (
    cell(both, a, b) +
    cell(a - both, a, total - b) +
    cell(b - both, total - a, b) +
    cell(total - a - b + both, total - a, total - b)
  );
}

/**
 * Trains the translation model over the title and abstract words of the live papers. Each word's
 * papers (a seeded sample of `samplePapers` for common words) are read once, counting the words
 * they have with it; deterministic for a corpus and a seed.
 */
export function trainTranslation(
  corpus: SignalCorpus,
  training: SignalTraining = SIGNAL_TRAINING,
): TranslationModel {
  const vocabulary = corpus.terms.length;
  const random = seededRandom(training.seed);
  const read = samplePapers(corpus.live, training.maxPapers, random);
  let corpusPapers = 0;
  for (let n = 0; n < corpus.live.length; n++) if (corpus.live[n]) corpusPapers++;
  // Each paper's distinct title and abstract words; for title sources, its title's too.
  const text = distinctWords(corpus, read, 2);
  const { words, starts: wordStarts, papersWith, papers: total } = text;
  const fromTitles = training.sources === 'title';
  const titles = fromTitles ? distinctWords(corpus, read, 1) : text;
  const { words: sourceWords, starts: sourceStarts, papersWith: sourcePapers } = titles;
  // Each source word's papers (an inverted list), in paper order.
  const listStarts = new Int32Array(vocabulary + 1);
  for (let id = 0; id < vocabulary; id++)
    listStarts[id + 1] = (listStarts[id] as number) + (sourcePapers[id] as number);
  const lists = new Int32Array(sourceWords.length);
  const filled = listStarts.slice(0, vocabulary);
  for (let p = 0; p < total; p++)
    for (let i = sourceStarts[p] as number; i < (sourceStarts[p + 1] as number); i++) {
      const id = sourceWords[i] as number;
      lists[filled[id] as number] = p;
      filled[id] = (filled[id] as number) + 1;
    }

  const together = new Int32Array(vocabulary);
  const touched = new Int32Array(vocabulary);
  const kept = new Map<number, { targets: number[]; weights: number[] }>();
  const heapTargets = new Int32Array(training.neighbours);
  const heapScores = new Float64Array(training.neighbours);
  const sample: number[] = [];
  for (let source = 0; source < vocabulary; source++) {
    const count = sourcePapers[source] as number;
    if (count < training.minPapers) continue;
    const from = listStarts[source] as number;
    // A common word's neighbours are estimated from a sample of its papers, scaled back.
    sample.length = 0;
    if (count <= training.samplePapers)
      for (let i = 0; i < count; i++) sample.push(lists[from + i] as number);
    else
      for (let i = 0; i < training.samplePapers; i++)
        sample.push(lists[from + Math.floor(random() * count)] as number);
    const scale = count / sample.length;
    let touchedCount = 0;
    for (const p of sample)
      for (let i = wordStarts[p] as number; i < (wordStarts[p + 1] as number); i++) {
        const id = words[i] as number;
        if (together[id] === 0) touched[touchedCount++] = id;
        together[id] = (together[id] as number) + 1;
      }
    let size = 0;
    for (let t = 0; t < touchedCount; t++) {
      const target = touched[t] as number;
      const seen = together[target] as number;
      together[target] = 0;
      if (target === source || seen < training.minTogether) continue;
      const other = papersWith[target] as number;
      if (other < training.minPapers) continue;
      const score = mutualInformation(Math.min(count, other, seen * scale), count, other, total);
      if (score <= 0) continue;
      size = pushTop(heapTargets, heapScores, size, target, score);
    }
    if (size === 0) continue;
    const order = Array.from({ length: size }, (_, i) => i).sort(
      (a, b) =>
        (heapScores[b] as number) - (heapScores[a] as number) ||
        (heapTargets[a] as number) - (heapTargets[b] as number),
    );
    const sum = order.reduce((s, i) => s + (heapScores[i] as number), 0);
    kept.set(source, {
      targets: order.map((i) => heapTargets[i] as number),
      weights: order.map((i) => (heapScores[i] as number) / sum),
    });
  }
  return { ...compact(corpus.terms, kept, total), corpusPapers };
}

/**
 * Trains the whole learnt signal: the translation model over `corpus`, then, when `training` says
 * how, the ranker over `index()` (the index `corpus` was read from, asked for only then), whose
 * features read the translation. Deterministic for a corpus and a seed.
 */
export function trainSignalModel(
  corpus: SignalCorpus,
  index: () => { useSignal(model: TranslationModel): void; rankerCorpus(): RankerCorpus },
  training: SignalTraining = SIGNAL_TRAINING,
): TranslationModel {
  const model = trainTranslation(corpus, training);
  if (training.ranker) {
    const searched = index();
    searched.useSignal(model);
    model.ranker = trainRanker(searched.rankerCorpus(), training.ranker);
  }
  return model;
}

/**
 * The live documents to train on, in order: all of them, or a seeded sample of `most` (each kept
 * with the same chance, so the sample's size is about `most`).
 */
function samplePapers(live: Uint8Array, most: number, random: () => number): Int32Array {
  let count = 0;
  for (let n = 0; n < live.length; n++) if (live[n]) count++;
  const share = count > most ? most / count : 1;
  const read: number[] = [];
  for (let n = 0; n < live.length; n++) if (live[n] && (share === 1 || random() < share)) read.push(n);
  return Int32Array.from(read);
}

/**
 * The distinct words of the first `segments` segments (1: the title; 2: title and abstract) of
 * the documents `read`, numbered in that order: paper `p`'s are `words[starts[p]…starts[p + 1]]`;
 * `papersWith` counts the papers that have each word.
 */
function distinctWords(
  corpus: SignalCorpus,
  read: Int32Array,
  segments: number,
): { words: Int32Array; starts: Int32Array; papersWith: Int32Array; papers: number } {
  const { terms, sequenceStarts, sequenceTerms, segmentLengths } = corpus;
  const stamps = new Int32Array(terms.length).fill(-1);
  const papersWith = new Int32Array(terms.length);
  let size = 0;
  for (const n of read)
    for (let s = 0; s < segments; s++) size += segmentLengths[n * SEGMENTS.length + s] as number;
  const words = new Int32Array(size);
  const starts = new Int32Array(read.length + 1);
  let papers = 0;
  let count = 0;
  for (const n of read) {
    const start = sequenceStarts[n] as number;
    let end = start;
    for (let s = 0; s < segments; s++) end += segmentLengths[n * SEGMENTS.length + s] as number;
    for (let i = start; i < end; i++) {
      const id = sequenceTerms[i] as number;
      if (stamps[id] === papers) continue;
      stamps[id] = papers;
      words[count++] = id;
      papersWith[id] = (papersWith[id] as number) + 1;
    }
    starts[++papers] = count;
  }
  return { words: words.subarray(0, count), starts: starts.subarray(0, papers + 1), papersWith, papers };
}

/**
 * Adds (`target`, `score`) to a min-heap of the best scores, of capacity `targets.length`, holding
 * `size`; returns its new size.
 */
function pushTop(
  targets: Int32Array,
  scores: Float64Array,
  size: number,
  target: number,
  score: number,
): number {
  const capacity = targets.length;
  let at: number;
  if (size < capacity) at = size++;
  else if (score > (scores[0] as number)) at = siftDown(targets, scores, size, 0);
  else return size;
  // Sift up from `at`.
  while (at > 0) {
    const parent = (at - 1) >> 1;
    if ((scores[parent] as number) <= score) break;
    scores[at] = scores[parent] as number;
    targets[at] = targets[parent] as number;
    at = parent;
  }
  scores[at] = score;
  targets[at] = target;
  return size;
}

/** Removes the heap's root by moving the hole down to a leaf; returns the hole's place. */
function siftDown(targets: Int32Array, scores: Float64Array, size: number, from: number): number {
  let at = from;
  for (;;) {
    const left = 2 * at + 1;
    if (left >= size) return at;
    const right = left + 1;
    const child = right < size && (scores[right] as number) < (scores[left] as number) ? right : left;
    scores[at] = scores[child] as number;
    targets[at] = targets[child] as number;
    at = child;
  }
}

/** The model's arrays, words numbered by first use. */
function compact(
  terms: readonly string[],
  kept: Map<number, { targets: number[]; weights: number[] }>,
  papers: number,
): Omit<TranslationModel, 'corpusPapers'> {
  const ids = new Map<number, number>();
  const words: string[] = [];
  const idOf = (term: number) => {
    let id = ids.get(term);
    if (id === undefined) {
      id = words.length;
      ids.set(term, id);
      words.push(terms[term] as string);
    }
    return id;
  };
  const sources = [...kept.keys()].sort((a, b) => a - b);
  for (const source of sources) idOf(source);
  let size = 0;
  for (const source of sources) size += (kept.get(source) as { targets: number[] }).targets.length;
  const starts = new Int32Array(sources.length + 1);
  const targets = new Int32Array(size);
  const weights = new Float64Array(size);
  let at = 0;
  sources.forEach((source, row) => {
    const entry = kept.get(source) as { targets: number[]; weights: number[] };
    entry.targets.forEach((target, i) => {
      targets[at] = idOf(target);
      weights[at] = entry.weights[i] as number;
      at++;
    });
    starts[row + 1] = at;
  });
  return { words, starts, targets, weights, papers };
}

/**
 * A {@link TranslationModel} over an index's term ids, for scoring papers against a query: how
 * much of the query's weight the paper's words translate, each query word through its neighbours.
 * One scoring at a time (it keeps scratch arrays).
 */
export class TranslationSignal {
  /** Index term id → the model's row, or −1. */
  private readonly rows: Int32Array;
  /** The model's targets as index term ids (−1 for a word the index lacks). */
  private readonly targets: Int32Array;
  private stamps: Int32Array;
  private stamp = 0;

  constructor(
    readonly model: TranslationModel,
    termId: (term: string) => number | undefined,
    vocabularySize: number,
  ) {
    const ids = new Int32Array(model.words.length);
    for (let w = 0; w < ids.length; w++) ids[w] = termId(model.words[w] as string) ?? -1;
    this.rows = new Int32Array(vocabularySize).fill(-1);
    const sources = model.starts.length - 1;
    for (let row = 0; row < sources; row++) {
      const id = ids[row] as number;
      if (id >= 0) this.rows[id] = row;
    }
    this.targets = new Int32Array(model.targets.length);
    for (let i = 0; i < this.targets.length; i++) this.targets[i] = ids[model.targets[i] as number] as number;
    this.stamps = new Int32Array(vocabularySize);
  }

  /** The neighbours of a term (by index term id), strongest first, with their weights. */
  neighbours(termId: number): { termIds: Int32Array; weights: Float64Array } {
    const row = termId < this.rows.length ? (this.rows[termId] as number) : -1;
    if (row < 0) return { termIds: new Int32Array(0), weights: new Float64Array(0) };
    const from = this.model.starts[row] as number;
    const to = this.model.starts[row + 1] as number;
    return { termIds: this.targets.subarray(from, to), weights: this.model.weights.subarray(from, to) };
  }

  /**
   * How well a paper's words (`words[from…to]`, index term ids) translate the query's (`query`,
   * index term ids, weighted by `weights`): the weighted mean over the query words of the share of
   * each word's neighbours the paper has, between 0 and 1. With `gapsOnly`, a query word the paper
   * has itself counts nothing (its match is scored already).
   */
  score(
    query: Int32Array,
    weights: Float64Array,
    words: Int32Array,
    from: number,
    to: number,
    gapsOnly: boolean,
  ): number {
    const stamps = this.reserve();
    const stamp = ++this.stamp;
    for (let i = from; i < to; i++) {
      const id = words[i] as number;
      if (id < stamps.length) stamps[id] = stamp;
    }
    let total = 0;
    let sum = 0;
    const { starts, weights: neighbourWeights } = this.model;
    for (let q = 0; q < query.length; q++) {
      const weight = weights[q] as number;
      total += weight;
      const id = query[q] as number;
      if (id < 0 || id >= this.rows.length) continue;
      if (gapsOnly && stamps[id] === stamp) continue;
      const row = this.rows[id] as number;
      if (row < 0) continue;
      let share = 0;
      for (let i = starts[row] as number; i < (starts[row + 1] as number); i++) {
        const target = this.targets[i] as number;
        if (target >= 0 && target < stamps.length && stamps[target] === stamp)
          share += neighbourWeights[i] as number;
      }
      sum += weight * share;
    }
    return total > 0 ? sum / total : 0;
  }

  private reserve(): Int32Array {
    if (this.stamp >= 2_000_000_000) {
      this.stamps.fill(0);
      this.stamp = 0;
    }
    return this.stamps;
  }
}
