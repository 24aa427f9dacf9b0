import { open } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../logger.js';
import type { CorpusPosition } from '../papers/corpusStore.js';
import type { DocumentResults, RelatedTerm, SearchRequest } from './documentIndex.js';
import type { SearchDocument } from './documentTable.js';
import { SearchBusy } from './paperSearch.js';
import type { Ranking } from './ranking.js';
import type { Searcher } from './searcher.js';
import { UnusableSnapshot } from './snapshot.js';
import type { WorkerReply, WorkerRequest } from './workerProtocol.js';

/** How a pool of search workers queues and sheds. */
export interface WorkerSearcherOptions {
  /** Worker threads, each with the whole index (default 1; see docs/performance.md). */
  workers?: number;
  /**
   * The longest a search may wait for a worker before it is refused as busy (default 1,500 ms):
   * with the search itself and the answer's rendering and posting, a person hears back within
   * Slack's 3 s. A search expected to wait longer is refused at once.
   */
  maxWaitMs?: number;
  /** Searches waiting at most, patient ones included (default 500): a bound on memory. */
  maxQueue?: number;
  /**
   * Called once when every worker has stopped (crashed) while the pool is open: the index they
   * held is gone, so nothing can be searched until the process starts again (the corpus on disk
   * has every acknowledged paper; start-up restores the index from it).
   */
  onStopped?: (error: Error) => void;
  logger: Logger;
}

/** A search waiting for a worker. */
interface Queued {
  request: SearchRequest;
  patient: boolean;
  queuedAt: number;
  /** Refuses it as busy once it has waited `maxWaitMs` (answers to people only). */
  deadline?: ReturnType<typeof setTimeout>;
  resolve: (results: DocumentResults) => void;
  reject: (error: Error) => void;
}

/** One worker thread and the replies it owes. */
interface Thread {
  worker: Worker;
  pending: Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>;
  /** The search it is running, if any: each worker gets one at a time, so the queue stays here. */
  searching: boolean;
  /**
   * Other work it is doing (adding papers, a build, a save): a search handed to it now would wait
   * behind that, out of reach of the shedding here, so searches stay queued on this side.
   */
  maintaining: number;
  alive: boolean;
}

/** Documents per message when building: a message is copied whole into the worker. */
const BUILD_BATCH = 5000;

/**
 * The index in worker threads: every worker holds the whole index (the same snapshot, the same
 * documents added), searches go to a free worker, and this thread only queues them, so that it is
 * free to acknowledge requests, render and post while the searching happens elsewhere.
 *
 * Overload is shed here, not left to pile up: a search that would wait longer than `maxWaitMs`
 * (by the queue's length and the recent time per search) is refused at once with
 * {@link SearchBusy}, and one that waited that long anyway is refused when its turn comes, so that
 * a busy bot answers "try again in a few seconds" at once instead of a real answer after 30 s.
 * Patient searches (digests) wait their turn.
 */
export class WorkerSearcher implements Searcher {
  private readonly threads: Thread[];
  private readonly queue: Queued[] = [];
  private readonly maxWaitMs: number;
  private readonly maxQueue: number;
  private readonly logger: Logger;
  private nextId = 1;
  /** Recent time per search, ms (exponentially weighted), for the expected wait. */
  private searchMs = 10;
  private closing = false;
  private readonly onStopped: ((error: Error) => void) | undefined;
  /** Searches refused as busy since start, for the bench and the logs. */
  shed = 0;

  constructor(options: WorkerSearcherOptions) {
    this.maxWaitMs = options.maxWaitMs ?? 1500;
    this.maxQueue = options.maxQueue ?? 500;
    this.logger = options.logger;
    this.onStopped = options.onStopped;
    this.threads = Array.from({ length: Math.max(1, options.workers ?? 1) }, () => this.spawn());
  }

  /** Searches waiting for a worker (reported as the `search` queue's depth). */
  get waiting(): number {
    return this.queue.length;
  }

