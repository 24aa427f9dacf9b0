import type { Options } from 'minisearch';
import type { Paper } from '../papers/paper.js';
import { MiniSearchIndex, type SavedIndex } from './miniSearchIndex.js';
import { hasFilters, type PaperQuery } from './query.js';
import { BM25, type BoundedField, type TermField, TermScores } from './termScores.js';
import { processTerm, termsOf, tokenize } from './text.js';

/** One paper found by a search, with why it was found. */
export interface SearchHit {
  paper: Paper;
  /** BM25 score (higher is better); 0 for filter-only queries, which are ordered newest first. */
  score: number;
  /** The index terms (stemmed) of the query that this paper matched. */
  matchedTerms: string[];
}

/** A page of hits and how many papers matched in all. */
export interface SearchResults {
  hits: SearchHit[];
  total: number;
}

/** Paging and exclusions for {@link PaperIndex.search}. */
export interface SearchOptions {
  /** How many hits to return (default 5). */
  limit?: number;
  /** How many of the best hits to skip (default 0). */
  offset?: number;
}

/** How an index searches. */
export interface IndexOptions {
  /**
   * A term's postings in one field longer than this are completed rather than searched (see
   * {@link PaperIndex.search}); `Infinity` searches every list in full. Default 2,000.
   */
  longPostings?: number;
}

/**
 * The identity of the index layout: fields, boosts and term processing. A snapshot written under
 * another format is rebuilt, so bump this whenever any of those change.
 */
export const INDEX_FORMAT = 'paperbot-index/3';

/**
 * Fields weigh the same: boosting the title (x1.5, x2) lowered nDCG@10 on SciFact train
 * (0.674 → 0.667 → 0.652); BM25's length normalisation already favours short title matches.
 */
const FIELD_BOOST = { title: 1, abstract: 1, authors: 1 };

// The query is turned into index terms once (parseQuery + termsOf); minisearch must not process
// them again, because Porter stemming is not idempotent ("generalization" → "gener" → "gener"
// happens to be stable, but not every stem is).
const PROCESSED = { tokenize: (text: string) => text.split(' '), processTerm: (term: string) => term };

function miniSearchOptions(): Options<Paper> {
  return {
    idField: 'id',
    fields: ['title', 'abstract', 'authors'],
    storeFields: [],
    tokenize: (text) => tokenize(text),
    processTerm: (term) => processTerm(term),
    extractField: (paper, field) =>
      field === 'authors' ? paper.authors.join(' ') : String(paper[field as keyof Paper] ?? ''),
  };
}

/**
 * Full-text search over papers: BM25 over title, abstract and authors (minisearch), plus the
 * filters and phrase checks of {@link PaperQuery}. Papers themselves live in a map beside the
 * index, so the index stores no document fields.
 */
export class PaperIndex {
  /** arXiv id → paper id, for papers whose id is not their arXiv id (a seed paper merged with its arXiv record). */
  private readonly idByArxiv = new Map<string, string>();
  private readonly termScores: TermScores;

  private constructor(
    private readonly mini: MiniSearchIndex<Paper>,
    private readonly papers: Map<string, Paper>,
    private readonly longPostings: number,
  ) {
    this.termScores = new TermScores(mini);
    for (const paper of papers.values()) if (paper.arxivId) this.idByArxiv.set(paper.arxivId, paper.id);
  }

  /** Indexes the given papers from scratch. */
  static build(papers: Iterable<Paper>, options: IndexOptions = {}): PaperIndex {
    const mini = new MiniSearchIndex<Paper>(miniSearchOptions());
    const byId = new Map<string, Paper>();
    for (const paper of papers) byId.set(paper.id, paper);
    mini.addAll([...byId.values()]);
    return new PaperIndex(mini, byId, options.longPostings ?? LONG_POSTINGS);
  }

