import {
  DocumentTable,
  dayNumber,
  foldName,
  type SavedTable,
  SEGMENTS,
  type SearchDocument,
  UNKNOWN_DAY,
} from './documentTable.js';
import { MiniSearchIndex, type SavedMiniSearch, type TermDocument } from './miniSearchIndex.js';
import type { CompactPostings } from './postings.js';
import { hasFilters, type PaperQuery } from './query.js';
import { FIELDS, type Field, idf, powerOf, RANKING, type Ranking } from './ranking.js';
import { termsOf } from './text.js';

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

/** What a snapshot keeps of a {@link DocumentIndex}. */
export interface SavedDocumentIndex {
  /** The vocabulary, by term id: the table's sequences hold these ids, minisearch's lists come in this order. */
  terms: string[];
  mini: SavedMiniSearch;
  table: SavedTable;
}

/** minisearch's fields, each made from segments of a document's text (see {@link Field}). */
const FIELD_SEGMENTS: Record<Field, readonly number[]> = {
  text: [SEGMENTS.indexOf('title'), SEGMENTS.indexOf('abstract')],
  title: [SEGMENTS.indexOf('title')],
  authors: [SEGMENTS.indexOf('authors')],
  keywords: [SEGMENTS.indexOf('keywords')],
};

/** One query term's posting list in one field, with what a posting of it scores. */
interface ScoredList {
  term: number;
  field: number;
  postings: CompactPostings;
  /** weight × idf × (k1 + 1) */
  scale: number;
  /** k1 × (1 − b) */
  base: number;
  /** k1 × b / average length */
  perLength: number;
}

/** A query term's title list, for the title bonuses: `mass` is the term's idf in the text field. */
interface TitleList {
  postings: CompactPostings;
  mass: number;
}

/** How a query is scored (see {@link DocumentIndex.plan}). */
interface Plan {
  lists: ScoredList[];
  titles: TitleList[];
  /**
   * What an average-length paper with every query term once in its text would score: the unit of
   * the relevance floor and the title bonuses. A term no paper has counts at its full weight, so a
   * query about a topic the corpus lacks finds no strong match.
   */
  reference: number;
  /** Each query term's idf in the text field. */
  termWeights: Record<string, number>;
  /** Query term `a` then `b`: the index of that pair in `pairMasses` at `a × terms + b`, or −1. */
  pairIndex: Int16Array;
  /** Each of the query's consecutive term pairs: the mean idf of its two terms. */
  pairMasses: number[];
  /** Their sum. */
  pairTotal: number;
  /** Each pair's two terms as bits of {@link termBit}: a document that matched both may have it. */
  pairMasks: Int32Array;
  /** The epoch of {@link DocumentIndex.marks} under which the query's terms are marked. */
  mark: number;
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
 */
export class DocumentIndex {
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
  private lengthSums = new Float64Array(FIELDS.length);
  private arrivalOrder: Int32Array | undefined;

  private constructor(
    private readonly mini: MiniSearchIndex,
    private readonly table: DocumentTable,
    private ranking: Ranking,
  ) {
    for (let n = 0; n < mini.documentNumbers; n++) if (table.isLive(n)) this.countLengths(n, 1);
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
      table.termIdMap,
    );
    return new DocumentIndex(mini, table, ranking);
  }

  /** An index from {@link DocumentIndex.save} output. */
  static restore(saved: SavedDocumentIndex, ranking: Ranking = RANKING): DocumentIndex {
    const table = DocumentTable.restore(saved.table, saved.terms);
    const mini = MiniSearchIndex.restore(saved.mini, saved.terms, FIELDS, table.termIdMap);
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
    const terms = [...this.table.vocabulary];
    return { terms, mini: this.mini.save(terms, numbers, count), table: this.table.save(numbers, count) };
  }

  /** Number of documents indexed. */
  get size(): number {
    return this.mini.documentCount;
  }

