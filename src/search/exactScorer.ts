import { type DocumentTable, SEGMENTS } from './documentTable.js';
import type { MiniSearchIndex } from './miniSearchIndex.js';
import { FIELD_SEGMENTS } from './postingLayout.js';
import { type Plan, termBit } from './queryPlan.js';
import { FIELDS, type Field, powerOf, type Ranking } from './ranking.js';

/**
 * The exact scoring of a {@link Plan}, with scratch arrays by document number reused between
 * searches: BM25 over every posting of the plan's lists (or of a few documents, one at a time),
 * the title-match and phrase bonuses, and the top of the ranking. One search at a time.
 */
export class ExactScorer {
  private scores = new Float64Array(0);
  private stamps = new Int32Array(0);
  private titleMass = new Float64Array(0);
  private titleCount = new Int32Array(0);
  private matchedBits = new Int32Array(0);
  private touched = new Int32Array(0);
  private titled = new Int32Array(0);
  private epoch = 0;
  /** Scratch by term id: which query term a title term is (valid where `epochs` is the search's). */
  private marks = { epochs: new Int32Array(0), terms: new Int32Array(0) };
  private markEpoch = 0;

  constructor(
    private readonly mini: MiniSearchIndex,
    private readonly table: DocumentTable,
  ) {}

  /**
   * Marks each query term's index by its term id, for reading titles (a term no paper has is in
   * none); returns the epoch the marks are valid under.
   */
  markTerms(terms: string[]): number {
    const marks = this.reserveMarks(this.table.vocabularySize);
    const mark = ++this.markEpoch;
    terms.forEach((term, t) => {
      const id = this.table.termId(term);
      if (id === undefined) return;
      marks.epochs[id] = mark;
      marks.terms[id] = t;
    });
    return mark;
  }

