import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Database } from './db/database.js';
import type { Logger } from './logger.js';
import { BUNDLED_CORPUS_FILE } from './papers/corpus.js';
import { FileCorpusStore } from './papers/corpusFile.js';
import {
  CorpusMoved,
  type CorpusPosition,
  type CorpusStore,
  MemoryCorpusStore,
} from './papers/corpusStore.js';
import type { IngestReport, PaperSink } from './papers/ingest.js';
import { type MergeOutcome, PaperCollection } from './papers/merge.js';
import { Paper } from './papers/paper.js';
import { PostgresCorpusStore } from './papers/postgresStore.js';
import type { SourceBatch } from './papers/sources/http.js';
import type { RelatedTerm } from './search/documentIndex.js';
import {
  type PaperSearch,
  type SearchHit,
  type SearchOptions,
  type SearchResults,
  searchDocument,
} from './search/paperSearch.js';
import type { PaperQuery } from './search/query.js';
import type { Ranking } from './search/ranking.js';
import { LocalSearcher, type Searcher } from './search/searcher.js';
import { SIGNAL_TRAINING, type SignalTraining } from './search/signal.js';
import { readSignalHeader, signalFile, trainSignalFile } from './search/signalFile.js';
import { snapshotFile, UnusableSnapshot } from './search/snapshot.js';
import { Ticker } from './ticker.js';

/** How the index was obtained at start-up, for the log line and for tests. */
export type IndexOrigin = 'snapshot' | 'built';

/** How a Library keeps its index and checkpoints; every option has the production default. */
export interface LibraryOptions {
  /** Where the index lives: this thread (default) or worker threads (WorkerSearcher, the bot's). */
  searcher?: Searcher;
  /** Changes after which a checkpoint (catalog and index snapshot) is written (default 2,000). */
  checkpointAfter?: number;
  /** A checkpoint is written at the latest this long after the first change since the last (default 10 min). */
  checkpointEveryMs?: number;
  /** Superseded lines that make the corpus file worth compacting (see FileCorpusOptions). */
  compactAfter?: number;
  now?: () => number;
  /** When the learnt signal is trained (see {@link SignalSchedule}); the defaults are the bot's. */
  signal?: Partial<SignalSchedule>;
}

/** When a library trains its learnt signal (src/search/signal.ts) from its index snapshot. */
export interface SignalSchedule {
  /** No signal for fewer papers than this: too few papers to learn which words go together. */
  minPapers: number;
  /** Trained again once the corpus has grown by this share of the papers it was trained on. */
  growth: number;
  training: SignalTraining;
  /** Whether this library trains it, or only uses the one it finds (a command that searches once). */
  train: boolean;
}

/** The bot's schedule. */
export const SIGNAL_SCHEDULE: SignalSchedule = {
  minPapers: 2000,
  growth: 0.2,
  training: SIGNAL_TRAINING,
  train: true,
};

/** Tries of an ingest that another writer (the CLI) raced before it gives up. */
const INGEST_ATTEMPTS = 3;

/** A paper an ingest changed: as it was, and as it is now. */
export interface PaperUpdate {
  before: Paper;
  after: Paper;
}

/**
 * The corpus and its index kept in step: the one way the bot reads papers and searches them (it
 * implements {@link PaperSearch}), and the sink that sources write into.
 *
 * - An ingest merges a source's papers into the corpus, validates the changed ones, appends them
 *   to the corpus store (acknowledged once stored), then indexes those whose indexed text or facts
 *   changed. Ingests, catch-ups and checkpoints run one at a time.
 * - Nothing is rewritten per ingest: a **checkpoint** (the store's catalog, then the index
 *   snapshot, both at the same corpus position) is written after `checkpointAfter` changes or
 *   `checkpointEveryMs`, and at close. Start-up restores the snapshot and catches up from its
 *   position with the papers stored since, so a crash at any point costs at most a longer start.
 * - Papers another process stored (`paperbot ingest` while the bot runs; another replica) are
 *   caught up with at each ingest and on every tick of {@link Library.start}.
 */
export class Library implements PaperSink, PaperSearch {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly updateListeners: Array<(updates: PaperUpdate[]) => void> = [];
  private readonly addedListeners: Array<(papers: Paper[]) => void> = [];
  private unsaved = 0;
  private unsavedSince = 0;
  private readonly ticker: Ticker<void>;
  private readonly checkpointAfter: number;
  private readonly checkpointEveryMs: number;
  private readonly now: () => number;
  private readonly signalSchedule: SignalSchedule;
  /** How many papers the signal in use was trained on, and the training under way, if any. */
  private signalPapers: number | undefined;
  private signalWork: Promise<void> | undefined;
  private signalNext: Promise<void> | undefined;
  private readonly closing = new AbortController();

