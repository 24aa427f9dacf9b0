import { PaperCollection } from '../papers/merge.js';
import type { Paper } from '../papers/paper.js';
import { DocumentIndex, type SavedDocumentIndex, type SearchRequest } from './documentIndex.js';
import type { SearchDocument } from './documentTable.js';
import type { PaperQuery } from './query.js';
import { RANKING, type Ranking } from './ranking.js';

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
}

/** Paging, arrival and exclusions for {@link PaperIndex.search}. */
export interface SearchOptions {
  /** How many hits to return (default 5). */
  limit?: number;
  /** How many of the best hits to skip (default 0). */
  offset?: number;
  /** Only papers that arrived in the corpus strictly after this instant (ISO timestamp). */
  arrivedAfter?: string;
  /** Paper ids never to return. */
  excludeIds?: Iterable<string>;
  /** How to score recent papers (see {@link SearchRequest.scoring}); tests compare both ways. */
  scoring?: SearchRequest['scoring'];
}

/** How an index ranks. */
export interface IndexOptions {
  /** The ranking (default {@link RANKING}); the eval compares others. */
  ranking?: Ranking;
}

/** The saved state of an index, for a snapshot. */
export type SavedIndex = SavedDocumentIndex;

/**
 * The identity of the index layout: fields, term processing and what the snapshot holds. A
 * snapshot written under another format is rebuilt, so bump this whenever any of those change.
 * (Ranking parameters are applied at search time and need no bump.)
 */
export const INDEX_FORMAT = 'paperbot-index/4';

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

/**
 * Full-text search over papers, with the filters and phrases of {@link PaperQuery}: a
 * {@link DocumentIndex} (which holds no papers, and answers with ids) over the corpus's
 * {@link PaperCollection}, which owns the papers and resolves the ids.
 */
export class PaperIndex {
  private constructor(
    private readonly documents: DocumentIndex,
    private readonly collection: PaperCollection,
  ) {}

  /** Indexes the papers (a collection, whose papers the index then uses) from scratch. */
  static build(papers: Iterable<Paper> | PaperCollection, options: IndexOptions = {}): PaperIndex {
    const collection = papers instanceof PaperCollection ? papers : collectionOf(papers);
    const documents = DocumentIndex.build([...collection.papers()].map(searchDocument), options.ranking);
    return new PaperIndex(documents, collection);
  }

  /**
   * Restores an index from {@link PaperIndex.save} output and the same papers it was built from.
   * Throws when the saved index does not hold exactly those papers.
   */
  static restore(
    saved: SavedIndex,
    papers: Iterable<Paper> | PaperCollection,
    options: IndexOptions = {},
  ): PaperIndex {
    const collection = papers instanceof PaperCollection ? papers : collectionOf(papers);
    const documents = DocumentIndex.restore(saved, options.ranking);
    if (documents.size !== collection.size) {
      throw new Error(`snapshot holds ${documents.size} papers, the corpus ${collection.size}`);
    }
    for (const paper of collection.papers()) {
      if (!documents.has(paper.id)) throw new Error(`snapshot lacks the corpus paper ${paper.id}`);
    }
    return new PaperIndex(documents, collection);
  }

  /** The index's state for a snapshot (a copy: it stays valid when the index changes). */
  save(): SavedIndex {
    return this.documents.save();
  }

  /** Number of papers indexed. */
  get size(): number {
    return this.collection.size;
  }

  /** Ranks with other parameters from now on (the eval compares rankings on one index). */
  rankWith(ranking: Ranking): void {
    this.documents.rankWith(ranking);
  }

  /**
   * Stores papers in the collection as they are, replacing any with the same id, and indexes them
   * without rebuilding the rest. (The library merges a source's papers into the collection first
   * and hands the changed ones here.)
   */
  add(papers: Iterable<Paper>): void {
    const changed: SearchDocument[] = [];
    for (const paper of papers) {
      this.collection.store(paper);
      changed.push(searchDocument(paper));
    }
    this.documents.add(changed);
  }

  /** The paper with this arXiv id (its id, or a merged paper that learnt it), if indexed. */
  getByArxivId(arxivId: string): Paper | undefined {
    return this.collection.getByArxivId(arxivId);
  }

  /** The `count` papers that arrived last, newest first. */
  newest(count: number): Paper[] {
    return this.collection.newest(count);
  }

  /** Every paper indexed. */
  papers(): IterableIterator<Paper> {
    return this.collection.papers();
  }

  /** The paper with this id, if indexed. */
  get(id: string): Paper | undefined {
    return this.collection.get(id);
  }

  /**
   * Finds papers for a parsed query, best first (see {@link RANKING}). A query with filters but no
   * words lists the matching papers newest first. `total` counts every matching paper, `strong`
   * those above the relevance floor.
   */
  search(query: PaperQuery, options: SearchOptions = {}): SearchResults {
    const results = this.documents.search({ query, ...options });
    return {
      hits: results.hits.map(({ id, score, matchedTerms }) => {
        const paper = this.collection.get(id);
        if (!paper) throw new Error(`the index has ${id}, the corpus does not`);
        return { paper, score, matchedTerms };
      }),
      total: results.total,
      strong: results.strong,
    };
  }
}

/** A collection of the papers as given (later ones replace earlier ones with the same id). */
function collectionOf(papers: Iterable<Paper>): PaperCollection {
  const collection = new PaperCollection();
  for (const paper of papers) collection.store(paper);
  return collection;
}
