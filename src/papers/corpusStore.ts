import { KeyColumn, StringColumn } from '../packedStrings.js';
import { normaliseTitle, type Paper } from './paper.js';

/**
 * Where a reader of a corpus is in its history: the papers stored up to there. Only the store that
 * made it can tell what it means; it is JSON (an index snapshot keeps the position its papers are
 * from, and catches up from there). The file store's is a byte offset and the fingerprint of the
 * bytes before it; a PostgreSQL store's would be a change sequence number.
 */
export type CorpusPosition = { readonly [key: string]: string | number };

/**
 * What start-up needs to know of every stored paper without reading it: its identity (for merging
 * and lookups) and arrival (for the newest papers), as columns, one entry per paper. The reader's
 * own: the store does not change them after handing them out.
 */
export interface Catalog {
  ids: KeyColumn;
  /** The arXiv id, or '' when the paper has none. */
  arxivIds: StringColumn;
  /** The normalised title (see normaliseTitle), which dedupes papers across sources. */
  titles: StringColumn;
  /** Arrival in the corpus, ms since the epoch. */
  arrivals: Float64Array;
}

/** The catalog entry of one paper. */
export function catalogEntry(paper: Paper): { id: string; arxivId: string; title: string; arrival: number } {
  return {
    id: paper.id,
    arxivId: paper.arxivId ?? '',
    title: normaliseTitle(paper.title),
    arrival: Date.parse(paper.arrivedAt),
  };
}

/** A catalog of these papers. */
export function catalogOf(papers: readonly Paper[]): Catalog {
  const entries = papers.map(catalogEntry);
  return {
    ids: KeyColumn.of(entries.map((entry) => entry.id)),
    arxivIds: StringColumn.of(entries.map((entry) => entry.arxivId)),
    titles: StringColumn.of(entries.map((entry) => entry.title)),
    arrivals: Float64Array.from(entries, (entry) => entry.arrival),
  };
}

/** Another writer stored papers since this store's position: catch up, merge again, and retry. */
export class CorpusMoved extends Error {
  constructor() {
    super('the corpus changed since it was read');
    this.name = 'CorpusMoved';
  }
}

/**
 * Where the corpus is stored: every paper, validated once when it was stored, each id stored once
 * (a paper stored again replaces the earlier one), and a position that moves with every change so
 * that readers (an index, another replica) can catch up from where they were.
 *
 * Implementations: {@link MemoryCorpusStore} (tests) and FileCorpusStore (corpusFile.ts: an
 * append-only JSONL file read by offset). A PostgreSQL store would keep papers as rows with a
 * change sequence: `open` reads the catalog columns, `read` by primary key, `append` upserts in one
 * transaction that takes the next sequence numbers (refusing with CorpusMoved when the sequence is
 * not the caller's), `changesSince` selects the rows with a larger sequence.
 */