  /**
   * Goes through the first `candidates` scored documents of `touched` that `keep` keeps: counts
   * them and those whose score clears `floor`, adds the phrase bonuses where they can matter, and
   * returns the best `wanted` of them, best first (ties go by id).
   */
  top(
    candidates: number,
    keep: ((n: number) => boolean) | undefined,
    plan: Plan,
    ranking: Ranking,
    floor: number,
    wanted: number,
  ): { top: number[]; total: number; strong: number } {
    const { scores, touched, titleCount, matchedBits } = this;
    const { titlePhrase, textPhrase } = ranking;
    const hasPairs = plan.pairMasses.length > 0;
    const titleMost = hasPairs ? titlePhrase.weight * plan.reference : 0;
    const textMost = hasPairs ? textPhrase.weight * plan.reference : 0;
    const top: number[] = [];
    let total = 0;
    let strong = 0;
    // The score a document must reach to enter `top` once it is full (ties go by id).
    let threshold = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < candidates; i++) {
      const n = touched[i] as number;
      if (keep && !keep(n)) continue;
      total++;
      let score = scores[n] as number;
      // The phrase bonuses are read from the paper's terms, so only where they can matter: when with
      // their largest values (for the query pairs it may have) a weak paper would be strong, or the
      // paper would enter the top. Otherwise its strength and its place are the same either way.
      let most = titleMost > 0 && (titleCount[n] as number) >= 2 ? titleMost : 0;
      if (textMost > 0) most += this.textPhraseBound(matchedBits[n] as number, plan, ranking);
      if (most > 0 && ((score < floor && score + most >= floor) || score + most >= threshold)) {
        const [inTitle, inText] = this.phrases(n, plan, ranking);
        score += inTitle;
        score += inText;
        scores[n] = score;
      }
      if (score >= floor) strong++;
      if (score < threshold) continue;
      if (top.length === wanted && !this.better(n, top[wanted - 1] as number)) continue;
      top.splice(this.rankPosition(top, n), 0, n);
      if (top.length > wanted) top.pop();
      if (top.length === wanted) threshold = scores[top[wanted - 1] as number] as number;
    }
    return { top, total, strong };
  }

  /** The score of document `n` in the last search. */
  score(n: number): number {
    return this.scores[n] as number;
  }

  /**
   * Scores every document of the lists, term at a time. Returns how many documents are in
   * `touched`, and how many of them, in `titled`, have query terms in their title.
   */
  scoreLists(plan: Plan): [number, number] {
    this.reserve();
    const epoch = ++this.epoch;
    const { scores, stamps, touched, titleCount, matchedBits } = this;
    const lengths = this.table.segmentLengthArray;
    let count = 0;
    for (const list of plan.lists) {
      const { postings, scale, base, perLength } = list;
      const bit = termBit(list.term);
      const segments = FIELD_SEGMENTS[FIELDS[list.field] as Field];
      const first = segments[0] as number;
      const second = segments.length > 1 ? (segments[1] as number) : -1;
      const { documents, frequencies } = postings;
      const end = postings.start + postings.size;
      for (let i = postings.start; i < end; i++) {
        const n = documents[i] as number;
        const frequency = frequencies[i] as number;
        const row = n * SEGMENTS.length;
        const length =
          (lengths[row + first] as number) + (second < 0 ? 0 : (lengths[row + second] as number));
        const score = (scale * frequency) / (frequency + base + perLength * length);
        if (stamps[n] !== epoch) {
          stamps[n] = epoch;
          scores[n] = score;
          titleCount[n] = 0;
          matchedBits[n] = bit;
          touched[count++] = n;
        } else {
          scores[n] = (scores[n] as number) + score;
          matchedBits[n] = (matchedBits[n] as number) | bit;
        }
      }
    }
    let titledCount = 0;
    for (const { postings, mass } of plan.titles) {
      const { documents } = postings;
      const end = postings.start + postings.size;
      for (let i = postings.start; i < end; i++) {
        const n = documents[i] as number;
        if (stamps[n] === epoch) titledCount = this.countTitle(n, mass, titledCount);
      }
    }
    return [count, titledCount];
  }

  /**
   * Scores the given documents one at a time from the same lists (binary search in each), with the
   * arithmetic of {@link ExactScorer.scoreLists} in the same order; returns the same counts.
   */
  scoreEach(documents: Int32Array, plan: Plan): [number, number] {
    this.reserve();
    const epoch = ++this.epoch;
    const { scores, stamps, touched, titleCount, matchedBits } = this;
    const lengths = this.table.segmentLengthArray;
    let count = 0;
    let titledCount = 0;
    for (const n of documents) {
      const row = n * SEGMENTS.length;
      for (const list of plan.lists) {
        const frequency = list.postings.get(n);
        if (frequency === undefined) continue;
        const segments = FIELD_SEGMENTS[FIELDS[list.field] as Field];
        let length = 0;
        for (const segment of segments) length += lengths[row + segment] as number;
        const score = (list.scale * frequency) / (frequency + list.base + list.perLength * length);
        if (stamps[n] !== epoch) {
          stamps[n] = epoch;
          scores[n] = score;
          titleCount[n] = 0;
          matchedBits[n] = termBit(list.term);
          touched[count++] = n;
        } else {
          scores[n] = (scores[n] as number) + score;
          matchedBits[n] = (matchedBits[n] as number) | termBit(list.term);
        }
      }
      if (stamps[n] !== epoch) continue;
      for (const { postings, mass } of plan.titles)
        if (postings.has(n)) titledCount = this.countTitle(n, mass, titledCount);
    }
    return [count, titledCount];
  }

  /**
   * Counts a query term in the title of document `n` (its idf `mass`), listing the document in
   * `titled` the first time; returns how many documents `titled` holds.
   */
  private countTitle(n: number, mass: number, titledCount: number): number {
    const { titleMass, titleCount, titled } = this;
    if (titleCount[n] === 0) {
      titleMass[n] = mass;
      titled[titledCount++] = n;
    } else titleMass[n] = (titleMass[n] as number) + mass;
    titleCount[n] = (titleCount[n] as number) + 1;
    return titledCount;
  }

  /**
   * Adds the title-match bonus ({@link Ranking.titleMatch}) to the scores of the first `count`
   * documents of `titled`, the only ones whose titles have query terms.
   */
  addTitleMatch(count: number, plan: Plan, ranking: Ranking): void {
    const { titleMatch } = ranking;
    const { scores, titled, titleMass } = this;
    const match = titleMatch.weight * plan.reference;
    if (match === 0) return;
    for (let i = 0; i < count; i++) {
      const n = titled[i] as number;
      const share = (titleMass[n] as number) / plan.reference;
      scores[n] = (scores[n] as number) + match * powerOf(share, titleMatch.power);
    }
  }

  /**
   * The most the text-phrase bonus can give a paper that matched the query terms in `bits`: that
   * of every query pair whose two terms it matched.
   */
  private textPhraseBound(bits: number, plan: Plan, ranking: Ranking): number {
    const { weight, power } = ranking.textPhrase;
    // Without the text field, matched terms do not tell what the abstract has.
    if (ranking.fields.text.weight === 0) return weight * plan.reference;
    if ((bits & (bits - 1)) === 0) return 0; // one term matched: no pair
    let mass = 0;
    const { pairMasks, pairMasses } = plan;
    for (let k = 0; k < pairMasks.length; k++) {
      const mask = pairMasks[k] as number;
      if ((bits & mask) === mask) mass += pairMasses[k] as number;
    }
    if (mass === 0) return 0;
    return weight * plan.reference * powerOf(Math.min(1, mass / plan.pairTotal), power);
  }

  /**
   * The phrase bonuses of a paper: {@link Ranking.titlePhrase} for the query pairs its title has,
   * {@link Ranking.textPhrase} for those its title or abstract has, each pair's terms next to each other.
   */
  private phrases(n: number, plan: Plan, ranking: Ranking): [number, number] {
    const [titleShare, textShare] = this.phraseShares(n, plan);
    const { titlePhrase, textPhrase } = ranking;
    const { reference } = plan;
    return [
      titleShare > 0 ? titlePhrase.weight * reference * powerOf(titleShare, titlePhrase.power) : 0,
      textShare > 0 ? textPhrase.weight * reference * powerOf(textShare, textPhrase.power) : 0,
    ];
  }

  /**
   * The shares of the query's term pairs (by mass) that document `n` has next to each other in its
   * title, and in its title or abstract (0 for a query without pairs).
   */
  phraseShares(n: number, plan: Plan): [number, number] {
    const { pairIndex, pairMasses, mark, pairTotal } = plan;
    if (pairTotal === 0) return [0, 0];
    const { epochs, terms: marked } = this.marks;
    const terms = Math.sqrt(pairIndex.length);
    const [sequence, start] = this.table.sequenceAt(n);
    // Which pairs are where, as bits; their masses are summed in the pairs' order afterwards.
    let inTitle = 0;
    let inText = 0;
    let at = start;
    for (const segment of [0, 1]) {
      const end = at + this.table.segmentLength(n, segment);
      let previous = -1;
      for (let i = at; i < end; i++) {
        const id = sequence[i] as number;
        const current = epochs[id] === mark ? (marked[id] as number) : -1;
        if (previous >= 0 && current >= 0) {
          const pair = pairIndex[previous * terms + current] as number;
          if (pair >= 0) {
            if (segment === 0) inTitle |= 1 << pair;
            inText |= 1 << pair;
          }
        }
        previous = current;
      }
      at = end;
    }
    let titleMass = 0;
    let textMass = 0;
    for (let k = 0; k < pairMasses.length; k++) {
      if (inTitle & (1 << k)) titleMass += pairMasses[k] as number;
      if (inText & (1 << k)) textMass += pairMasses[k] as number;
    }
    return [titleMass / pairTotal, textMass / pairTotal];
  }

  /** Whether document `a` ranks before `b`: higher score, or equal score and smaller id. */
  private better(a: number, b: number): boolean {
    const difference = (this.scores[a] as number) - (this.scores[b] as number);
    if (difference !== 0) return difference > 0;
    return (this.mini.documentId(a) as string) < (this.mini.documentId(b) as string);
  }

  /** Where document `n` goes in the best-first list `top`. */
  private rankPosition(top: number[], n: number): number {
    let low = 0;
    let high = top.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.better(n, top[middle] as number)) high = middle;
      else low = middle + 1;
    }
    return low;
  }

  /** The term marks, with room for every term id. */
  private reserveMarks(vocabulary: number): { epochs: Int32Array; terms: Int32Array } {
    if (this.marks.epochs.length < vocabulary) {
      const size = Math.ceil(vocabulary * 1.25) + 16;
      this.marks = { epochs: new Int32Array(size), terms: new Int32Array(size) };
      this.markEpoch = 0;
    }
    return this.marks;
  }

  /** Scratch arrays for every document number. */
  private reserve(): void {
    const needed = this.mini.documentNumbers;
    if (this.scores.length >= needed) return;
    const size = Math.ceil(needed * 1.25) + 16;
    this.scores = new Float64Array(size);
    this.stamps = new Int32Array(size);
    this.titleMass = new Float64Array(size);
    this.titleCount = new Int32Array(size);
    this.matchedBits = new Int32Array(size);
    this.touched = new Int32Array(size);
    this.titled = new Int32Array(size);
    this.epoch = 0;
  }
}
