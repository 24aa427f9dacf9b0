import { seededRandom } from './random.js';
import type { TranslationSignal } from './signal.js';

/**
 * What the learnt ranker reads of each of the best papers for a query, in this order (its weights
 * are by this order): evidence BM25 sums into one number, or misses, kept apart so that training
 * can weigh it.
 */
export const RANKER_FEATURES = [
  /** The ranking's score (BM25, title bonuses), in reference scores. */
  'score',
  /** The learnt translation of the query words the paper lacks (see TranslationSignal.score). */
  'translation',
  /** The same over every query word. */
  'translationAll',
  /** The share of the query's idf the title and abstract have. */
  'coverage',
  /** The share of the query's idf the abstract's opening (its first OPENING_TERMS terms) has. */
  'opening',
  /** The share of the query's idf the title has. */
  'title',
  /** The share of the query's terms the title and abstract have, each counting one. */
  'matched',
  /** The share of the query's consecutive term pairs the title or abstract has next to each other. */
  'phrase',
  /** The paper's length (title and abstract) over the average, as a logarithm. */
  'length',
] as const;

/** How many terms of an abstract count as its opening (about its first two sentences). */
export const OPENING_TERMS = 40;

/**
 * Reads {@link RANKER_FEATURES} of papers for one query at a time: the query's term ids and
 * weights are marked once, then each paper's terms are read once. Scratch arrays by term id.
 */
export class RankerFeatures {
  private marks: Int32Array;
  private seen: Int32Array;
  private stamp = 0;
  private query: Int32Array = new Int32Array(0);
  private weights: Float64Array = new Float64Array(0);
  private total = 0;
  /** How many term ids it has room for. */
  readonly size: number;

  constructor(vocabularySize: number) {
    this.size = vocabularySize;
    this.marks = new Int32Array(vocabularySize);
    this.seen = new Int32Array(vocabularySize);
  }

  /** Marks the query's terms (index term ids, −1 for one no paper has) with their weights. */
  setQuery(query: Int32Array, weights: Float64Array): void {
    this.query = query;
    this.weights = weights;
    this.total = 0;
    for (const weight of weights) this.total += weight;
  }

  /**
   * Writes the features of one paper at `out[at…]`: its words are `words[from…from + titleLength
   * + abstractLength]` (title first), `score` its ranking score over the reference, `phrase` its
   * share of the query's pairs.
   */
  read(
    out: Float64Array,
    at: number,
    words: Int32Array,
    from: number,
    titleLength: number,
    abstractLength: number,
    score: number,
    phrase: number,
    averageLength: number,
    signal: TranslationSignal | undefined,
  ): void {
    const { query, weights, total } = this;
    // `seen` keeps the stamp shifted by two bits, so stamps stay below 2^28.
    if (this.stamp >= 1 << 28) {
      this.marks.fill(0);
      this.seen.fill(0);
      this.stamp = 0;
    }
    // Each query term's place (+1) by term id, under this paper's stamp; `seen` keeps where
    // it was first met: 1 title, 2 opening, 3 further in the abstract.
    const stamp = ++this.stamp;
    const { marks, seen } = this;
    for (let q = 0; q < query.length; q++) {
      const id = query[q] as number;
      if (id >= 0 && id < marks.length) marks[id] = stamp;
    }
    const end = from + titleLength + abstractLength;
    const openingEnd = Math.min(end, from + titleLength + OPENING_TERMS);
    for (let i = from; i < end; i++) {
      const id = words[i] as number;
      if (id >= marks.length || marks[id] !== stamp) continue;
      const where = i < from + titleLength ? 1 : i < openingEnd ? 2 : 3;
      // `seen` holds stamp × 4 + the best place met so far.
      const previous = seen[id] as number;
      if (previous >> 2 !== stamp || (previous & 3) > where) seen[id] = (stamp << 2) | where;
    }
    let covered = 0;
    let opening = 0;
    let title = 0;
    let matched = 0;
    for (let q = 0; q < query.length; q++) {
      const id = query[q] as number;
      if (id < 0 || id >= marks.length) continue;
      const value = seen[id] as number;
      if (value >> 2 !== stamp) continue;
      const weight = weights[q] as number;
      const where = value & 3;
      covered += weight;
      matched++;
      if (where === 1) title += weight;
      else if (where === 2) opening += weight;
    }
    const share = (mass: number) => (total > 0 ? mass / total : 0);
    out[at] = score;
    out[at + 1] = signal ? signal.score(query, weights, words, from, end, true) : 0;
    out[at + 2] = signal ? signal.score(query, weights, words, from, end, false) : 0;
    out[at + 3] = share(covered);
    out[at + 4] = share(opening);
    out[at + 5] = share(title);
    out[at + 6] = query.length > 0 ? matched / query.length : 0;
    out[at + 7] = phrase;
    out[at + 8] = Math.log((titleLength + abstractLength + 1) / Math.max(averageLength, 1));
  }
}

