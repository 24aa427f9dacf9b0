import { type PackedStringData, PackedStrings, packStrings, sortedOrderOf } from '../packedStrings.js';
import { documentFilter } from './documentFilter.js';
import { DocumentTable, type SavedTable, SEGMENTS, type SearchDocument } from './documentTable.js';
import { ExactScorer } from './exactScorer.js';
import { MiniSearchIndex, type SavedMiniSearch } from './miniSearchIndex.js';
import { FIELD_SEGMENTS, layOutPostings, termDocument } from './postingLayout.js';
import { hasFilters, type PaperQuery } from './query.js';
import { matchedTerms, type Plan, planQuery, postingCost, searchCost } from './queryPlan.js';
import { RANKER_FEATURES, type RankerCorpus, RankerFeatures, rankerScore } from './ranker.js';
import { FIELDS, idf, RANKING, type Ranking, type SignalRanking } from './ranking.js';
import { type SignalCorpus, type TranslationModel, TranslationSignal } from './signal.js';
import { termsOf, unique } from './text.js';
import { Vocabulary } from './vocabulary.js';

/** What {@link DocumentIndex.search} is asked. */
export interface SearchRequest {
  query: PaperQuery;
  /** How many hits to return (default 5). */
  limit?: number;
  /** How many of the best hits to skip (default 0). */
  offset?: number;
  /** Only documents that arrived strictly after this instant (ISO timestamp). */
  arrivedAfter?: string;
  /** Documents never to return (e.g. those a channel has been sent already). */
  excludeIds?: readonly string[];
  /**
   * How to score: every posting of the query's lists (`lists`), or, with `arrivedAfter`, only the
   * recent documents one by one (`documents`). Both give the same results; by default the cheaper
   * is chosen. Tests compare the two.
   */
  scoring?: 'lists' | 'documents';
}

/** One document found, by id. */
export interface DocumentHit {
  id: string;
  /** The ranking's score (higher is better); 0 for filter-only queries, which are ordered newest first. */
  score: number;
  /** The index terms (stemmed) of the query that this document matched. */
  matchedTerms: string[];
}

/** A page of hits, how many documents matched in all, and how many of them clear the floor. */
export interface DocumentResults {
  hits: DocumentHit[];
  total: number;
  /**
   * How many of the `total` matches clear the relevance floor ({@link Ranking.floor}); they are the
   * first ones, so hit `i` of a page is strong when `offset + i < strong`. Filter-only results all count.
   */
  strong: number;
  /** The score of the relevance floor (absent for filter-only results). */
  floor?: number;
  /** Each query term's weight in the ranking (its idf in title and abstract), by index term. */
  termWeights?: Record<string, number>;
}

/** A word the learnt signal relates to a text (see {@link DocumentIndex.relatedTerms}). */
export interface RelatedTerm {
  /** The index term (stemmed). */
  term: string;
  weight: number;
}

/** What a snapshot keeps of a {@link DocumentIndex}. */
export interface SavedDocumentIndex {
  /**
   * The vocabulary, by term id (the table's sequences hold these ids, minisearch's lists come in
   * this order), packed, and its sorted order (to find a term's id).
   */
  terms: PackedStringData;
  termOrder: Int32Array;
  mini: SavedMiniSearch;
  table: SavedTable;
}

/**
 * The searching half of the index, holding no Paper objects: minisearch (through
 * {@link MiniSearchIndex}) for the postings, a {@link DocumentTable} for the facts filters read and
 * the term sequences phrases are checked on. It takes {@link SearchDocument}s and answers with
 * document ids, scores and matched terms, so that it can live in a worker while the papers stay
 * with the thread that renders them.
 *
 * Every search is exact: each query term's posting lists are read in full from compact arrays
 * (term at a time), or, when a search asks only for recent documents and they are few, those
 * documents are scored one at a time from the same lists by binary search, with the same
 * arithmetic in the same order, so both give the same scores.
 *
 * A search is planned ({@link planQuery}), filtered ({@link documentFilter}) and scored by an
 * {@link ExactScorer}; this class keeps the documents and assembles the page and its relevance floor.
 */