export interface CorpusStore {
  /** Where the papers come from, for messages ("data/papers.jsonl"). */
  readonly name: string;
  /** The catalog of every stored paper and the position it reflects. */
  open(): Promise<{ catalog: Catalog; position: CorpusPosition }>;
  /** Stored papers by id (undefined for an id that is not stored). */
  read(ids: readonly string[]): Promise<(Paper | undefined)[]>;
  /** Every stored paper, in batches (to index the corpus from scratch). */
  readAll(): AsyncIterable<Paper[]>;
  /**
   * Stores papers (already validated), each replacing the stored one with its id, as of position
   * `after`; resolves once they are stored, with the position after them. Rejects with
   * {@link CorpusMoved} when another writer stored papers since `after`.
   */
  append(papers: readonly Paper[], after: CorpusPosition): Promise<CorpusPosition>;
  /**
   * Deletes the papers with these ids (ids not stored are ignored), as of position `after`
   * (rejects with {@link CorpusMoved} when another writer stored papers since); resolves once the
   * corpus no longer has them, with the position after. Removal is rare and rewrites history:
   * every position before it stops being this corpus's, so readers (other processes' indexes)
   * read the corpus again, as after a replacement.
   */
  remove(ids: readonly string[], after: CorpusPosition): Promise<CorpusPosition>;
  /**
   * The papers stored after `position` (each as last stored) and the position after them;
   * undefined when `position` is not one of this corpus's (the corpus was replaced: read it all
   * again).
   */
  changesSince(position: CorpusPosition): Promise<{ papers: Paper[]; position: CorpusPosition } | undefined>;
  /** Records what makes the next `open` fast, at the current position (a no-op where nothing does). */
  checkpoint(): Promise<void>;
  /** Whether rewriting the storage would save much (lines superseded by later ones). */
  readonly wantsCompaction: boolean;
  /**
   * Whether the last `open` had to read every paper, finding no usable record of a checkpoint (a
   * missing, damaged or outdated catalog): a checkpoint now spares the next open that. Absent:
   * never.
   */
  readonly wantsCheckpoint?: boolean;
  /**
   * Rewrites the storage with only the current papers; resolves with the new position. The
   * position before stays valid (as the new one's alias), earlier ones may not.
   */
  compact(): Promise<CorpusPosition>;
  close(): Promise<void>;
}

/**
 * A corpus in memory, for tests: the same contract as the file store (a position moves with every
 * append, a stale position is refused), nothing written anywhere.
 */
export class MemoryCorpusStore implements CorpusStore {
  readonly name = 'memory';
  readonly wantsCompaction = false;
  private readonly papers = new Map<string, Paper>();
  /** Which paper each change stored, in order: position `n` has seen the first `n`. */
  private readonly changes: string[] = [];
  /** Changes from before the last `replace` are not this corpus's any more. */
  private generation = 0;

  constructor(papers: readonly Paper[] = []) {
    for (const paper of papers) this.store(paper);
  }

  async open(): Promise<{ catalog: Catalog; position: CorpusPosition }> {
    return { catalog: catalogOf([...this.papers.values()]), position: this.position() };
  }

  async read(ids: readonly string[]): Promise<(Paper | undefined)[]> {
    return ids.map((id) => this.papers.get(id));
  }

  async *readAll(): AsyncIterable<Paper[]> {
    yield [...this.papers.values()];
  }

  async append(papers: readonly Paper[], after: CorpusPosition): Promise<CorpusPosition> {
    if (after.generation !== this.generation || after.changes !== this.changes.length)
      throw new CorpusMoved();
    for (const paper of papers) this.store(paper);
    return this.position();
  }

  async changesSince(
    position: CorpusPosition,
  ): Promise<{ papers: Paper[]; position: CorpusPosition } | undefined> {
    const from = position.changes;
    if (position.generation !== this.generation || typeof from !== 'number' || from > this.changes.length)
      return undefined;
    const ids = new Set(this.changes.slice(from));
    return { papers: [...ids].map((id) => this.papers.get(id) as Paper), position: this.position() };
  }

  async remove(ids: readonly string[], after: CorpusPosition): Promise<CorpusPosition> {
    if (after.generation !== this.generation || after.changes !== this.changes.length)
      throw new CorpusMoved();
    if (ids.some((id) => this.papers.has(id)))
      this.replace([...this.papers.values()].filter((paper) => !ids.includes(paper.id)));
    return this.position();
  }

  async checkpoint(): Promise<void> {}

  async compact(): Promise<CorpusPosition> {
    return this.position();
  }

  async close(): Promise<void> {}

  /** Replaces every paper, as someone replacing the corpus file would: earlier positions are refused. */
  replace(papers: readonly Paper[]): void {
    this.papers.clear();
    this.changes.length = 0;
    this.generation++;
    for (const paper of papers) this.store(paper);
  }

  private store(paper: Paper): void {
    this.papers.set(paper.id, paper);
    this.changes.push(paper.id);
  }

  private position(): CorpusPosition {
    return { generation: this.generation, changes: this.changes.length };
  }
}