  /**
   * Restores an index from {@link PaperIndex.save} output and the same papers it was built from.
   * Throws when the saved index does not hold exactly those papers.
   */
  static restore(saved: SavedIndex, papers: Iterable<Paper>, options: IndexOptions = {}): PaperIndex {
    const mini = MiniSearchIndex.restore<Paper>(saved, miniSearchOptions());
    const byId = new Map<string, Paper>();
    for (const paper of papers) byId.set(paper.id, paper);
    if (mini.documentCount !== byId.size) {
      throw new Error(`snapshot holds ${mini.documentCount} papers, the corpus ${byId.size}`);
    }
    for (const id of byId.keys()) {
      if (!mini.has(id)) throw new Error(`snapshot lacks the corpus paper ${id}`);
    }
    return new PaperIndex(mini, byId, options.longPostings ?? LONG_POSTINGS);
  }

  /** The index's state for a snapshot (by reference: serialise it before the index changes). */
  save(): SavedIndex {
    return this.mini.save();
  }

  /** Number of papers indexed. */
  get size(): number {
    return this.papers.size;
  }

  /**
   * Adds papers to the live index, replacing any with the same id, without rebuilding the rest.
   */
  add(papers: Iterable<Paper>): void {
    this.termScores.forgetBounds();
    for (const paper of papers) {
      if (this.papers.has(paper.id)) this.mini.replace(paper);
      else this.mini.add(paper);
      this.papers.set(paper.id, paper);
      if (paper.arxivId) this.idByArxiv.set(paper.arxivId, paper.id);
    }
  }

  /** Papers that arrived in the corpus strictly after `instant` (ISO timestamp). */
  arrivedAfter(instant: string): Paper[] {
    const recent: Paper[] = [];
    for (const paper of this.papers.values()) if (paper.arrivedAt > instant) recent.push(paper);
    return recent;
  }

  /** The paper with this arXiv id (its id, or a merged paper that learnt it), if indexed. */
  getByArxivId(arxivId: string): Paper | undefined {
    return this.papers.get(this.idByArxiv.get(arxivId) ?? arxivId);
  }

  /** The `count` papers that arrived last, newest first. */
  newest(count: number): Paper[] {
    // One pass keeping a short sorted list: the Home tab asks on every open, over the whole corpus.
    const newest: Paper[] = [];
    for (const paper of this.papers.values()) {
      if (newest.length === count && paper.arrivedAt <= (newest[count - 1] as Paper).arrivedAt) continue;
      const at = newest.findIndex((other) => paper.arrivedAt > other.arrivedAt);
      newest.splice(at === -1 ? newest.length : at, 0, paper);
      if (newest.length > count) newest.pop();
    }
    return newest;
  }

  /** The paper with this id, if indexed. */
  get(id: string): Paper | undefined {
    return this.papers.get(id);
  }

  /**
   * Finds papers for a parsed query, best first: BM25 over the fields, times the square root of the
   * number of query terms matched, so that papers matching more of the query rank higher.
   * A query with filters but no words lists the matching papers newest first.
   *
   * `total` counts the papers that match the query's distinctive terms (those searched in full,
   * see {@link PaperIndex.rankTop}); when every term is searched in full, every matching paper.
   */
  search(query: PaperQuery, options: SearchOptions = {}): SearchResults {
    const { limit = 5, offset = 0 } = options;
    const terms = unique(termsOf([...query.words, ...query.phrases].join(' ')));
    const excludedIds = this.idsMatchingAny(unique(termsOf(query.excluded.join(' '))));
    const keep = (paper: Paper) => !excludedIds.has(paper.id) && passesFilters(paper, query);

    if (terms.length === 0 && !hasFilters(query)) return { hits: [], total: 0 }; // only stop words or exclusions
    if (terms.length === 0) {
      const ranked = [...this.papers.values()].filter(keep).sort(newestFirst);
      return {
        hits: ranked.slice(offset, offset + limit).map((paper) => ({ paper, score: 0, matchedTerms: [] })),
        total: ranked.length,
      };
    }
    const phrases = query.phrases.map(termsOf).filter((phrase) => phrase.length > 1);
    if (phrases.length > 0) {
      // Phrase checks read each paper's text, so they run once over every match, not per pruning round.
      // A phrase's terms must all match before its paper's text is read for their order.
      const phraseTerms = unique(phrases.flat());
      const ranked = this.rankAll(
        terms,
        (paper, matched) =>
          phraseTerms.every((term) => matched.includes(term)) &&
          keep(paper) &&
          phrases.every((phrase) => containsPhrase(paper, phrase)),
      );
      return { hits: ranked.slice(offset, offset + limit), total: ranked.length };
    }
    const { hits, total } = this.rankTop(terms, keep, offset + limit);
    return { hits: hits.slice(offset, offset + limit), total };
  }

