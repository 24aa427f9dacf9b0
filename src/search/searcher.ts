import { readFile } from 'node:fs/promises';
import type { CorpusPosition } from '../papers/corpusStore.js';
import {
  DocumentIndex,
  type DocumentResults,
  type RelatedTerm,
  type SearchRequest,
} from './documentIndex.js';
import type { SearchDocument } from './documentTable.js';
import { RANKING, type Ranking } from './ranking.js';
import { SIGNAL_TRAINING, type SignalTraining, type TranslationModel, trainSignalModel } from './signal.js';
import { readSignal } from './signalFile.js';
import { readIndexSnapshot, writeIndexSnapshot } from './snapshot.js';

/**
 * The index as the Library drives it: opened from a snapshot or built, kept up to date with the
 * corpus, searched, saved. {@link LocalSearcher} holds it in this thread (the CLI, tests);
 * WorkerSearcher in worker threads (the bot), so that searching never holds up the thread that
 * acknowledges Slack's requests.
 */
export interface Searcher {
  /**
   * Replaces the index with the one in a snapshot file; resolves with the corpus position it is
   * from. Rejects when the file is missing, damaged (SnapshotError), or of another format.
   */
  restore(file: string): Promise<CorpusPosition>;
  /** Replaces the index with one of these documents. */
  build(batches: AsyncIterable<readonly SearchDocument[]>): Promise<void>;
  /** Indexes documents, replacing those with the same ids; resolves with how many changed. */
  add(documents: readonly SearchDocument[]): Promise<number>;
  /** Searches (see DocumentIndex.search); `patient` waits for a busy index instead of being refused. */
  search(request: SearchRequest, patient?: boolean): Promise<DocumentResults>;
  /** Writes the index's snapshot, tagged with the corpus position its documents are from. */
  save(file: string, corpus: CorpusPosition): Promise<void>;
  /** Ranks with other parameters from now on (the eval compares rankings on one index). */
  rankWith(ranking: Ranking): Promise<void>;
  /** Reads every posting list once (the memory the index takes once every term has been searched). */
  loadEveryList(): Promise<number>;
  /**
   * Uses the learnt signal in a signal file from now on (see signal.ts); resolves with how many
   * papers it was trained on, or undefined (and no signal) when the file is missing or unusable.
   */
  loadSignal(file: string): Promise<number | undefined>;
  /** The words the learnt signal relates to a text's (see DocumentIndex.relatedTerms). */
  relatedTerms(text: string, count?: number): Promise<RelatedTerm[]>;
  /** How well papers' words translate a text's, by the learnt signal (see DocumentIndex.signalScores). */
  signalScores(text: string, ids: readonly string[]): Promise<(number | undefined)[]>;
  close(): Promise<void>;
}

/** The index in this thread. */
export class LocalSearcher implements Searcher {
  private index: DocumentIndex;
  /** The learnt signal, kept across the indexes this searcher restores or builds. */
  private signal: TranslationModel | undefined;

  constructor(private ranking: Ranking = RANKING) {
    this.index = DocumentIndex.build([], ranking);
  }

  /** The index itself, for callers in this thread. */
  get documents(): DocumentIndex {
    return this.index;
  }

  async restore(file: string): Promise<CorpusPosition> {
    return this.restoreFrom(await readFile(file));
  }

  /** Replaces the index with the one in a snapshot's bytes; returns the corpus position it is from. */
  restoreFrom(bytes: Uint8Array): CorpusPosition {
    const { corpus, saved } = readIndexSnapshot(bytes);
    this.index = DocumentIndex.restore(saved, this.ranking);
    this.index.useSignal(this.signal);
    return corpus;
  }

  async build(batches: AsyncIterable<readonly SearchDocument[]>): Promise<void> {
    const documents: SearchDocument[] = [];
    for await (const batch of batches) documents.push(...batch);
    this.buildFrom(documents);
  }

  /** Replaces the index with one of these documents. */
  buildFrom(documents: readonly SearchDocument[]): void {
    this.index = DocumentIndex.build(documents, this.ranking);
    this.index.useSignal(this.signal);
  }

  async add(documents: readonly SearchDocument[]): Promise<number> {
    return this.index.add(documents);
  }

  async search(request: SearchRequest): Promise<DocumentResults> {
    return this.index.search(request);
  }

  async save(file: string, corpus: CorpusPosition): Promise<void> {
    await writeIndexSnapshot(file, this.index, corpus);
  }

  async rankWith(ranking: Ranking): Promise<void> {
    this.ranking = ranking;
    this.index.rankWith(ranking);
  }

  async loadEveryList(): Promise<number> {
    return this.index.loadEveryList();
  }

  async loadSignal(file: string): Promise<number | undefined> {
    const read = await readSignal(file);
    this.signal = read?.model;
    this.index.useSignal(this.signal);
    return read?.header.papers;
  }

  async relatedTerms(text: string, count?: number): Promise<RelatedTerm[]> {
    return this.index.relatedTerms(text, count);
  }

  async signalScores(text: string, ids: readonly string[]): Promise<(number | undefined)[]> {
    return this.index.signalScores(text, ids);
  }

  /**
   * Trains the learnt signal from the index in this thread and uses it: for libraries without a
   * snapshot (tests, the eval's in-memory sets); the bot trains in a worker of its own from the snapshot.
   */
  trainSignal(training: SignalTraining = SIGNAL_TRAINING): void {
    this.signal = trainSignalModel(this.index.signalCorpus(), () => this.index, training);
    this.index.useSignal(this.signal);
  }

  async close(): Promise<void> {}
}
