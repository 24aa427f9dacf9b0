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
import { FIELDS, type Field, idf, RANKING, type Ranking } from './ranking.js';
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
  excludeIds?: Iterable<string>;
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
}

/** What a snapshot keeps of a {@link DocumentIndex}. */
export interface SavedDocumentIndex {
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

/** A query term's title list, for the title-match bonus: `mass` is the term's idf in the text field. */
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
   * the relevance floor and the title bonus. A term no paper has counts at its full weight, so a
   * query about a topic the corpus lacks finds no strong match.
   */
  reference: number;
  termCount: number;
  /** The query's consecutive term pairs (by {@link pairKey}) → their index in `pairMasses`. */
  pairs: Map<number, number>;
  /** Each pair's mass: the mean idf of its two terms. */
  pairMasses: number[];
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
  private lastTerm = new Int32Array(0);
  private matched = new Int32Array(0);
  private titleMass = new Float64Array(0);
  private titleCount = new Int32Array(0);
  private touched = new Int32Array(0);
  private epoch = 0;
  private lengthSums = new Float64Array(FIELDS.length);
  private arrivalOrder: Int32Array | undefined;

  private constructor(
    private readonly mini: MiniSearchIndex,
    private readonly table: DocumentTable,
    private ranking: Ranking,
  ) {
    for (let n = 0; n < mini.documentNumbers; n++) if (table.isLive(n)) this.countLengths(n, 1);
  }

  /** Indexes the documents from scratch (a later one with the same id replaces an earlier). */
  static build(documents: Iterable<SearchDocument>, ranking: Ranking = RANKING): DocumentIndex {
    const index = new DocumentIndex(new MiniSearchIndex(FIELDS), new DocumentTable(), ranking);
    index.add(documents);
    index.mini.pack();
    return index;
  }

  /** An index from {@link DocumentIndex.save} output. */
  static restore(saved: SavedDocumentIndex, ranking: Ranking = RANKING): DocumentIndex {
    const mini = MiniSearchIndex.restore(saved.mini, FIELDS);
    const table = DocumentTable.restore(saved.table);
    if (saved.table.live.length !== mini.documentNumbers) throw new Error("the snapshot's tables disagree");
    return new DocumentIndex(mini, table, ranking);
  }