  private constructor(
    private readonly store: CorpusStore,
    private readonly collection: PaperCollection,
    private readonly searcher: Searcher,
    /** The index snapshot file, when the index is kept on disk. */
    private readonly snapshot: string | undefined,
    private readonly logger: Logger,
    /** Where in the corpus the collection and the index are. */
    private position: CorpusPosition,
    options: LibraryOptions,
  ) {
    this.checkpointAfter = options.checkpointAfter ?? 2000;
    this.checkpointEveryMs = options.checkpointEveryMs ?? 10 * 60_000;
    this.now = options.now ?? Date.now;
    this.signalSchedule = { ...SIGNAL_SCHEDULE, ...options.signal };
    this.ticker = new Ticker(() => this.catchUp(), 'Corpus catch-up', logger);
  }

  /** How the index was obtained when the library opened. */
  origin: IndexOrigin = 'built';

  /**
   * Opens the corpus and its index, logging how long it took: the corpus of `dataDir` (or the
   * bundled one), or with `database` the one in PostgreSQL, shared by every replica (a new
   * database starts with the bundled papers). The index snapshot is `dataDir`'s either way: each
   * process keeps its own index, caught up from the position its snapshot is from.
   */
  static async open(
    dataDir: string,
    logger: Logger,
    options: LibraryOptions & { database?: Database } = {},
  ): Promise<Library> {
    const { database, ...rest } = options;
    const store = database
      ? new PostgresCorpusStore(database, bundledCorpus)
      : new FileCorpusStore(
          dataDir,
          logger,
          options.compactAfter === undefined ? {} : { compactAfter: options.compactAfter },
        );
    return Library.over(store, logger, { ...rest, snapshot: snapshotFile(dataDir) });
  }

  /** A library of these papers in memory, its index in this thread: for tests and experiments. */
  static inMemory(
    papers: readonly Paper[],
    options: LibraryOptions & { logger?: Logger } = {},
  ): Promise<Library> {
    const logger = options.logger ?? { debug() {}, info() {}, warn() {}, error() {} };
    return Library.over(new MemoryCorpusStore(papers), logger, options);
  }

  /**
   * Opens a library over a store: its catalog, and the index from the snapshot (read meanwhile, in
   * the worker when there is one) caught up with the papers stored since; the index is built from
   * every paper when there is no usable snapshot.
   */
  static async over(
    store: CorpusStore,
    logger: Logger,
    options: LibraryOptions & { snapshot?: string },
  ): Promise<Library> {
    const started = performance.now();
    const searcher = options.searcher ?? new LocalSearcher();
    const { snapshot } = options;
    const restoring = snapshot
      ? searcher.restore(snapshot).then(
          (position) => ({ position }),
          (error: Error) => ({ error }),
        )
      : undefined;
    const opened = await store.open();
    const collection = new PaperCollection((ids) => store.read(ids));
    collection.load(opened.catalog);
    const library = new Library(store, collection, searcher, snapshot, logger, opened.position, options);

    const restored = await restoring;
    let caughtUp = 0;
    if (restored && 'position' in restored) {
      const changes = await store.changesSince(restored.position);
      if (changes) {
        caughtUp = await searcher.add(changes.papers.map(searchDocument));
        library.origin = 'snapshot';
      } else logger.info(`Index snapshot ${snapshot} is for another corpus; re-indexing.`);
    } else if (restored && 'error' in restored) describeUnusable(snapshot as string, restored.error, logger);
    if (library.origin === 'built') await searcher.build(documentsOf(store.readAll()));
    const ms = Math.round(performance.now() - started);
    logger.info(
      `${collection.size} papers from ${store.name}; index ${library.origin === 'snapshot' ? `loaded from snapshot${caughtUp > 0 ? ` and ${caughtUp} papers caught up` : ''}` : 'built'} in ${ms} ms`,
    );
    if (library.origin === 'built' || caughtUp >= library.checkpointAfter || store.wantsCheckpoint)
      await library.checkpoint();
    // In the background: the first answers come without it, and it is trained in a worker of its own.
    void library.refreshSignal();
    return library;
  }

  /** Papers in the corpus. */
  get size(): number {
    return this.collection.size;
  }

