import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { RefreshRun } from './papers/refresher.js';
import type { DigestRun } from './subscriptions/scheduler.js';

/** Latency buckets (seconds): from a fast ack to Slack's 3 s and past it. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10];
/** Search buckets (seconds): searches take milliseconds, a slow one tens of them. */
const SEARCH_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

/**
 * paperbot's Prometheus metrics (prom-client), in a registry of their own: `GET /metrics` serves
 * {@link Metrics.text}. Each process (and each test) has its own instance, passed to the parts
 * that count; nothing registers globally.
 */
export class Metrics {
  readonly registry = new Registry();
  /** Slack requests reaching the app, by kind (command, event, action, view…) and name (`/paper`, `app_mention`…). */
  readonly requests: Counter<'kind' | 'name'>;
  /** From a request reaching the app to its ack(). */
  readonly ackSeconds: Histogram<'kind'>;
  /** From a request reaching the app to its answer delivered (or refused), by what was answered. */
  readonly answerSeconds: Histogram<'what' | 'outcome'>;
  /** One search of the index (answers and digests alike). */
  readonly searchSeconds: Histogram;
  /** Digest runs by outcome: posted, refused (by Slack), paused, failed, nothing_new, busy. */
  readonly digests: Counter<'outcome'>;
  /** Reads of a source (the hourly refresh, the arXiv refresh, the backfill) by outcome (ok, failed). */
  readonly refreshes: Counter<'source' | 'outcome'>;
  /** Papers a refresh added to the corpus. */
  readonly refreshedPapers: Counter<'source'>;
  /** Work waiting in each queue, read when scraped (see {@link Metrics.reportQueue}). */
  readonly queueDepth: Gauge<'queue'>;
  /** Papers in the corpus, read when scraped. */
  readonly corpusPapers: Gauge;
  private readonly queues = new Map<string, () => number>();
  private corpusSize: () => number = () => 0;

  constructor(options: { processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'paperbot_slack_requests_total',
      help: 'Slack requests received, by kind and name.',
      labelNames: ['kind', 'name'],
      registers,
    });
    this.ackSeconds = new Histogram({
      name: 'paperbot_slack_ack_seconds',
      help: 'Time from a Slack request reaching the app to its acknowledgement.',
      labelNames: ['kind'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.answerSeconds = new Histogram({
      name: 'paperbot_answer_seconds',
      help: 'Time from a Slack request reaching the app to its answer delivered.',
      labelNames: ['what', 'outcome'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.searchSeconds = new Histogram({
      name: 'paperbot_search_seconds',
      help: 'Time of one search of the paper index.',
      buckets: SEARCH_BUCKETS,
      registers,
    });
    this.digests = new Counter({
      name: 'paperbot_digests_total',
      help: 'Digest runs, by outcome (posted, refused, paused, failed, nothing_new, busy).',
      labelNames: ['outcome'],
      registers,
    });
    this.refreshes = new Counter({
      name: 'paperbot_refresh_total',
      help: 'Reads of a paper source, by source and outcome (ok, failed).',
      labelNames: ['source', 'outcome'],
      registers,
    });
    this.refreshedPapers = new Counter({
      name: 'paperbot_refresh_new_papers_total',
      help: 'Papers added to the corpus by reads of a source.',
      labelNames: ['source'],
      registers,
    });
    const queues = this.queues;
    this.queueDepth = new Gauge({
      name: 'paperbot_queue_depth',
      help: 'Work waiting in a queue (answers waiting for their turn, backfill days, searches).',
      labelNames: ['queue'],
      registers,
      collect() {
        for (const [queue, depth] of queues) this.set({ queue }, depth());
      },
    });
    const metrics = this;
    this.corpusPapers = new Gauge({
      name: 'paperbot_corpus_papers',
      help: 'Papers in the corpus.',
      registers,
      collect() {
        this.set(metrics.corpusSize());
      },
    });
    if (options.processMetrics ?? true)
      collectDefaultMetrics({ register: this.registry, prefix: 'paperbot_' });
  }

  /** A work queue reports its depth: `depth()` is read at every scrape. */
  reportQueue(queue: string, depth: () => number): void {
    this.queues.set(queue, depth);
  }

  /** Where the corpus size is read at every scrape. */
  reportCorpus(size: () => number): void {
    this.corpusSize = size;
  }

  /** Counts a digest run. */
  countDigest(run: DigestRun): void {
    const outcome = run.outcome === 'paused' && run.refused ? 'refused' : run.outcome.replace('-', '_');
    this.digests.inc({ outcome });
  }

  /** Counts a read of a source. */
  countRefresh(run: RefreshRun): void {
    if ('error' in run) {
      this.refreshes.inc({ source: run.source, outcome: 'failed' });
      return;
    }
    this.refreshes.inc({ source: run.source, outcome: 'ok' });
    this.refreshedPapers.inc({ source: run.source }, run.report.new);
  }

  /** The metrics in Prometheus' text format. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

/**
 * The object with its `method` timed into `histogram`, whether the method answers at once or with
 * a promise (the index's search is synchronous here and asynchronous behind a worker pool).
 */
export function timed<T extends object, K extends keyof T>(target: T, method: K, histogram: Histogram): T {
  return new Proxy(target, {
    get(object, property, receiver) {
      const value = Reflect.get(object, property, receiver);
      if (property !== method || typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const stop = histogram.startTimer();
        const result = value.apply(object, args);
        if (result instanceof Promise) return result.finally(() => stop());
        stop();
        return result;
      };
    },
  });
}