  /** The index's state for a snapshot (copied: it stays valid when the index changes). */
  save(): SavedDocumentIndex {
    return { mini: this.mini.save(), table: this.table.save(this.mini.documentNumbers) };
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

  /** Adds documents, replacing any with the same id. */
  add(documents: Iterable<SearchDocument>): void {
    for (const document of documents) {
      const existing = this.mini.documentNumber(document.id);
      if (existing !== undefined) this.remove(document.id, existing);
      const number = this.mini.documentNumbers;
      const segments = this.table.put(number, document);
      this.mini.add(termDocument(document.id, segments));
      this.countLengths(number, 1);
    }
    this.arrivalOrder = undefined;
  }

  /** Finds documents for a query, best first (see {@link SearchRequest}). */
  search(request: SearchRequest): DocumentResults {
    const { query, limit = 5, offset = 0 } = request;
    const wanted = offset + limit;
    const terms = unique(termsOf([...query.words, ...query.phrases].join(' ')));
    if (terms.length === 0 && !hasFilters(query)) return { hits: [], total: 0, strong: 0 };
    const keep = this.filter(request);
    if (terms.length === 0) return this.newest(keep, offset, limit);

    const phrases = query.phrases.map(termsOf).filter((phrase) => phrase.length > 1);
    const phraseIds = phrases.map((phrase) => phrase.map((term) => this.table.termId(term) ?? -1));
    if (phraseIds.some((phrase) => phrase.includes(-1))) return { hits: [], total: 0, strong: 0 };
    const kept =
      phraseIds.length === 0
        ? keep
        : (n: number) => keep(n) && phraseIds.every((phrase) => this.containsPhrase(n, phrase));

    const sequence = termsOf([...query.words, ...query.phrases].join(' '));
    let plan = this.plan(terms, sequence);
    const floor = this.ranking.floor * terms.length ** -this.ranking.floorDecay * plan.reference;
    const recent = request.arrivedAfter === undefined ? undefined : this.arrivedAfter(request.arrivedAfter);
    const byDocument =
      recent !== undefined &&
      request.scoring !== 'lists' &&
      (request.scoring === 'documents' || recent.length * searchCost(plan.lists) < postingCost(plan.lists));
    let candidates = byDocument ? this.scoreEach(recent, plan) : this.scoreLists(plan);
    this.finish(candidates, plan);
    const { feedback } = this.ranking;
    if (feedback.documents > 0 && feedback.terms > 0) {
      const expanded = this.expand(terms, this.best(candidates, kept, feedback.documents));
      plan = this.plan(expanded.terms, sequence, expanded.weights, terms.length);
      candidates = byDocument ? this.scoreEach(recent as Int32Array, plan) : this.scoreLists(plan);
      this.finish(candidates, plan);
    }

    const top: number[] = [];
    let total = 0;
    let strong = 0;
    for (let i = 0; i < candidates; i++) {
      const n = this.touched[i] as number;
      if (!kept(n)) continue;
      total++;
      const score = this.scores[n] as number;
      if (score >= floor) strong++;
      if (top.length === wanted && !this.better(n, top[wanted - 1] as number)) continue;
      top.splice(this.rankPosition(top, n), 0, n);
      if (top.length > wanted) top.pop();
    }
    const hits = top.slice(offset).map((n) => ({
      id: this.mini.documentId(n) as string,
      score: this.scores[n] as number,
      matchedTerms: this.matchedTerms(n, plan.lists, terms),
    }));
    return { hits, total, strong };
  }

  /**
   * How a query is scored: every query term's posting lists in the weighted fields, with their BM25
   * figures (an author list joins only for a term no paper has in its text, when
   * {@link Ranking.authorsOnlyForNames}); the terms' title lists, for the title-match bonus; and
   * the query's reference score.
   */
  private plan(terms: string[], sequence: string[], weights?: number[], original = terms.length): Plan {
    const lists: ScoredList[] = [];
    const titles: TitleList[] = [];
    const total = this.mini.documentCount;
    const textField = this.mini.fieldIds.text as number;
    const titleField = this.mini.fieldIds.title as number;
    let reference = 0;
    terms.forEach((term, t) => {
      const textIdf = idf(this.mini.postings(term, textField)?.size ?? 0, total) ** this.ranking.idfPower;
      if (t < original) reference += (this.ranking.fields.text.weight || 1) * textIdf;
      FIELDS.forEach((field, f) => {
        const { weight, k1, b } = this.ranking.fields[field];
        if (weight === 0) return;
        const fieldId = this.mini.fieldIds[field] as number;
        const postings = this.mini.postings(term, fieldId);
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
          scale: (weights?.[t] ?? 1) * weight * idf(postings.size, total) ** this.ranking.idfPower * (k1 + 1),
          base: k1 * (1 - b),
          perLength: (k1 * b) / average,
        });
      });
      const inTitles = this.mini.postings(term, titleField);
      const bonuses = this.ranking.titleMatch.weight > 0 || this.ranking.titlePhrase.weight > 0;
      if (bonuses && t < original && inTitles && inTitles.size > 0)
        titles.push({ postings: inTitles, mass: textIdf });
    });
    // The query's consecutive term pairs, for the title-phrase bonus.
    const pairs = new Map<number, number>();
    const pairMasses: number[] = [];
    if (this.ranking.titlePhrase.weight > 0 || this.ranking.textPhrase.weight > 0) {
      for (let i = 0; i + 1 < sequence.length && pairMasses.length < 30; i++) {
        const a = this.table.termId(sequence[i] as string);
        const b = this.table.termId(sequence[i + 1] as string);
        if (a === undefined || b === undefined || a === b || pairs.has(pairKey(a, b))) continue;
        const mass =
          (idf(this.mini.postings(sequence[i] as string, textField)?.size ?? 0, total) **
            this.ranking.idfPower +
            idf(this.mini.postings(sequence[i + 1] as string, textField)?.size ?? 0, total) **
              this.ranking.idfPower) /
          2;
        pairs.set(pairKey(a, b), pairMasses.length);
        pairMasses.push(mass);
      }
    }
    return { lists, titles, reference, termCount: original, pairs, pairMasses };
  }

  /** Scores every document of the lists, term at a time; returns how many are in `touched`. */
  private scoreLists(plan: Plan): number {
    this.reserve();
    const epoch = ++this.epoch;
    const { scores, stamps, lastTerm, matched, touched, titleMass, titleCount } = this;
    const lengths = this.table.segmentLengthArray;
    let count = 0;
    for (const list of plan.lists) {
      const { postings, scale, base, perLength, term } = list;
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
          lastTerm[n] = term;
          matched[n] = 1;
          titleMass[n] = 0;
          titleCount[n] = 0;
          touched[count++] = n;
        } else {
          scores[n] = (scores[n] as number) + score;
          if (lastTerm[n] !== term) {
            lastTerm[n] = term;
            matched[n] = (matched[n] as number) + 1;
          }
        }
      }
    }
    for (const { postings, mass } of plan.titles) {
      const { documents } = postings;
      const end = postings.start + postings.size;
      for (let i = postings.start; i < end; i++) {
        const n = documents[i] as number;
        if (stamps[n] !== epoch) continue;
        titleMass[n] = (titleMass[n] as number) + mass;
        titleCount[n] = (titleCount[n] as number) + 1;
      }
    }
    return count;
  }

  /**
   * Scores the given documents one at a time from the same lists (binary search in each), with the
   * arithmetic of {@link DocumentIndex.scoreLists} in the same order; returns how many matched.
   */
  private scoreEach(documents: Int32Array, plan: Plan): number {
    this.reserve();
    const epoch = ++this.epoch;
    const { scores, stamps, lastTerm, matched, touched, titleMass, titleCount } = this;
    const lengths = this.table.segmentLengthArray;
    let count = 0;
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
          lastTerm[n] = list.term;
          matched[n] = 1;
          titleMass[n] = 0;
          titleCount[n] = 0;
          touched[count++] = n;
        } else {
          scores[n] = (scores[n] as number) + score;
          if (lastTerm[n] !== list.term) {
            lastTerm[n] = list.term;
            matched[n] = (matched[n] as number) + 1;
          }
        }
      }
      if (stamps[n] !== epoch) continue;
      for (const { postings, mass } of plan.titles)
        if (postings.has(n)) {
          titleMass[n] = (titleMass[n] as number) + mass;
          titleCount[n] = (titleCount[n] as number) + 1;
        }
    }
    return count;
  }

  /**
   * The final scores of the `count` touched documents: the BM25 sum, times the coordination factor,
   * plus the title-match bonus ({@link Ranking.titleMatch}).
   */
  private finish(count: number, plan: Plan): void {
    const { coordination, titleMatch, titlePhrase } = this.ranking;
    const phraseBonus = plan.pairMasses.length > 0 ? titlePhrase.weight * plan.reference : 0;
    const textBonus = plan.pairMasses.length > 0 ? this.ranking.textPhrase.weight * plan.reference : 0;
    if (coordination === 0 && titleMatch.weight === 0 && phraseBonus === 0 && textBonus === 0) return;
    const { scores, matched, titleMass, titleCount, touched } = this;
    const bonus = titleMatch.weight * plan.reference;
    const pairTotal = plan.pairMasses.reduce((sum, mass) => sum + mass, 0);
    for (let i = 0; i < count; i++) {
      const n = touched[i] as number;
      let score = scores[n] as number;
      if (coordination !== 0) score *= ((matched[n] as number) / plan.termCount) ** coordination;
      if (bonus > 0) score += bonus * ((titleMass[n] as number) / plan.reference) ** titleMatch.power;
      if (phraseBonus > 0 && (titleCount[n] as number) >= 2) {
        const mass = this.titlePairMass(n, plan);
        if (mass > 0) score += phraseBonus * (mass / pairTotal) ** titlePhrase.power;
      }
      if (textBonus > 0 && (matched[n] as number) >= 2) {
        const mass = this.pairMass(n, plan, this.table.segmentLength(n, 0) + this.table.segmentLength(n, 1));
        if (mass > 0) score += textBonus * (mass / pairTotal) ** this.ranking.textPhrase.power;
      }
      scores[n] = score;
    }
  }

  /** The best `count` kept documents of the last scoring, best first. */
  private best(candidates: number, kept: (n: number) => boolean, count: number): number[] {
    const top: number[] = [];
    for (let i = 0; i < candidates; i++) {
      const n = this.touched[i] as number;
      if (!kept(n)) continue;
      if (top.length === count && !this.better(n, top[count - 1] as number)) continue;
      top.splice(this.rankPosition(top, n), 0, n);
      if (top.length > count) top.pop();
    }
    return top;
  }

  /**
   * Pseudo-relevance feedback (RM3): the query's terms and the terms most likely in its best
   * documents' text, each document counting by its score; the original terms keep
   * {@link Ranking.feedback}`.weight` of the query's weight.
   */
  private expand(terms: string[], documents: number[]): { terms: string[]; weights: number[] } {
    const { feedback } = this.ranking;
    const total = documents.reduce((sum, n) => sum + (this.scores[n] as number), 0) || 1;
    const model = new Map<number, number>();
    for (const n of documents) {
      const sequence = this.table.sequence(n);
      const length = this.table.segmentLength(n, 0) + this.table.segmentLength(n, 1);
      const share = (this.scores[n] as number) / total / Math.max(length, 1);
      for (let i = 0; i < length; i++)
        model.set(sequence[i] as number, (model.get(sequence[i] as number) ?? 0) + share);
    }
    const chosen = [...model].sort((a, b) => b[1] - a[1]).slice(0, feedback.terms);
    const sum = chosen.reduce((s, [, p]) => s + p, 0) || 1;
    const weights = new Map<string, number>();
    for (const term of terms) weights.set(term, feedback.weight);
    for (const [id, p] of chosen) {
      const term = this.table.term(id);
      weights.set(term, (weights.get(term) ?? 0) + (1 - feedback.weight) * (p / sum) * terms.length);
    }
    const ordered = [...terms, ...[...weights.keys()].filter((term) => !terms.includes(term))];
    return { terms: ordered, weights: ordered.map((term) => weights.get(term) as number) };
  }

  /** The mass of the query's term pairs that the document's title has, each next to each other. */
  private titlePairMass(n: number, plan: Plan): number {
    return this.pairMass(n, plan, this.table.segmentLength(n, 0));
  }

  /** The mass of the query's term pairs next to each other in the first `length` terms of the document. */
  private pairMass(n: number, plan: Plan, length: number): number {
    const sequence = this.table.sequence(n);
    let found = 0;
    let mass = 0;
    for (let i = 0; i + 1 < length; i++) {
      const pair = plan.pairs.get(pairKey(sequence[i] as number, sequence[i + 1] as number));
      if (pair === undefined || found & (1 << pair)) continue;
      found |= 1 << pair;
      mass += plan.pairMasses[pair] as number;
    }
    return mass;
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

  /** The filters of a request as one test on a document number (exclusions included). */
  private filter(request: SearchRequest): (n: number) => boolean {
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
      return true;
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

  /** Scratch arrays for every document number. */
  private reserve(): void {
    const needed = this.mini.documentNumbers;
    if (this.scores.length >= needed) return;
    const size = Math.ceil(needed * 1.25) + 16;
    this.scores = new Float64Array(size);
    this.stamps = new Int32Array(size);
    this.lastTerm = new Int32Array(size);
    this.matched = new Int32Array(size);
    this.titleMass = new Float64Array(size);
    this.titleCount = new Int32Array(size);
    this.touched = new Int32Array(size);
    this.epoch = 0;
  }
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

/** One number for an ordered pair of term ids. */
function pairKey(a: number, b: number): number {
  return a * 4_294_967_296 + b;
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