  async search(query: PaperQuery, options: SearchOptions = {}): Promise<SearchResults> {
    const { patient = false, ...rest } = options;
    const results = await this.searcher.search({ query, ...rest }, patient);
    const papers = await this.collection.getMany(results.hits.map((hit) => hit.id));
    const hits: SearchHit[] = [];
    results.hits.forEach(({ score, matchedTerms }, i) => {
      const paper = papers[i];
      // A hit the corpus does not have (it was replaced meanwhile, and the index is being rebuilt).
      if (paper) hits.push({ paper, score, matchedTerms });
    });
    const { total, strong, floor, termWeights } = results;
    return {
      hits,
      total,
      strong,
      ...(floor === undefined ? {} : { floor }),
      ...(termWeights ? { termWeights } : {}),
    };
  }

  get(id: string): Promise<Paper | undefined> {
    return this.collection.get(id);
  }

  getByArxivId(arxivId: string): Promise<Paper | undefined> {
    return this.collection.getByArxivId(arxivId);
  }

  newest(count: number): Promise<Paper[]> {
    return this.collection.newest(count);
  }

  titles(): Iterable<string> {
    return this.collection.titles();
  }

  /** Every paper of the corpus, in batches (the eval and the benchmarks). */
  papers(): AsyncIterable<Paper[]> {
    return this.store.readAll();
  }

  /** Ranks with other parameters from now on (the eval compares rankings on one index). */
  rankWith(ranking: Ranking): Promise<void> {
    return this.searcher.rankWith(ranking);
  }

  /**
   * The words the learnt signal relates to a text's, strongest first (none until it is trained):
   * what a paper about the text may say instead, e.g. to widen a subscription's preview or explain
   * a match.
   */
  relatedTerms(text: string, count?: number): Promise<RelatedTerm[]> {
    return this.searcher.relatedTerms(text, count);
  }

  /**
   * How well each paper's words translate a text's, between 0 and 1, by the learnt signal
   * (undefined for a paper not indexed, and for all until it is trained): for ranking papers
   * against a text other than a search, e.g. More like this (a paper's title and abstract) or a
   * digest's topic.
   */
  signalScores(text: string, ids: readonly string[]): Promise<(number | undefined)[]> {
    return this.searcher.signalScores(text, ids);
  }

  /**
   * Loads the learnt signal beside the index snapshot, and when there is none, or the corpus has
   * grown by {@link SignalSchedule.growth} since it was trained, trains it from the snapshot in a
   * worker thread of its own and loads the new one. Called at open and after each checkpoint;
   * resolves when done. Never rejects: without the signal, search ranks as before.
   */
  refreshSignal(): Promise<void> {
    // One at a time; a call while one runs asks for one more after it (the corpus may have grown
    // since that one looked), and calls meanwhile share that one.
    this.signalNext ??= (this.signalWork ?? Promise.resolve()).then(() => {
      this.signalNext = undefined;
      return this.refreshSignalNow();
    });
    this.signalWork = this.signalNext;
    return this.signalNext;
  }

  private async refreshSignalNow(): Promise<void> {
    if (!this.snapshot || this.closing.signal.aborted) return;
    const file = signalFile(dirname(this.snapshot));
    const { minPapers, growth, training, train } = this.signalSchedule;
    try {
      if (this.signalPapers === undefined) this.signalPapers = await this.loadSignal(file);
      const trained = this.signalPapers;
      const due = this.size >= minPapers && (trained === undefined || this.size >= trained * (1 + growth));
      if (!due || !train || !existsSync(this.snapshot)) return;
      const { papers, ms } = await trainSignalFile(this.snapshot, file, training, this.closing.signal);
      this.signalPapers = await this.loadSignal(file);
      this.logger.info(`Learnt signal trained on ${papers} papers in ${ms} ms`);
    } catch (error) {
      if (!this.closing.signal.aborted)
        this.logger.warn(`Could not train the learnt signal: ${(error as Error).message}`);
    }
  }

  /**
   * Uses the signal file when it was trained the way this library trains (another training is
   * trained again); resolves with how many papers its corpus had when it was trained.
   */
  private async loadSignal(file: string): Promise<number | undefined> {
    const header = await readSignalHeader(file);
    if (!header || JSON.stringify(header.training) !== JSON.stringify(this.signalSchedule.training))
      return undefined;
    if ((await this.searcher.loadSignal(file)) === undefined) return undefined;
    // Growth is measured from the corpus it was trained on, not from its sample of it.
    return header.corpusPapers ?? header.papers;
  }

  /** Reads every posting list of the index once (for measuring its memory in that worst case). */
  loadEveryList(): Promise<number> {
    return this.searcher.loadEveryList();
  }