  /** Worker threads. */
  get size(): number {
    return this.threads.length;
  }

  async restore(file: string): Promise<CorpusPosition> {
    if (this.threads.length === 1)
      return (await this.broadcast({ kind: 'restore', file }))[0] as CorpusPosition;
    // Several workers share one copy of the snapshot's arrays: each keeps views of these bytes.
    const bytes = await readShared(file);
    const positions = await this.broadcast({ kind: 'restoreShared', bytes });
    return positions[0] as CorpusPosition;
  }

  async build(batches: AsyncIterable<readonly SearchDocument[]>): Promise<void> {
    let pending: SearchDocument[] = [];
    for await (const batch of batches) {
      pending.push(...batch);
      if (pending.length >= BUILD_BATCH) {
        await this.broadcast({ kind: 'build', documents: pending, done: false });
        pending = [];
      }
    }
    await this.broadcast({ kind: 'build', documents: pending, done: true });
  }

  async add(documents: readonly SearchDocument[]): Promise<number> {
    if (documents.length === 0) return 0;
    return (await this.broadcast({ kind: 'add', documents }))[0] as number;
  }

  search(request: SearchRequest, patient = false): Promise<DocumentResults> {
    if (this.closing) return Promise.reject(new Error('the search workers are stopping'));
    const live = this.threads.filter((thread) => thread.alive).length;
    if (live === 0) return Promise.reject(new Error('no search worker is running'));
    const busy = this.threads.filter((thread) => thread.searching || thread.maintaining > 0).length;
    const expectedWait = busy < live ? 0 : ((this.queue.length + 1) / live) * this.searchMs;
    if (this.queue.length >= this.maxQueue || (!patient && expectedWait > this.maxWaitMs)) {
      this.shed++;
      return Promise.reject(new SearchBusy());
    }
    return new Promise((resolve, reject) => {
      const queued: Queued = { request, patient, queuedAt: performance.now(), resolve, reject };
      // Bounded however long the workers stay busy (a big catch-up, a rebuild): the busy sentence
      // comes within seconds, not the answer after a minute.
      if (!patient)
        queued.deadline = setTimeout(() => {
          const at = this.queue.indexOf(queued);
          if (at < 0) return;
          this.queue.splice(at, 1);
          this.shed++;
          reject(new SearchBusy());
        }, this.maxWaitMs).unref();
      this.queue.push(queued);
      this.dispatch();
    });
  }

  async save(file: string, corpus: CorpusPosition): Promise<void> {
    // One worker writes; the others go on searching.
    await this.call(this.liveThreads()[0] as Thread, { kind: 'save', file, corpus });
  }

  async rankWith(ranking: Ranking): Promise<void> {
    await this.broadcast({ kind: 'rank', ranking });
  }

  async loadEveryList(): Promise<number> {
    return (await this.broadcast({ kind: 'loadEveryList' }))[0] as number;
  }

  async loadSignal(file: string): Promise<number | undefined> {
    return (await this.broadcast({ kind: 'signal', file }))[0] as number | undefined;
  }

  async relatedTerms(text: string, count?: number): Promise<RelatedTerm[]> {
    return (await this.call(this.liveThreads()[0] as Thread, {
      kind: 'related',
      text,
      ...(count === undefined ? {} : { count }),
    })) as RelatedTerm[];
  }

