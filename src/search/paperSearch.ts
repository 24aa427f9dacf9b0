import { PaperbotError } from '../errors.js';
import type { Paper } from '../papers/paper.js';
import type { SearchRequest } from './documentIndex.js';
import type { SearchDocument } from './documentTable.js';
import type { PaperQuery } from './query.js';

/** One paper found by a search, with why it was found. */
export interface SearchHit {
  paper: Paper;
  /** The ranking's score (higher is better); 0 for filter-only queries, which are ordered newest first. */
  score: number;
  /** The index terms (stemmed) of the query that this paper matched. */
  matchedTerms: string[];
}

/** A page of hits, how many papers matched in all, and how many of them are strong matches. */
export interface SearchResults {
  hits: SearchHit[];
  total: number;
  /**
   * How many of the `total` papers clear the relevance floor: the first ones of the ranking, so
   * hit `i` of a page that starts at `offset` is a strong match when `offset + i < strong`.
   */
  strong: number;
  /** The score of the relevance floor (absent for filter-only results). */
  floor?: number;
  /** Each query term's weight in the ranking (its idf), by index term (absent for filter-only results). */
  termWeights?: Record<string, number>;
}

/** Paging, arrival and exclusions for {@link PaperSearch.search}. */
export interface SearchOptions {
  /** How many hits to return (default 5). */
  limit?: number;
  /** How many of the best hits to skip (default 0). */
  offset?: number;
  /** Only papers that arrived in the corpus strictly after this instant (ISO timestamp). */
  arrivedAfter?: string;
  /** Paper ids never to return. */
  excludeIds?: readonly string[];
  /** How to score recent papers (see {@link SearchRequest.scoring}); tests compare both ways. */
  scoring?: SearchRequest['scoring'];
  /**
   * Wait for a busy index rather than be refused with {@link SearchBusy}: for background work
   * (digests), which has no one waiting on it. Answers to people are refused instead, at once.
   */
  patient?: boolean;
}

/** The search is busy (more queued than it can answer within seconds): tell the person to retry. */
export class SearchBusy extends PaperbotError {
  constructor() {
    super('paperbot_busy', 'paperbot is busy: try again in a few seconds.');
    this.name = 'SearchBusy';
  }
}

/**
 * What the bot asks of the corpus and its index: searches and papers, all asynchronous, so that
 * the index may live in a worker thread (the bot's: search/workerSearcher.ts) or in this one (the
 * CLI's and the tests': search/searcher.ts). The Library implements it.
 */
export interface PaperSearch {
  /**
   * Finds papers for a parsed query, best first (see RANKING). A query with filters but no words
   * lists the matching papers newest first. `total` counts every matching paper, `strong` those
   * above the relevance floor. Rejects with {@link SearchBusy} when the index cannot answer soon.
   */
  search(query: PaperQuery, options?: SearchOptions): Promise<SearchResults>;
  /** The paper with this id, if it is in the corpus. */
  get(id: string): Promise<Paper | undefined>;
  /** The paper with this arXiv id (its id, or a merged paper that learnt it), if it is in the corpus. */
  getByArxivId(arxivId: string): Promise<Paper | undefined>;
  /** The `count` papers that arrived last, newest first. */
  newest(count: number): Promise<Paper[]>;
  /** The papers' titles, normalised (the words spelling suggestions are taken from); none when not kept. */
  titles?(): Iterable<string>;
  /** Papers in the corpus. */
  readonly size: number;
}

/** What the index needs of a paper to search it. */
export function searchDocument(paper: Paper): SearchDocument {
  return {
    id: paper.id,
    title: paper.title,
    abstract: paper.abstract,
    authors: paper.authors,
    keywords: paper.aiKeywords ?? [],
    arrivedAt: paper.arrivedAt,
    ...(paper.published ? { published: paper.published } : {}),
    hasCode: paper.links.code.length > 0,
  };
}