/** The ranker's score of the paper whose features are at `features[at…]`. */
export function rankerScore(weights: Float64Array, features: Float64Array, at: number): number {
  let sum = 0;
  for (let f = 0; f < weights.length; f++) sum += (weights[f] as number) * (features[at + f] as number);
  return sum;
}

/** How the learnt ranker is trained (the defaults are what the eval measured). */
export interface RankerTraining {
  /** How many pseudo-queries are made from the corpus. */
  queries: number;
  /** The seed of the papers picked and the words their pseudo-queries take. */
  seed: number;
  /**
   * A pseudo-query takes about this many of the abstract's terms (the least, the most), from a run
   * of them (longer by {@link RankerTraining.density}).
   */
  window: [number, number];
  /** Each of the run's terms in the paper's title is kept with this chance (descriptions avoid titles). */
  keepTitleWords: number;
  /** Each other term is put for one of its translation's neighbours with this chance. */
  translate: number;
  /** Each other term is dropped with this chance. */
  drop: number;
  /**
   * Of the run's terms, each is taken with this chance (the run is longer by as much): below 1,
   * a pseudo-query has fewer of the abstract's word pairs side by side, as a description has.
   */
  density: number;
  /**
   * Words from other papers are added, this many for each word taken: what a description says that
   * its paper does not.
   */
  noise: number;
  /**
   * This share of the pseudo-queries name a paper instead (the start of its title, three terms or
   * more), as people look up a paper they know.
   */
  titles: number;
  /** The L2 penalty of the pairwise logistic regression. */
  l2: number;
  /** Its gradient steps. */
  iterations: number;
  /**
   * Rounds of coordinate ascent on the pseudo-queries' MRR@10 after the regression (0: none): each
   * weight in turn moved by the step that raises it most.
   */
  ascent: number;
}

export const RANKER_TRAINING: RankerTraining = {
  queries: 2000,
  seed: 7,
  window: [8, 18],
  keepTitleWords: 0.1,
  translate: 0.3,
  drop: 0.2,
  density: 0.5,
  noise: 0,
  titles: 0.2,
  l2: 0.001,
  iterations: 300,
  ascent: 0,
};

/** What training the ranker reads of an index (see DocumentIndex). */
export interface RankerCorpus {
  /** The live papers' numbers. */
  papers(): Int32Array;
  /** A paper's title and abstract term ids. */
  paperTerms(n: number): { title: Int32Array; abstract: Int32Array };
  /** A term id's neighbours by the translation model (strongest first) with their weights. */
  neighbours(termId: number): { termIds: Int32Array; weights: Float64Array };
  term(termId: number): string;
  /**
   * The best papers for query terms (index terms, in order) by the ranking without the ranker, and
   * their features, a row of {@link RANKER_FEATURES} each.
   */
  candidates(terms: string[]): { papers: number[]; features: Float64Array };
}

/** One pseudo-query's candidates: their features and which of them is the paper it was made from. */
interface Example {
  features: Float64Array;
  count: number;
  target: number;
}

/**
 * Makes a pseudo-query from a paper, as a person describing it would: terms from a run of its
 * abstract's, most of its title's words left out, some words put for related ones (the
 * translation's neighbours), some dropped; or, for a share of them, the start of its title.
 * Returns index terms, in order.
 */