  async signalScores(text: string, ids: readonly string[]): Promise<(number | undefined)[]> {
    return (await this.call(this.liveThreads()[0] as Thread, { kind: 'signalScores', text, ids })) as (
      | number
      | undefined
    )[];
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const queued of this.queue.splice(0)) queued.reject(new Error('the search workers are stopping'));
    await Promise.all(this.threads.map((thread) => thread.worker.terminate()));
  }

  private spawn(): Thread {
    const worker = new Worker(workerEntry());
    const thread: Thread = { worker, pending: new Map(), searching: false, maintaining: 0, alive: true };
    worker.on('message', (reply: WorkerReply) => {
      const waiting = thread.pending.get(reply.id);
      if (!waiting) return;
      thread.pending.delete(reply.id);
      if (reply.error === undefined) waiting.resolve(reply.result);
      else waiting.reject(errorOf(reply.error));
    });
    const fail = (error: Error) => {
      if (!thread.alive) return; // 'error' is followed by 'exit'
      thread.alive = false;
      for (const waiting of thread.pending.values()) waiting.reject(error);
      thread.pending.clear();
      if (this.closing) return;
      this.logger.error('A search worker stopped:', error);
      if (this.threads.every((other) => !other.alive)) {
        for (const queued of this.queue.splice(0)) queued.reject(error);
        this.onStopped?.(error);
      }
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the search worker exited with code ${code}`)));
    return thread;
  }

  /** Hands queued searches to free workers, refusing those that waited too long. */
  private dispatch(): void {
    for (const thread of this.threads) {
      if (!thread.alive || thread.searching || thread.maintaining > 0) continue;
      let next = this.queue.shift();
      while (next && !next.patient && performance.now() - next.queuedAt > this.maxWaitMs) {
        this.shed++;
        next.reject(new SearchBusy());
        next = this.queue.shift();
      }
      if (!next) return;
      clearTimeout(next.deadline);
      const { request, resolve, reject } = next;
      thread.searching = true;
      const started = performance.now();
      this.call(thread, { kind: 'search', request })
        .then(
          (results) => {
            this.searchMs = 0.8 * this.searchMs + 0.2 * (performance.now() - started);
            resolve(results as DocumentResults);
          },
          (error: Error) => reject(error),
        )
        .finally(() => {
          thread.searching = false;
          this.dispatch();
        });
    }
  }

  private liveThreads(): Thread[] {
    const live = this.threads.filter((thread) => thread.alive);
    if (live.length === 0) throw new Error('no search worker is running');
    return live;
  }

  /** Sends a message to every worker; resolves with their results when all have answered. */
  private broadcast(message: DistributiveOmit<WorkerRequest, 'id'>): Promise<unknown[]> {
    return Promise.all(this.liveThreads().map((thread) => this.call(thread, message)));
  }

  private call(thread: Thread, message: DistributiveOmit<WorkerRequest, 'id'>): Promise<unknown> {
    if (!thread.alive) return Promise.reject(new Error('the search worker is not running'));
    const id = this.nextId++;
    const reply = new Promise((resolve, reject) => {
      thread.pending.set(id, { resolve, reject });
      thread.worker.postMessage({ ...message, id } as WorkerRequest);
    });
    if (message.kind === 'search') return reply;
    thread.maintaining++;
    return reply.finally(() => {
      thread.maintaining--;
      this.dispatch();
    });
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * The worker's script: the compiled searchWorker.js beside this module. Under jest this module is
 * the TypeScript source, and Node cannot start a worker from TypeScript, so tests use the build
 * in dist/ (`npm test` builds first).
 */
function workerEntry(): URL {
  return import.meta.url.endsWith('.ts')
    ? new URL('../../dist/search/searchWorker.js', import.meta.url)
    : new URL('./searchWorker.js', import.meta.url);
}

/** An error from a worker, as the caller would have seen it thrown here. */
function errorOf(error: { name: string; message: string; outdated?: boolean; code?: string }): Error {
  if (error.name === 'UnusableSnapshot') return new UnusableSnapshot(error.message, error.outdated ?? false);
  return Object.assign(new Error(error.message), { name: error.name, code: error.code });
}

/** A file read whole into memory that worker threads can share. */
async function readShared(file: string): Promise<SharedArrayBuffer> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const shared = new SharedArrayBuffer(size);
    const bytes = new Uint8Array(shared);
    for (let done = 0; done < size; ) {
      const { bytesRead } = await handle.read(bytes, done, size - done, done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return shared;
  } finally {
    await handle.close();
  }
}