  /**
   * Calls `listener` after each ingest or catch-up that changed papers already in the corpus, with
   * each one as it was and as it is (the follow-ups hear of news this way). It must not throw.
   */
  onUpdated(listener: (updates: PaperUpdate[]) => void): void {
    this.updateListeners.push(listener);
  }

  /**
   * Calls `listener` after each ingest through this library that added papers new to the corpus
   * (their citations are read this way). Papers other processes stored are theirs to tell. It must not throw.
   */
  onAdded(listener: (papers: Paper[]) => void): void {
    this.addedListeners.push(listener);
  }

  private tell(updates: PaperUpdate[]): void {
    if (updates.length > 0) for (const listener of this.updateListeners) listener(updates);
  }

  /** Merges a source's papers into the corpus, stores and indexes what changed. */
  ingest(batch: SourceBatch): Promise<IngestReport> {
    const report = this.enqueue(() => this.ingestNow(batch));
    // After the report: a checkpoint or compaction due now must not delay whoever waits for it.
    void this.enqueue(() => this.maintain()).catch((error: unknown) =>
      this.logger.error('Saving a checkpoint of the corpus failed:', error),
    );
    return report;
  }

  /**
   * Removes papers, named by id or arXiv id, from the corpus and the index; resolves with the
   * papers removed and the names that match none. The store rewrites its history (see
   * CorpusStore.remove), so the index is built again here, and other processes read the corpus
   * again at their next catch-up.
   */
  remove(names: readonly string[]): Promise<{ removed: Paper[]; unknown: string[] }> {
    return this.enqueue(() => this.removeNow(names));
  }

  /** Takes in the papers another process stored since, and writes a checkpoint when one is due. */
  catchUp(): Promise<void> {
    return this.enqueue(async () => {
      await this.catchUpNow();
      await this.maintain();
    });
  }

  /** Writes a checkpoint now: the store's catalog, then the index snapshot, at the same position. */
  checkpoint(): Promise<void> {
    return this.enqueue(() => this.checkpointNow());
  }

  /** Catches up with other writers every `intervalMs` (the bot: new papers reach its index within a minute). */
  start(intervalMs = 60_000): void {
    this.ticker.start(intervalMs, false);
  }