export function pseudoQuery(
  corpus: RankerCorpus,
  n: number,
  training: RankerTraining,
  random: () => number,
): string[] {
  const { title, abstract } = corpus.paperTerms(n);
  if (random() < training.titles) {
    const size = Math.min(title.length, 3 + Math.floor(random() * Math.max(1, title.length - 2)));
    return [...new Set(Array.from(title.subarray(0, size), (id) => corpus.term(id)))];
  }
  const [least, most] = training.window;
  const wanted = least + Math.floor(random() * (most - least + 1));
  const size = Math.min(abstract.length, Math.round(wanted / training.density));
  const start = Math.floor(random() * (abstract.length - size + 1));
  const inTitle = new Set(title);
  const terms: string[] = [];
  for (let i = start; i < start + size; i++) {
    if (training.density < 1 && random() >= training.density) continue;
    let id = abstract[i] as number;
    if (inTitle.has(id)) {
      if (random() >= training.keepTitleWords) continue;
    } else if (random() < training.drop) continue;
    else if (random() < training.translate) {
      const { termIds, weights } = corpus.neighbours(id);
      let pick = random();
      for (let k = 0; k < termIds.length; k++) {
        pick -= weights[k] as number;
        if (pick <= 0 || k === termIds.length - 1) {
          if ((termIds[k] as number) >= 0) id = termIds[k] as number;
          break;
        }
      }
    }
    const term = corpus.term(id);
    if (!terms.includes(term)) terms.push(term);
  }
  const papers = training.noise > 0 ? corpus.papers() : undefined;
  for (let added = Math.round(training.noise * terms.length); papers && added > 0; added--) {
    const other = corpus.paperTerms(papers[Math.floor(random() * papers.length)] as number).abstract;
    if (other.length === 0) continue;
    const term = corpus.term(other[Math.floor(random() * other.length)] as number);
    // Anywhere in the query, as a description mixes its words.
    if (!terms.includes(term)) terms.splice(Math.floor(random() * (terms.length + 1)), 0, term);
  }
  return terms;
}

/**
 * Trains the ranker from pseudo-queries made from the corpus's own papers (never from labelled
 * queries): for each, the paper it was made from should rank above the other candidates. A pairwise
 * logistic regression over the features, standardised for the fit; returns weights over the raw
 * features, by {@link RANKER_FEATURES}. Deterministic for a corpus and a seed.
 */
export function trainRanker(corpus: RankerCorpus, training: RankerTraining = RANKER_TRAINING): Float64Array {
  const random = seededRandom(training.seed);
  const papers = corpus.papers();
  const examples: Example[] = [];
  const width = RANKER_FEATURES.length;
  for (let q = 0; q < training.queries && papers.length > 0; q++) {
    const n = papers[Math.floor(random() * papers.length)] as number;
    if (corpus.paperTerms(n).abstract.length < training.window[0]) continue;
    const terms = pseudoQuery(corpus, n, training, random);
    if (terms.length < 3) continue;
    const { papers: found, features } = corpus.candidates(terms);
    const target = found.indexOf(n);
    if (target < 0 || found.length < 2) continue;
    examples.push({ features, count: found.length, target });
  }
  return fitPairwise(examples, width, training);
}

/**
 * The pairwise logistic regression: over every (target, other candidate) pair of each example,
 * P(target first) = σ(w · (f_target − f_other)), each example weighing the same; full-batch
 * gradient descent on standardised features from zero weights, so the same examples always give
 * the same weights.
 */