export class DocumentIndex {
  private readonly scorer: ExactScorer;
  private lengthSums = new Float64Array(FIELDS.length);
  private arrivalOrder: Int32Array | undefined;
  private signal: TranslationSignal | undefined;
  private rankerFeatures: RankerFeatures | undefined;

  private constructor(
    private readonly mini: MiniSearchIndex,
    private readonly table: DocumentTable,
    private ranking: Ranking,
  ) {
    this.scorer = new ExactScorer(mini, table);
    // Every document's lengths, in one tight pass (a call per document and field took 0.1 s at 80k).
    const lengths = table.segmentLengthArray;
    const fieldSegments = FIELDS.map((field) => FIELD_SEGMENTS[field]);
    for (let n = 0; n < mini.documentNumbers; n++) {
      if (!table.isLive(n)) continue;
      const base = n * SEGMENTS.length;
      for (let f = 0; f < fieldSegments.length; f++)
        for (const segment of fieldSegments[f] as readonly number[])
          this.lengthSums[f] = (this.lengthSums[f] as number) + (lengths[base + segment] as number);
    }
  }

  /**
   * Indexes the documents from scratch (a later one with the same id replaces an earlier): every
   * document's terms once, then each posting list laid out in place, as a snapshot holds them.
   */
  static build(documents: Iterable<SearchDocument>, ranking: Ranking = RANKING): DocumentIndex {
    const byId = new Map<string, SearchDocument>();
    for (const document of documents) byId.set(document.id, document);
    const list = [...byId.values()];
    const table = DocumentTable.build(list);
    const mini = MiniSearchIndex.restore(
      layOutPostings(
        table,
        list.map((document) => document.id),
      ),
      table.vocabulary,
      FIELDS,
    );
    return new DocumentIndex(mini, table, ranking);
  }

  /** An index from {@link DocumentIndex.save} output. */
  static restore(saved: SavedDocumentIndex, ranking: Ranking = RANKING): DocumentIndex {
    const vocabulary = new Vocabulary({ terms: saved.terms, order: saved.termOrder });
    const table = DocumentTable.restore(saved.table, vocabulary);
    const mini = MiniSearchIndex.restore(saved.mini, vocabulary, FIELDS);
    if (saved.table.live.length !== mini.documentNumbers) throw new Error("the snapshot's tables disagree");
    return new DocumentIndex(mini, table, ranking);
  }

  /**
   * The index's state for a snapshot (copied: it stays valid when the index changes), its
   * documents numbered without the gaps that replaced documents leave.
   */
  save(): SavedDocumentIndex {
    const total = this.mini.documentNumbers;
    const numbers = new Int32Array(total);
    let count = 0;
    for (let n = 0; n < total; n++) numbers[n] = this.table.isLive(n) ? count++ : -1;
    const terms = this.table.vocabulary.toArray();
    const packed = packStrings(terms);
    return {
      terms: packed,
      termOrder: sortedOrderOf(packed),
      mini: this.mini.save(terms, numbers, count),
      table: this.table.save(numbers, count),
    };
  }

  /** Number of documents indexed. */
  get size(): number {
    return this.mini.documentCount;
  }

  /** Whether a document with this id is indexed. */
  has(id: string): boolean {
    return this.mini.has(id);
  }

  /** Uses a learnt signal from now on (see {@link Ranking.signal}); none without one. */
  useSignal(model: TranslationModel | undefined): void {
    this.signal = model
      ? new TranslationSignal(model, (term) => this.table.termId(term), this.table.vocabularySize)
      : undefined;
  }

