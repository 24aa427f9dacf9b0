import { stat } from 'node:fs/promises';
import type { Logger } from './logger.js';
import {
  type Corpus,
  corpusFile,
  fingerprintOf,
  loadCorpus,
  serialiseCorpus,
  writeFileAtomically,
} from './papers/corpus.js';
import type { IngestReport, PaperSink } from './papers/ingest.js';
import type { MergeOutcome, PaperCollection } from './papers/merge.js';
import type { Paper } from './papers/paper.js';
import type { SourceBatch } from './papers/sources/http.js';
import type { PaperIndex } from './search/paperIndex.js';
import { type IndexOrigin, openIndex, snapshotFile, writeSnapshot } from './search/snapshot.js';

/** A paper an ingest changed: as it was, and as it is now. */
export interface PaperUpdate {
  before: Paper;
  after: Paper;
}

/**
 * The corpus of a data directory and its live search index, kept in step: ingested papers are
 * merged into the corpus, added to the index without a rebuild, and written back (corpus file and
 * index snapshot, each atomically). Ingests run one at a time.
 */
export class Library implements PaperSink {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly updateListeners: Array<(updates: PaperUpdate[]) => void> = [];
  private writtenStamp: string | undefined;

  private constructor(
    private readonly dataDir: string,
    private readonly collection: PaperCollection,
    readonly index: PaperIndex,
    readonly origin: IndexOrigin,
    private readonly logger: Logger,
  ) {}

  /** Loads the corpus of `dataDir` (or the bundled one) and opens its index, logging how long it took. */
  static async open(dataDir: string, logger: Logger): Promise<Library> {
    const started = performance.now();
    const corpus: Corpus = await loadCorpus(dataDir);
    const { index, origin, papers } = await openIndex(dataDir, corpus, logger);
    const ms = Math.round(performance.now() - started);
    logger.info(
      `${index.size} papers from ${corpus.file}; index ${origin === 'snapshot' ? 'loaded from snapshot' : 'built'} in ${ms} ms`,
    );
    const library = new Library(dataDir, papers, index, origin, logger);
    library.writtenStamp = await library.corpusStamp();
    return library;
  }

  /** Papers in the corpus. */
  get size(): number {
    return this.collection.size;
  }

  /** A paper of the corpus by arXiv id. */
  getByArxivId(arxivId: string): Paper | undefined {
    return this.index.getByArxivId(arxivId);
  }

  /**
   * Calls `listener` after each ingest that changed papers already in the corpus, with each one as
   * it was and as it is (the follow-ups hear of news this way). It must not throw.
   */
  onUpdated(listener: (updates: PaperUpdate[]) => void): void {
    this.updateListeners.push(listener);
  }

  /** Merges a source's papers into the corpus, indexes what changed, and stores the result. */
  ingest(batch: SourceBatch): Promise<IngestReport> {
    const next = this.queue.then(() => this.ingestNow(batch));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async ingestNow(batch: SourceBatch): Promise<IngestReport> {
    const updates = await this.absorbExternalChanges();
    const counts: Record<MergeOutcome, number> = { new: 0, updated: 0, unchanged: 0 };
    const changed: Paper[] = [];
    for (const incoming of batch.papers) {
      const { outcome, paper, previous } = this.collection.upsert(incoming);
      counts[outcome]++;
      if (outcome !== 'unchanged') changed.push(paper);
      if (previous) updates.push({ before: previous, after: paper });
    }
    if (changed.length > 0) {
      this.index.add(changed);
      await this.save();
    }
    if (updates.length > 0) for (const listener of this.updateListeners) listener(updates);
    const skipped: Record<string, number> = {};
    for (const { reason } of batch.skipped) skipped[reason] = (skipped[reason] ?? 0) + 1;
    return { ...counts, skipped, corpusSize: this.collection.size };
  }

  /** Writes the corpus, then the snapshot tagged with its fingerprint (a crash between them only costs a re-index). */
  private async save(): Promise<void> {
    const text = serialiseCorpus(this.collection.papers());
    const file = corpusFile(this.dataDir);
    await writeFileAtomically(file, text);
    this.writtenStamp = await this.corpusStamp();
    try {
      await writeSnapshot(snapshotFile(this.dataDir), this.index, fingerprintOf(text));
    } catch (error) {
      this.logger.warn('Could not write the index snapshot:', error);
    }
  }

  /**
   * Another process (`paperbot ingest` while the bot runs) may have written the corpus file since
   * this one last did: merge its papers first, so that saving does not drop them.
   */
  private async absorbExternalChanges(): Promise<PaperUpdate[]> {
    const updates: PaperUpdate[] = [];
    const stamp = await this.corpusStamp();
    if (stamp === undefined || stamp === this.writtenStamp) return updates;
    const corpus = await loadCorpus(this.dataDir);
    const changed: Paper[] = [];
    for (const paper of corpus.papers) {
      const result = this.collection.upsert(paper);
      if (result.outcome !== 'unchanged') changed.push(result.paper);
      if (result.previous) updates.push({ before: result.previous, after: result.paper });
    }
    this.index.add(changed);
    this.writtenStamp = stamp;
    if (changed.length > 0)
      this.logger.info(`${changed.length} papers written by another process were merged in.`);
    return updates;
  }

  private async corpusStamp(): Promise<string | undefined> {
    try {
      const info = await stat(corpusFile(this.dataDir));
      return `${info.size}:${info.mtimeMs}`;
    } catch {
      return undefined;
    }
  }
}