export function fitPairwise(
  examples: readonly Example[],
  width: number,
  training: RankerTraining,
): Float64Array {
  // Standardise by the candidates' spread, so one step size suits every feature.
  const mean = new Float64Array(width);
  const spread = new Float64Array(width);
  let rows = 0;
  for (const { features, count } of examples)
    for (let r = 0; r < count; r++) {
      rows++;
      for (let f = 0; f < width; f++) mean[f] = (mean[f] as number) + (features[r * width + f] as number);
    }
  if (rows === 0) return new Float64Array(width);
  for (let f = 0; f < width; f++) mean[f] = (mean[f] as number) / rows;
  for (const { features, count } of examples)
    for (let r = 0; r < count; r++)
      for (let f = 0; f < width; f++) {
        const d = (features[r * width + f] as number) - (mean[f] as number);
        spread[f] = (spread[f] as number) + d * d;
      }
  for (let f = 0; f < width; f++) spread[f] = Math.sqrt((spread[f] as number) / rows) || 1;

  // Every pair's standardised difference, once.
  let pairs = 0;
  for (const { count } of examples) pairs += count - 1;
  const differences = new Float64Array(pairs * width);
  const pairWeights = new Float64Array(pairs);
  let p = 0;
  for (const { features, count, target } of examples)
    for (let r = 0; r < count; r++) {
      if (r === target) continue;
      for (let f = 0; f < width; f++)
        differences[p * width + f] =
          ((features[target * width + f] as number) - (features[r * width + f] as number)) /
          (spread[f] as number);
      pairWeights[p] = 1 / (count - 1);
      p++;
    }
  const weights = new Float64Array(width);
  const gradient = new Float64Array(width);
  const rate = 1;
  const scale = 1 / examples.length;
  for (let step = 0; step < training.iterations; step++) {
    gradient.fill(0);
    for (let i = 0; i < pairs; i++) {
      let margin = 0;
      for (let f = 0; f < width; f++)
        margin += (weights[f] as number) * (differences[i * width + f] as number);
      // d/dw of −log σ(margin) = −(1 − σ(margin)) × difference.
      const push = (pairWeights[i] as number) / (1 + Math.exp(margin));
      for (let f = 0; f < width; f++)
        gradient[f] = (gradient[f] as number) - push * (differences[i * width + f] as number);
    }
    for (let f = 0; f < width; f++)
      weights[f] =
        (weights[f] as number) -
        rate * ((gradient[f] as number) * scale + training.l2 * (weights[f] as number));
  }
  if (training.ascent > 0) ascend(examples, width, weights, mean, spread, training.ascent);
  for (let f = 0; f < width; f++) weights[f] = (weights[f] as number) / (spread[f] as number);
  return weights;
}

/** The MRR@10 of the examples' targets under scores by candidate row (ties rank the target lower). */
function meanReciprocalRank(examples: readonly Example[], scores: Float64Array): number {
  let sum = 0;
  let row = 0;
  for (const { count, target } of examples) {
    const own = scores[row + target] as number;
    let rank = 1;
    for (let r = 0; r < count && rank <= 10; r++)
      if (r !== target && (scores[row + r] as number) >= own) rank++;
    if (rank <= 10) sum += 1 / rank;
    row += count;
  }
  return sum / Math.max(examples.length, 1);
}

/**
 * Coordinate ascent on MRR@10 (after Metzler & Croft 2007), on standardised features, from
 * `weights` (changed in place): each round tries, for each weight in turn, steps of a grid and keeps
 * the best, if it raises the MRR.
 */
function ascend(
  examples: readonly Example[],
  width: number,
  weights: Float64Array,
  mean: Float64Array,
  spread: Float64Array,
  rounds: number,
): void {
  let rows = 0;
  for (const { count } of examples) rows += count;
  const values = new Float64Array(rows * width);
  let row = 0;
  for (const { features, count } of examples)
    for (let r = 0; r < count; r++, row++)
      for (let f = 0; f < width; f++)
        values[row * width + f] =
          ((features[r * width + f] as number) - (mean[f] as number)) / (spread[f] as number);
  const scores = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let f = 0; f < width; f++) sum += (weights[f] as number) * (values[r * width + f] as number);
    scores[r] = sum;
  }
  let best = meanReciprocalRank(examples, scores);
  const trial = new Float64Array(rows);
  let size = 0;
  for (let f = 0; f < width; f++) size += Math.abs(weights[f] as number);
  size = size / width || 1;
  const steps = [-1, -0.5, -0.25, -0.1, 0.1, 0.25, 0.5, 1];
  for (let round = 0; round < rounds; round++)
    for (let f = 0; f < width; f++) {
      let chosen = 0;
      for (const step of steps) {
        const delta = step * size;
        for (let r = 0; r < rows; r++)
          trial[r] = (scores[r] as number) + delta * (values[r * width + f] as number);
        const mrr = meanReciprocalRank(examples, trial);
        if (mrr > best + 1e-9) {
          best = mrr;
          chosen = delta;
        }
      }
      if (chosen === 0) continue;
      weights[f] = (weights[f] as number) + chosen;
      for (let r = 0; r < rows; r++)
        scores[r] = (scores[r] as number) + chosen * (values[r * width + f] as number);
    }
}