  /**
   * The words the learnt signal relates to a text's (those a paper about it may use instead), the
   * strongest `count`, each with its weight (the text's words' idf-weighted translation into it,
   * the weights summing to at most 1); none without a signal.
   */
  relatedTerms(text: string, count = 10): RelatedTerm[] {
    const signal = this.signal;
    if (!signal) return [];
    const terms = unique(termsOf(text));
    const total = this.mini.documentCount;
    const textField = this.mini.fieldIds.text as number;
    const weights = terms.map((term) => idf(this.mini.postings(term, textField)?.size ?? 0, total));
    const sum = weights.reduce((a, b) => a + b, 0) || 1;
    const own = new Set(terms);
    const related = new Map<string, number>();
    terms.forEach((term, t) => {
      const id = this.table.termId(term);
      if (id === undefined) return;
      const { termIds, weights: shares } = signal.neighbours(id);
      termIds.forEach((target, i) => {
        if (target < 0) return;
        const word = this.table.term(target);
        if (own.has(word)) return;
        related.set(word, (related.get(word) ?? 0) + ((weights[t] as number) / sum) * (shares[i] as number));
      });
    });
    return [...related]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, count)
      .map(([term, weight]) => ({ term, weight }));
  }

  /**
   * How well each paper's words translate a text's (see {@link TranslationSignal.score}), between 0
   * and 1, by the learnt signal, with every word of the text counted (`gapsOnly` false): for ranking
   * papers against a text other than a search (More like this, previews). Undefined for ids not
   * indexed; all undefined without a signal.
   */
  signalScores(text: string, ids: readonly string[]): (number | undefined)[] {
    const signal = this.signal;
    const terms = unique(termsOf(text));
    const total = this.mini.documentCount;
    const textField = this.mini.fieldIds.text as number;
    const query = Int32Array.from(terms, (term) => this.table.termId(term) ?? -1);
    const weights = Float64Array.from(terms, (term) =>
      idf(this.mini.postings(term, textField)?.size ?? 0, total),
    );
    return ids.map((id) => {
      const n = this.mini.documentNumber(id);
      if (!signal || n === undefined || !this.table.isLive(n)) return undefined;
      const [sequence, start] = this.table.sequenceAt(n);
      const end = start + this.table.segmentLength(n, 0) + this.table.segmentLength(n, 1);
      return signal.score(query, weights, sequence, start, end, false);
    });
  }

  /** What training the learnt signal reads of the index: its live documents' term sequences. */
  signalCorpus(): SignalCorpus {
    const saved = this.save();
    return { terms: new PackedStrings(saved.terms).toArray(), ...saved.table };
  }

  /** Ranks with other parameters from now on (the eval compares rankings on one index). */
  rankWith(ranking: Ranking): void {
    this.ranking = ranking;
  }

  /**
   * Reads every posting list once, as searches would over time (a restored list is made when it is
   * first read): for measuring the index's memory in that worst case. Returns how many lists.
   */
  loadEveryList(): number {
    let lists = 0;
    for (const term of this.table.vocabulary.toArray())
      for (const field of FIELDS) if (this.mini.postings(term, this.mini.fieldIds[field] as number)) lists++;
    return lists;
  }

  /**
   * Adds documents, replacing any with the same id; a document whose text and facts are those it
   * was indexed with is left as it is (an ingest rewrites papers whose upvotes changed, say).
   * Returns how many documents were indexed.
   */
  add(documents: Iterable<SearchDocument>): number {
    let indexed = 0;
    for (const document of documents) {
      const existing = this.mini.documentNumber(document.id);
      if (existing !== undefined) {
        if (this.table.matches(existing, document)) continue;
        this.remove(document.id, existing);
      }
      const number = this.mini.documentNumbers;
      const segments = this.table.put(number, document);
      this.mini.add(termDocument(document.id, segments));
      this.countLengths(number, 1);
      indexed++;
    }
    if (indexed > 0) this.arrivalOrder = undefined;
    return indexed;
  }

  /** Finds documents for a query, best first (see {@link SearchRequest}). */
  search(request: SearchRequest): DocumentResults {
    const { query, limit = 5, offset = 0 } = request;
    const sequence = termsOf([...query.words, ...query.phrases].join(' '));
    const terms = unique(sequence);
    if (terms.length === 0 && !hasFilters(query)) return { hits: [], total: 0, strong: 0 };
    const phrases = query.phrases.map(termsOf).filter((phrase) => phrase.length > 1);
    const phraseIds = phrases.map((phrase) => phrase.map((term) => this.table.termId(term) ?? -1));
    if (phraseIds.some((phrase) => phrase.includes(-1))) return { hits: [], total: 0, strong: 0 };
    const keep = documentFilter(this.mini, this.table, request, phraseIds);
    if (terms.length === 0) return this.newest(keep ?? (() => true), offset, limit);

    const plan = planQuery(
      this.mini,
      this.ranking,
      this.lengthSums,
      terms,
      sequence,
      this.scorer.markTerms(terms),
    );
    const recent = request.arrivedAfter === undefined ? undefined : this.arrivedAfter(request.arrivedAfter);
    const byDocument =
      recent !== undefined &&
      request.scoring !== 'lists' &&
      (request.scoring === 'documents' || recent.length * searchCost(plan.lists) < postingCost(plan.lists));
    const [candidates, titled] =
      recent && byDocument ? this.scorer.scoreEach(recent, plan) : this.scorer.scoreLists(plan);
    this.scorer.addTitleMatch(titled, plan, this.ranking);

    const floor = this.ranking.floor * terms.length ** -this.ranking.floorDecay * plan.reference;
    const signal = this.ranking.signal.weight > 0 ? this.signal : undefined;
    const wanted = signal ? Math.max(offset + limit, this.ranking.signal.depth) : offset + limit;
    const found = this.scorer.top(candidates, keep, plan, this.ranking, floor, wanted);
    const { top, total } = found;
    let { strong } = found;
    const scores = new Map<number, number>();
    for (const n of top) scores.set(n, this.scorer.score(n));
    if (signal) strong = this.rerank(signal, top, scores, terms, plan, floor, strong);
    const hits = top.slice(offset, offset + limit).map((n) => ({
      id: this.mini.documentId(n) as string,
      score: scores.get(n) as number,
      matchedTerms: matchedTerms(n, plan.lists, terms),
    }));
    return { hits, total, strong, floor, termWeights: plan.termWeights };
  }

  /**
   * Re-ranks the best papers `top` (in place, with their `scores`) by the learnt signal: each gains
   * {@link Ranking.signal}'s weight × `reference` × how well its words translate the query's, and
   * its proximity bonus. For a query of {@link SignalRanking.rankerMinTerms} terms or more, the
   * learnt ranker (src/search/ranker.ts) then orders them, the strong matches first; their scores
   * stay the ranking's (digests and the floor read them). Returns how many papers are strong
   * matches now: those of `top` that clear `floor` without the proximity bonus, and those beyond it
   * that did before (the signal never lowers a score). Proximity only orders: query words next to
   * each other say which of the papers on a topic fits best, not that the corpus has the topic
   * (with it, queries on topics the corpus lacks were answered as found).
   */
  private rerank(
    signal: TranslationSignal,
    top: number[],
    scores: Map<number, number>,
    terms: string[],
    plan: Plan,
    floor: number,
    strong: number,
  ): number {
    const { weight, gapsOnly, proximity } = this.ranking.signal;
    const { termWeights, reference } = plan;
    const query = Int32Array.from(terms, (term) => this.table.termId(term) ?? -1);
    const weights = Float64Array.from(terms, (term) => termWeights[term] ?? 0);
    const lengths = this.table.segmentLengthArray;
    const learnt = terms.length >= this.ranking.signal.rankerMinTerms ? this.learntRanker(signal) : undefined;
    const features = learnt ? this.featuresOf(top, scores, plan, query, weights, signal) : undefined;
    const keys = new Map<number, number>();
    const strongAfterSet = new Set<number>();
    let strongBefore = 0;
    let strongAfter = 0;
    top.forEach((n, i) => {
      const before = scores.get(n) as number;
      if (before >= floor) strongBefore++;
      const [sequence, start] = this.table.sequenceAt(n);
      const row = n * SEGMENTS.length;
      const end = start + (lengths[row] as number) + (lengths[row + 1] as number);
      // The ranker's features have the translation of the words a paper lacks already.
      const translation =
        features && gapsOnly
          ? (features[i * RANKER_FEATURES.length + 1] as number)
          : signal.score(query, weights, sequence, start, end, gapsOnly);
      const after = before + weight * reference * translation;
      if (after >= floor) {
        strongAfter++;
        strongAfterSet.add(n);
      }
      const near =
        proximity > 0 ? proximity * reference * (this.scorer.phraseShares(n, plan)[1] as number) : 0;
      scores.set(n, after + near);
      if (learnt && features) keys.set(n, rankerScore(learnt, features, i * RANKER_FEATURES.length));
    });
    const ids = new Map(top.map((n) => [n, this.mini.documentId(n) as string]));
    const byId = (a: number, b: number) => ((ids.get(a) as string) < (ids.get(b) as string) ? -1 : 1);
    if (learnt) {
      const within = this.ranking.signal.rankerWithinStrength;
      top.sort(
        (a, b) =>
          (within ? Number(strongAfterSet.has(b)) - Number(strongAfterSet.has(a)) : 0) ||
          (keys.get(b) as number) - (keys.get(a) as number) ||
          byId(a, b),
      );
    } else top.sort((a, b) => (scores.get(b) as number) - (scores.get(a) as number) || byId(a, b));
    return strong - strongBefore + strongAfter;
  }

  /** The learnt ranker's weights, when the ranking uses it and the signal has one. */
  private learntRanker(signal: TranslationSignal): Float64Array | undefined {
    const { ranker, rankerWeights } = this.ranking.signal;
    if (!ranker) return undefined;
    if (rankerWeights) return Float64Array.from(rankerWeights);
    return signal.model.ranker;
  }

  /** The ranker's features of each paper of `top` (with their `scores`), a row each. */
  private featuresOf(
    top: readonly number[],
    scores: Map<number, number>,
    plan: Plan,
    query: Int32Array,
    weights: Float64Array,
    signal: TranslationSignal | undefined,
  ): Float64Array {
    const width = RANKER_FEATURES.length;
    const out = new Float64Array(top.length * width);
    this.rankerFeatures ??= new RankerFeatures(this.table.vocabularySize);
    if (this.rankerFeatures.size < this.table.vocabularySize)
      this.rankerFeatures = new RankerFeatures(Math.ceil(this.table.vocabularySize * 1.25) + 16);
    const reader = this.rankerFeatures;
    reader.setQuery(query, weights);
    const average = (this.lengthSums[0] as number) / Math.max(this.mini.documentCount, 1);
    top.forEach((n, i) => {
      const [sequence, start] = this.table.sequenceAt(n);
      reader.read(
        out,
        i * width,
        sequence,
        start,
        this.table.segmentLength(n, 0),
        this.table.segmentLength(n, 1),
        (scores.get(n) as number) / (plan.reference || 1),
        this.scorer.phraseShares(n, plan)[1] as number,
        average,
        signal,
      );
    });
    return out;
  }

  /**
   * What training the learnt ranker reads of this index (see {@link trainRanker}): its papers, their
   * terms, the translation's neighbours, and the best papers for a pseudo-query with their features,
   * by the ranking without the ranker. Needs the translation signal in use.
   */
  rankerCorpus(): RankerCorpus {
    const signal = this.signal;
    const table = this.table;
    let live: Int32Array | undefined;
    return {
      papers: () => {
        if (!live) {
          const numbers: number[] = [];
          for (let n = 0; n < this.mini.documentNumbers; n++) if (table.isLive(n)) numbers.push(n);
          live = Int32Array.from(numbers);
        }
        return live;
      },
      paperTerms: (n) => {
        const [sequence, start] = table.sequenceAt(n);
        const titleEnd = start + table.segmentLength(n, 0);
        return {
          title: sequence.subarray(start, titleEnd),
          abstract: sequence.subarray(titleEnd, titleEnd + table.segmentLength(n, 1)),
        };
      },
      neighbours: (termId) =>
        signal ? signal.neighbours(termId) : { termIds: new Int32Array(0), weights: new Float64Array(0) },
      term: (termId) => table.term(termId),
      candidates: (terms) => {
        const plan = planQuery(
          this.mini,
          this.ranking,
          this.lengthSums,
          terms,
          terms,
          this.scorer.markTerms(terms),
        );
        const [candidates, titled] = this.scorer.scoreLists(plan);
        this.scorer.addTitleMatch(titled, plan, this.ranking);
        const floor = this.ranking.floor * terms.length ** -this.ranking.floorDecay * plan.reference;
        const { top } = this.scorer.top(
          candidates,
          undefined,
          plan,
          this.ranking,
          floor,
          this.ranking.signal.depth,
        );
        const scores = new Map<number, number>();
        for (const n of top) scores.set(n, this.scorer.score(n));
        const query = Int32Array.from(terms, (term) => table.termId(term) ?? -1);
        const weights = Float64Array.from(terms, (term) => plan.termWeights[term] ?? 0);
        return { papers: top, features: this.featuresOf(top, scores, plan, query, weights, signal) };
      },
    };
  }

  /** Filter-only results: every kept document, newest publication first, then latest arrival. */
  private newest(keep: (n: number) => boolean, offset: number, limit: number): DocumentResults {
    const { publishedDays, arrivals } = this.table;
    const kept: number[] = [];
    for (let n = 0; n < this.mini.documentNumbers; n++) if (this.table.isLive(n) && keep(n)) kept.push(n);
    kept.sort(
      (a, b) =>
        (publishedDays[b] as number) - (publishedDays[a] as number) ||
        (arrivals[b] as number) - (arrivals[a] as number) ||
        a - b,
    );
    const hits = kept
      .slice(offset, offset + limit)
      .map((n) => ({ id: this.mini.documentId(n) as string, score: 0, matchedTerms: [] }));
    return { hits, total: kept.length, strong: kept.length };
  }

  /** The live documents that arrived after the instant, from an arrival-ordered list kept between ingests. */
  private arrivedAfter(instant: string): Int32Array {
    const arrivals = this.table.arrivals;
    if (!this.arrivalOrder) {
      const live: number[] = [];
      for (let n = 0; n < this.mini.documentNumbers; n++) if (this.table.isLive(n)) live.push(n);
      live.sort((a, b) => (arrivals[a] as number) - (arrivals[b] as number) || a - b);
      this.arrivalOrder = Int32Array.from(live);
    }
    const order = this.arrivalOrder;
    const after = Date.parse(instant);
    let low = 0;
    let high = order.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if ((arrivals[order[middle] as number] as number) > after) high = middle;
      else low = middle + 1;
    }
    return order.subarray(low);
  }

  private remove(id: string, number: number): void {
    this.mini.remove(termDocument(id, this.table.segmentsOf(number)));
    this.countLengths(number, -1);
    this.table.delete(number);
  }

  private countLengths(n: number, sign: 1 | -1): void {
    FIELDS.forEach((field, f) => {
      let length = 0;
      for (const segment of FIELD_SEGMENTS[field]) length += this.table.segmentLength(n, segment);
      this.lengthSums[f] = (this.lengthSums[f] as number) + sign * length;
    });
  }
}