  /** Every paper matching any of the terms and kept by `keep`, best first (minisearch scores them all). */
  private rankAll(terms: string[], keep: (paper: Paper, matchedTerms: string[]) => boolean): SearchHit[] {
    const ranked: SearchHit[] = [];
    for (const result of this.mini.search(terms.join(' '), SEARCH)) {
      const paper = this.papers.get(String(result.id));
      if (!paper || !keep(paper, result.terms)) continue;
      ranked.push({
        paper,
        score: finalScore(result.score / result.terms.length, result.terms.length),
        matchedTerms: result.terms,
      });
    }
    return ranked.sort(bestFirst);
  }

  /**
   * The best `count` papers for the terms, exactly as {@link PaperIndex.rankAll} would rank them,
   * without walking the long posting lists (MaxScore, Turtle & Flood 1995). A term's postings in one
   * field are searched by minisearch when short; long ones ("model" in abstracts) add little to any
   * score, so their share is added to the candidates from the index directly, best candidate bound
   * first, until neither a remaining candidate nor a paper outside them (which matches only long
   * lists) can still enter the top `count`. When that cannot be shown, the long list with the
   * largest bound is searched too and the round repeats; with none left it is the full search.
   */
  private rankTop(terms: string[], keep: (paper: Paper) => boolean, count: number): SearchResults {
    const lists = terms.flatMap((term) => this.termScores.fieldsOf(term));
    const searched = lists.filter((list) => list.postings <= this.longPostings);
    const completed = lists
      .filter((list) => list.postings > this.longPostings)
      .map((list) => this.termScores.bounded(list))
      .sort((a, b) => a.bound - b.bound);
    while (completed.length > 0) {
      const round = this.completeTop(searched, completed, keep, count);
      if (round.top) return round.top;
      // The scores found are a floor for the final threshold: search the largest-bound lists until
      // the rest could not lift a paper outside the candidates over it (one, if too few were found).
      do searched.push(completed.pop() as TermField);
      while (round.threshold >= 0 && completed.length > 0 && outsideBound(completed) >= round.threshold);
    }
    const ranked = this.rankAll(terms, keep);
    return { hits: ranked.slice(0, count), total: ranked.length };
  }

  /**
   * One MaxScore round: the top `count`, or undefined when the completed lists could still reorder
   * it, with the score a paper must beat to enter it so far.
   */
  private completeTop(
    searched: readonly TermField[],
    completed: readonly BoundedField[],
    keep: (paper: Paper) => boolean,
    count: number,
  ): { top?: SearchResults; threshold: number } {
    const completedTerms = [...groupFields(completed)].map(([term, fields]) => ({
      term,
      score: this.termScores.scorer(term, fields),
    }));
    const completedBound = completed.reduce((sum, list) => sum + list.bound, 0);
    const query = {
      combineWith: 'OR' as const,
      queries: [...groupFields(searched)].map(([term, fields]) => ({ queries: [term], fields })),
    };
    const candidates: { paper: Paper; sum: number; matched: string[]; bound: number }[] = [];
    for (const result of this.mini.search(query, SEARCH)) {
      const paper = this.papers.get(String(result.id));
      if (!paper || !keep(paper)) continue;
      const sum = result.score / result.terms.length;
      const unmatched = completedTerms.filter(({ term }) => !result.terms.includes(term)).length;
      const bound = finalScore(sum + completedBound, result.terms.length + unmatched);
      candidates.push({ paper, sum, matched: result.terms, bound });
    }
    candidates.sort((a, b) => b.bound - a.bound);

    const top: SearchHit[] = [];
    const threshold = () => (top.length < count ? -1 : (top[count - 1] as SearchHit).score);
    for (const candidate of candidates) {
      if (candidate.bound < threshold()) break;
      let { sum } = candidate;
      const matchedTerms = [...candidate.matched];
      const documentNumber = this.termScores.documentNumber(candidate.paper.id) as number;
      for (const { term, score: scoreOf } of completedTerms) {
        const score = scoreOf(documentNumber);
        if (score === 0) continue;
        sum += score;
        if (!matchedTerms.includes(term)) matchedTerms.push(term);
      }
      const hit = { paper: candidate.paper, score: finalScore(sum, matchedTerms.length), matchedTerms };
      if (top.length === count && bestFirst(hit, top[count - 1] as SearchHit) >= 0) continue;
      top.splice(sortedIndex(top, hit), 0, hit);
      if (top.length > count) top.pop();
    }
    if (top.length < count || outsideBound(completed) >= threshold()) return { threshold: threshold() };
    return { top: { hits: top, total: candidates.length }, threshold: threshold() };
  }