  /** Stops catching up, writes a checkpoint if anything changed since the last, and closes the store and index. */
  async close(): Promise<void> {
    await this.ticker.stop();
    // A training under way is stopped (it starts again at the next open).
    this.closing.abort();
    await this.signalWork;
    await this.enqueue(async () => {
      if (this.unsaved > 0) await this.checkpointNow();
    }).catch((error: unknown) => this.logger.warn('Could not save a checkpoint at close:', error));
    await this.store.close();
    await this.searcher.close();
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async ingestNow(batch: SourceBatch): Promise<IngestReport> {
    for (let attempt = 1; ; attempt++) {
      await this.catchUpNow();
      const { outcomes, changed, previous } = await this.collection.merge(batch.papers);
      // Validated once, here: every line the corpus keeps is a valid paper, so start-up trusts them.
      const stored = changed.map((paper) => Paper.parse(paper));
      if (stored.length > 0) {
        try {
          this.position = await this.store.append(stored, this.position);
        } catch (error) {
          // Another writer stored papers since this one caught up: catch up and merge again.
          if (error instanceof CorpusMoved && attempt < INGEST_ATTEMPTS) continue;
          throw error;
        }
        this.collection.put(stored);
        await this.searcher.add(stored.map(searchDocument));
        this.noteChanges(stored.length);
        this.tell(
          stored.flatMap((after) => {
            const before = previous.get(after.id);
            return before ? [{ before, after }] : [];
          }),
        );
        const added = stored.filter((paper) => !previous.has(paper.id));
        if (added.length > 0) for (const listener of this.addedListeners) listener(added);
      }
      const counts: Record<MergeOutcome, number> = { new: 0, updated: 0, unchanged: 0 };
      for (const outcome of outcomes) counts[outcome]++;
      const skipped: Record<string, number> = {};
      for (const { reason } of batch.skipped) skipped[reason] = (skipped[reason] ?? 0) + 1;
      return { ...counts, skipped, corpusSize: this.collection.size };
    }
  }

  private async removeNow(names: readonly string[]): Promise<{ removed: Paper[]; unknown: string[] }> {
    for (let attempt = 1; ; attempt++) {
      await this.catchUpNow();
      const found = await Promise.all(
        names.map(async (name) => (await this.collection.get(name)) ?? this.collection.getByArxivId(name)),
      );
      const removed = [
        ...new Map(found.flatMap((paper) => (paper ? [[paper.id, paper] as const] : []))).values(),
      ];
      const unknown = names.filter((_name, i) => !found[i]);
      if (removed.length === 0) return { removed, unknown };
      try {
        await this.store.remove(
          removed.map((paper) => paper.id),
          this.position,
        );
      } catch (error) {
        // Another writer stored papers since this one caught up: catch up and look again.
        if (error instanceof CorpusMoved && attempt < INGEST_ATTEMPTS) continue;
        throw error;
      }
      const opened = await this.store.open();
      this.collection.load(opened.catalog);
      await this.searcher.build(documentsOf(this.store.readAll()));
      this.position = opened.position;
      this.noteChanges(removed.length);
      return { removed, unknown };
    }
  }

  private async catchUpNow(): Promise<void> {
    const changes = await this.store.changesSince(this.position);
    if (!changes) return this.reload();
    this.position = changes.position;
    if (changes.papers.length === 0) return;
    // What those papers were here before, for the follow-ups (read only when someone listens).
    const before =
      this.updateListeners.length > 0 ? await this.collection.getMany(changes.papers.map((p) => p.id)) : [];
    this.collection.put(changes.papers);
    await this.searcher.add(changes.papers.map(searchDocument));
    this.noteChanges(changes.papers.length);
    this.logger.info(`${changes.papers.length} papers stored by another process were taken in.`);
    this.tell(
      changes.papers.flatMap((after, i) => {
        const was = before[i];
        return was ? [{ before: was, after }] : [];
      }),
    );
  }

  /**
   * The store is not the one this library read (its file was replaced, or compacted by another
   * process): read its catalog again, and catch the index up from where it was when the store
   * still knows that position, else index everything again.
   */
  private async reload(): Promise<void> {
    const opened = await this.store.open();
    this.collection.load(opened.catalog);
    const changes = await this.store.changesSince(this.position);
    if (changes) await this.searcher.add(changes.papers.map(searchDocument));
    else {
      this.logger.warn(`The corpus ${this.store.name} was replaced while paperbot ran; indexing it again.`);
      await this.searcher.build(documentsOf(this.store.readAll()));
    }
    this.position = changes?.position ?? opened.position;
    this.noteChanges(1);
  }

  private noteChanges(count: number): void {
    if (this.unsaved === 0) this.unsavedSince = this.now();
    this.unsaved += count;
  }

  /** A checkpoint when one is due, then a compaction when the store wants one. */
  private async maintain(): Promise<void> {
    const due =
      this.unsaved >= this.checkpointAfter ||
      (this.unsaved > 0 && this.now() - this.unsavedSince >= this.checkpointEveryMs);
    if (due || (this.store.wantsCompaction && this.unsaved > 0)) await this.checkpointNow();
    if (!this.store.wantsCompaction) return;
    // The snapshot just written stays valid: the store keeps its position as the compacted file's end.
    this.position = await this.store.compact();
  }

  private async checkpointNow(): Promise<void> {
    try {
      await this.store.checkpoint();
    } catch (error) {
      // Without it the next start reads the corpus instead: slower, nothing lost.
      this.logger.warn(
        `Could not write the corpus catalog of ${this.store.name}: ${(error as Error).message}`,
      );
      return;
    }
    if (this.snapshot) {
      try {
        await this.searcher.save(this.snapshot, this.position);
      } catch (error) {
        // The bot works without a snapshot; it only starts slower next time.
        this.logger.warn(`Could not write the index snapshot ${this.snapshot}: ${(error as Error).message}`);
        return;
      }
      void this.refreshSignal();
    }
    this.unsaved = 0;
  }
}

/** The bundled corpus (data/), validated: the papers a new database starts with. */
async function bundledCorpus(): Promise<Paper[]> {
  const lines = (await readFile(BUNDLED_CORPUS_FILE, 'utf8')).split('\n').filter((line) => line.trim());
  return lines.map((line) => Paper.parse(JSON.parse(line)));
}

/** The search documents of batches of papers. */
async function* documentsOf(batches: AsyncIterable<Paper[]>) {
  for await (const batch of batches) yield batch.map(searchDocument);
}

/** Logs why a snapshot was not used: a missing one says nothing, an old one is news, a damaged one a warning. */
function describeUnusable(file: string, error: Error, logger: Logger): void {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return;
  if (error instanceof UnusableSnapshot && error.outdated)
    logger.info(`Index snapshot ${file} is for another index format or minisearch version; re-indexing.`);
  else logger.warn(`Index snapshot ${file} is unreadable (${error.message}); re-indexing.`);
}