  /** Whether a document with this id is indexed. */
  has(id: string): boolean {
    return this.mini.has(id);
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
    for (const term of this.table.vocabulary)
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
    const keep = this.filter(request, phraseIds);
    if (terms.length === 0) return this.newest(keep ?? (() => true), offset, limit);

    const plan = this.plan(terms, sequence);
    const recent = request.arrivedAfter === undefined ? undefined : this.arrivedAfter(request.arrivedAfter);
    const byDocument =
      recent !== undefined &&
      request.scoring !== 'lists' &&
      (request.scoring === 'documents' || recent.length * searchCost(plan.lists) < postingCost(plan.lists));
    const [candidates, titled] = recent && byDocument ? this.scoreEach(recent, plan) : this.scoreLists(plan);
    this.addTitleMatch(titled, plan);

    const floor = this.ranking.floor * terms.length ** -this.ranking.floorDecay * plan.reference;
    const wanted = offset + limit;
    const { scores, touched, titleCount, matchedBits } = this;
    const { titlePhrase, textPhrase } = this.ranking;
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
      if (textMost > 0) most += this.textPhraseBound(matchedBits[n] as number, plan);
      if (most > 0 && ((score < floor && score + most >= floor) || score + most >= threshold)) {
        const [inTitle, inText] = this.phrases(n, plan);
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
    const hits = top.slice(offset).map((n) => ({
      id: this.mini.documentId(n) as string,
      score: scores[n] as number,
      matchedTerms: this.matchedTerms(n, plan.lists, terms),
    }));
    return { hits, total, strong, floor, termWeights: plan.termWeights };
  }

  /**
   * How a query is scored: every query term's posting lists in the weighted fields, with their BM25
   * figures (an author list joins only for a term no paper has in its text, when
   * {@link Ranking.authorsOnlyForNames}); the terms' title lists and the query's consecutive term
   * pairs, for the title bonuses; and the query's reference score.
   */
  private plan(terms: string[], sequence: string[]): Plan {
    const { fields, titleMatch, titlePhrase } = this.ranking;
    const lists: ScoredList[] = [];
    const titles: TitleList[] = [];
    const total = this.mini.documentCount;
    const textField = this.mini.fieldIds.text as number;
    const titleField = this.mini.fieldIds.title as number;
    const textIdf = (term: string) => idf(this.mini.postings(term, textField)?.size ?? 0, total);
    let reference = 0;
    const termWeights: Record<string, number> = {};
    terms.forEach((term, t) => {
      termWeights[term] = textIdf(term);
      reference += (fields.text.weight || 1) * textIdf(term);
      FIELDS.forEach((field, f) => {
        const { weight, k1, b } = fields[field];
        if (weight === 0) return;
        const postings = this.mini.postings(term, this.mini.fieldIds[field] as number);
        if (!postings || postings.size === 0) return;
        if (
          field === 'authors' &&
          this.ranking.authorsOnlyForNames &&
          this.mini.postings(term, textField)?.size
        )
          return;
        const average = Math.max(this.lengthSums[f] as number, 1) / Math.max(total, 1);
        lists.push({
          term: t,
          field: f,
          postings,
          scale: weight * idf(postings.size, total) * (k1 + 1),
          base: k1 * (1 - b),
          perLength: (k1 * b) / average,
        });
      });
      const inTitles = this.mini.postings(term, titleField);
      if ((titleMatch.weight > 0 || titlePhrase.weight > 0) && inTitles && inTitles.size > 0)
        titles.push({ postings: inTitles, mass: textIdf(term) });
    });
    // Each query term's index, by term id, for reading titles (a term no paper has is in none).
    const marks = this.reserveMarks(this.table.vocabularySize);
    const mark = ++this.markEpoch;
    terms.forEach((term, t) => {
      const id = this.table.termId(term);
      if (id === undefined) return;
      marks.epochs[id] = mark;
      marks.terms[id] = t;
    });
    const pairIndex = new Int16Array(terms.length * terms.length).fill(-1);
    const pairMasses: number[] = [];
    // At most 30 pairs: they are told apart by the bits of one number per title.
    const pairs = titlePhrase.weight > 0 || this.ranking.textPhrase.weight > 0;
    const masks: number[] = [];
    for (let i = 0; pairs && i + 1 < sequence.length && pairMasses.length < 30; i++) {
      const [first, second] = [sequence[i] as string, sequence[i + 1] as string];
      const at = terms.indexOf(first) * terms.length + terms.indexOf(second);
      if (first === second || (pairIndex[at] as number) >= 0) continue;
      pairIndex[at] = pairMasses.length;
      pairMasses.push((textIdf(first) + textIdf(second)) / 2);
      masks.push(termBit(terms.indexOf(first)) | termBit(terms.indexOf(second)));
    }
    const pairTotal = pairMasses.reduce((sum, mass) => sum + mass, 0);
    return {
      lists,
      titles,
      reference,
      termWeights,
      pairIndex,
      pairMasses,
      pairTotal,
      pairMasks: Int32Array.from(masks),
      mark,
    };
  }

  /**
   * Scores every document of the lists, term at a time. Returns how many documents are in
   * `touched`, and how many of them, in `titled`, have query terms in their title.
   */
  private scoreLists(plan: Plan): [number, number] {
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
   * arithmetic of {@link DocumentIndex.scoreLists} in the same order; returns the same counts.
   */
  private scoreEach(documents: Int32Array, plan: Plan): [number, number] {
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
  private addTitleMatch(count: number, plan: Plan): void {
    const { titleMatch } = this.ranking;
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
  private textPhraseBound(bits: number, plan: Plan): number {
    const { weight, power } = this.ranking.textPhrase;
    // Without the text field, matched terms do not tell what the abstract has.
    if (this.ranking.fields.text.weight === 0) return weight * plan.reference;
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
  private phrases(n: number, plan: Plan): [number, number] {
    const { pairIndex, pairMasses, mark, pairTotal, reference } = plan;
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
    const { titlePhrase, textPhrase } = this.ranking;
    return [
      titleMass > 0 ? titlePhrase.weight * reference * powerOf(titleMass / pairTotal, titlePhrase.power) : 0,
      textMass > 0 ? textPhrase.weight * reference * powerOf(textMass / pairTotal, textPhrase.power) : 0,
    ];
  }

  /** The query terms whose lists have the document. */
  private matchedTerms(n: number, lists: readonly ScoredList[], terms: string[]): string[] {
    const found = new Set<number>();
    for (const list of lists) if (!found.has(list.term) && list.postings.has(n)) found.add(list.term);
    return terms.filter((_, t) => found.has(t));
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

  /**
   * The filters of a request (exclusions and phrases included) as one test on a document number;
   * undefined when nothing is filtered, so that the common search tests nothing per document.
   */
  private filter(request: SearchRequest, phrases: number[][]): ((n: number) => boolean) | undefined {
    const { query } = request;
    const excluded = this.numbersMatchingAny(unique(termsOf(query.excluded.join(' '))));
    for (const id of request.excludeIds ?? []) {
      const n = this.mini.documentNumber(id);
      if (n !== undefined) excluded.add(n);
    }
    const after = query.after === undefined ? undefined : dayNumber(query.after);
    const before = query.before === undefined ? undefined : dayNumber(query.before);
    const arrivedAfter = request.arrivedAfter === undefined ? undefined : Date.parse(request.arrivedAfter);
    const authors = query.authors.map(foldName);
    if (
      excluded.size === 0 &&
      !query.hasCode &&
      arrivedAfter === undefined &&
      after === undefined &&
      before === undefined &&
      authors.length === 0 &&
      phrases.length === 0
    )
      return undefined;
    const { arrivals, publishedDays, hasCode } = this.table;
    return (n) => {
      if (excluded.has(n)) return false;
      if (query.hasCode && hasCode[n] !== 1) return false;
      if (arrivedAfter !== undefined && !((arrivals[n] as number) > arrivedAfter)) return false;
      if (after !== undefined || before !== undefined) {
        // Date filters keep only papers whose date is known to be in range.
        const day = publishedDays[n] as number;
        if (day === UNKNOWN_DAY) return false;
        if (after !== undefined && day < after) return false;
        if (before !== undefined && day >= before) return false;
      }
      if (authors.length > 0) {
        const names = this.table.authors(n).split('\n');
        if (!authors.every((wanted) => names.some((name) => name.includes(wanted)))) return false;
      }
      return phrases.every((phrase) => this.containsPhrase(n, phrase));
    };
  }

  /** The documents having any of the terms, in any field. */
  private numbersMatchingAny(terms: string[]): Set<number> {
    const found = new Set<number>();
    for (const term of terms) {
      for (const field of FIELDS) {
        const postings = this.mini.postings(term, this.mini.fieldIds[field] as number);
        if (!postings) continue;
        for (let i = postings.start; i < postings.start + postings.size; i++)
          found.add(postings.documents[i] as number);
      }
    }
    return found;
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

  /** Whether the phrase's terms appear consecutively in the document's title or abstract. */
  private containsPhrase(n: number, phrase: readonly number[]): boolean {
    const sequence = this.table.sequence(n);
    let start = 0;
    for (const segment of [0, 1]) {
      const end = start + this.table.segmentLength(n, segment);
      for (let at = start; at + phrase.length <= end; at++) {
        let i = 0;
        while (i < phrase.length && sequence[at + i] === phrase[i]) i++;
        if (i === phrase.length) return true;
      }
      start = end;
    }
    return false;
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

/**
 * minisearch's state for the documents of a table built at once ({@link DocumentTable.build}),
 * numbered as there: the terms of each document field counted from its term sequence, every list's
 * size found in a first pass, its postings written in place in a second, in document order.
 */
function layOutPostings(table: DocumentTable, ids: readonly string[]): SavedMiniSearch {
  const vocabulary = table.vocabularySize;
  const fields = FIELDS.length;
  const sizes = new Int32Array(vocabulary * fields);
  const stamps = new Int32Array(vocabulary).fill(-1);
  const counts = new Int32Array(vocabulary);
  const fieldLengths = new Int32Array(ids.length * fields);
  const lengthSums = new Float64Array(fields);
  const ranges = fieldRanges(table);
  for (let n = 0; n < ids.length; n++) {
    const [sequence, start] = table.sequenceAt(n);
    for (let f = 0; f < fields; f++) {
      const [from, to] = ranges(n, f, start);
      const mark = n * fields + f;
      let unique = 0;
      for (let i = from; i < to; i++) {
        const id = sequence[i] as number;
        if (stamps[id] === mark) continue;
        stamps[id] = mark;
        sizes[id * fields + f] = (sizes[id * fields + f] as number) + 1;
        unique++;
      }
      // As minisearch counts it: the distinct terms of the field, and an empty field's one blank.
      fieldLengths[mark] = Math.max(unique, 1);
      lengthSums[f] = (lengthSums[f] as number) + Math.max(unique, 1);
    }
  }
  const fieldCounts = new Uint8Array(vocabulary);
  let lists = 0;
  let postings = 0;
  for (let key = 0; key < sizes.length; key++) {
    if (sizes[key] === 0) continue;
    lists++;
    postings += sizes[key] as number;
    const term = Math.floor(key / fields);
    fieldCounts[term] = (fieldCounts[term] as number) + 1;
  }
  const fieldIds = new Uint8Array(lists);
  const postingCounts = new Int32Array(lists);
  const cursors = new Int32Array(sizes.length);
  let list = 0;
  let at = 0;
  for (let key = 0; key < sizes.length; key++) {
    const size = sizes[key] as number;
    if (size === 0) continue;
    fieldIds[list] = key % fields;
    postingCounts[list++] = size;
    cursors[key] = at;
    at += size;
  }
  const documents = new Int32Array(postings);
  const frequencies = new Int32Array(postings);
  const touched = new Int32Array(vocabulary);
  for (let n = 0; n < ids.length; n++) {
    const [sequence, start] = table.sequenceAt(n);
    for (let f = 0; f < fields; f++) {
      const [from, to] = ranges(n, f, start);
      let distinct = 0;
      for (let i = from; i < to; i++) {
        const id = sequence[i] as number;
        if (counts[id] === 0) touched[distinct++] = id;
        counts[id] = (counts[id] as number) + 1;
      }
      for (let i = 0; i < distinct; i++) {
        const id = touched[i] as number;
        const key = id * fields + f;
        const cursor = cursors[key] as number;
        documents[cursor] = n;
        frequencies[cursor] = counts[id] as number;
        cursors[key] = cursor + 1;
        counts[id] = 0;
      }
    }
  }
  return {
    fieldCounts,
    fieldIds,
    postingCounts,
    documents,
    frequencies,
    fieldIdsByName: Object.fromEntries(FIELDS.map((field, f) => [field, f])),
    documentIds: ids,
    fieldLengths,
    averageFieldLength: Array.from(lengthSums, (sum) => sum / Math.max(ids.length, 1)),
  };
}

/**
 * Where field `f` of document `n` is in its term sequence (which starts at `start`): each field is
 * a run of consecutive segments (see FIELD_SEGMENTS).
 */
function fieldRanges(table: DocumentTable): (n: number, f: number, start: number) => [number, number] {
  const firsts = FIELDS.map((field) => FIELD_SEGMENTS[field][0] as number);
  const lasts = FIELDS.map((field) => FIELD_SEGMENTS[field].at(-1) as number);
  return (n, f, start) => {
    let from = start;
    for (let s = 0; s < (firsts[f] as number); s++) from += table.segmentLength(n, s);
    let to = from;
    for (let s = firsts[f] as number; s <= (lasts[f] as number); s++) to += table.segmentLength(n, s);
    return [from, to];
  };
}

/** The document minisearch indexes: each field's terms, made from the document's segments. */
function termDocument(id: string, segments: Record<(typeof SEGMENTS)[number], string[]>): TermDocument {
  const fields: Record<string, string> = {};
  for (const field of FIELDS) {
    fields[field] = FIELD_SEGMENTS[field]
      .flatMap((segment) => segments[SEGMENTS[segment] as (typeof SEGMENTS)[number]])
      .join(' ');
  }
  return { id, fields };
}

/** A query term's bit in a document's matched terms: its own for the first 31, one shared beyond. */
function termBit(term: number): number {
  return term < 31 ? 1 << term : 1 << 31;
}

/** What reading the lists in full costs: their postings. */
function postingCost(lists: readonly ScoredList[]): number {
  return lists.reduce((sum, list) => sum + list.postings.size, 0);
}

/** What scoring one document costs: a binary search in each list. */
function searchCost(lists: readonly ScoredList[]): number {
  return lists.reduce((sum, list) => sum + Math.log2(list.postings.size + 1) + 1, 0);
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}