  private idsMatchingAny(terms: string[]): Set<string> {
    if (terms.length === 0) return new Set();
    return new Set(this.mini.search(terms.join(' '), PROCESSED).map((result) => String(result.id)));
  }
}

/**
 * The default of {@link IndexOptions.longPostings}: minisearch spends ~1.5 µs a posting, so a
 * searched list costs at most a few milliseconds.
 */
const LONG_POSTINGS = 2_000;

/** The search options of every ranked search: terms already processed, fields equal, our BM25. */
const SEARCH = { ...PROCESSED, boost: FIELD_BOOST, bm25: BM25 };

/**
 * The most a paper in none of the searched lists can score: it matches completed lists only, so at
 * most their bounds together, coordinated over their terms.
 */
function outsideBound(completed: readonly BoundedField[]): number {
  const bound = completed.reduce((sum, list) => sum + list.bound, 0);
  return finalScore(bound, new Set(completed.map((list) => list.term)).size);
}

/** The fields of each term among the lists. */
function groupFields(lists: readonly TermField[]): Map<string, string[]> {
  const fields = new Map<string, string[]>();
  for (const { term, field } of lists) fields.set(term, [...(fields.get(term) ?? []), field]);
  return fields;
}

/**
 * A paper's score from its BM25 sum and the number of query terms it matched. minisearch multiplies
 * the sum by that number; dampened to its square root, nDCG@10 on SciFact rose 0.674 → 0.680
 * (train) and 0.664 → 0.668 (test).
 */
function finalScore(sum: number, matched: number): number {
  return sum * Math.sqrt(matched);
}

/** Higher score first; equal scores by paper id, so that every way of ranking gives one order. */
function bestFirst(a: SearchHit, b: SearchHit): number {
  return b.score - a.score || (a.paper.id < b.paper.id ? -1 : a.paper.id > b.paper.id ? 1 : 0);
}

/** Where `hit` goes in the best-first list `hits`. */
function sortedIndex(hits: SearchHit[], hit: SearchHit): number {
  let low = 0;
  let high = hits.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (bestFirst(hits[middle] as SearchHit, hit) <= 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

function passesFilters(paper: Paper, query: PaperQuery): boolean {
  if (query.hasCode && paper.links.code.length === 0) return false;
  if (query.after !== undefined || query.before !== undefined) {
    // Date filters keep only papers whose date is known to be in range.
    if (paper.published === undefined) return false;
    if (query.after !== undefined && paper.published < query.after) return false;
    if (query.before !== undefined && paper.published >= query.before) return false;
  }
  if (query.authors.length > 0) {
    const names = paper.authors.map(foldName);
    if (!query.authors.every((wanted) => names.some((name) => name.includes(foldName(wanted))))) return false;
  }
  return true;
}

function foldName(name: string): string {
  return name.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ').trim();
}

/** True when the phrase's terms appear consecutively in the title or the abstract. */
function containsPhrase(paper: Paper, phrase: string[]): boolean {
  return [paper.title, paper.abstract].some((text) => {
    const terms = termsOf(text);
    for (let start = 0; start + phrase.length <= terms.length; start++) {
      if (phrase.every((term, offset) => terms[start + offset] === term)) return true;
    }
    return false;
  });
}

function newestFirst(a: Paper, b: Paper): number {
  const dayA = a.published ?? '';
  const dayB = b.published ?? '';
  if (dayA !== dayB) return dayA < dayB ? 1 : -1;
  return a.arrivedAt < b.arrivedAt ? 1 : a.arrivedAt > b.arrivedAt ? -1 : 0;
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}
