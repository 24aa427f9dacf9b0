import { Cron } from 'croner';
import type { Logger } from '../logger.js';
import { Ticker } from '../ticker.js';
import { describeIngest, type IngestReport, type PaperSink } from './ingest.js';
import type { RefreshState, SourceRecord } from './refreshState.js';
import type { SourceBatch } from './sources/http.js';

/** A source of new papers, read on a schedule by the running bot. */
export interface RefreshSource {
  /** For logs: "Hugging Face daily papers", "arXiv cs.LG". */
  name: string;
  /** A cron pattern, in UTC. */
  schedule: string;
  /** Reads the source; throws when it failed (the corpus is then left as it was). */
  read(now: Date): Promise<SourceBatch>;
}

/** The outcome of one source's refresh. */
export type RefreshRun = { source: string; report: IngestReport } | { source: string; error: string };

/** A source as `/paper status` shows it: its last success and failure, and its next read. */
export interface SourceStatus extends SourceRecord {
  name: string;
  next: Date;
}

/** What a Refresher works with; `state` and `observe` are optional (tests). */
export interface RefresherDeps {
  library: PaperSink;
  sources: RefreshSource[];
  now: () => Date;
  logger: Logger;
  /** Where each source's last success and failure are remembered (the data directory's state). */
  state?: RefreshState;
  /** Told of every read (metrics). */
  observe?: (run: RefreshRun) => void;
}

/**
 * Keeps the corpus fresh while the bot runs: reads each source when its schedule says, merges what
 * it found into the corpus (so new papers are searchable at once and reach digests), and logs a
 * failing source with the reason; it is simply read again at its next scheduled time.
 */
export class Refresher {
  private readonly nextRun = new Map<string, Date>();
  private readonly ticker: Ticker<RefreshRun[]>;

  /** This process's outcomes, for a refresher without a state file. */
  private readonly records = new Map<string, SourceRecord>();

  constructor(private readonly deps: RefresherDeps) {
    this.ticker = new Ticker(() => this.runDue(), 'Refresh tick', deps.logger);
    const start = deps.now();
    for (const source of deps.sources) this.nextRun.set(source.name, this.following(source, start));
  }

  /** When each source is read next. */
  schedule(): Array<{ source: string; next: Date }> {
    return [...this.nextRun].map(([source, next]) => ({ source, next }));
  }

  /** Each source's last success and failure (remembered across restarts) and its next read. */
  status(): SourceStatus[] {
    return this.deps.sources.map((source) => ({
      name: source.name,
      ...(this.deps.state?.source(source.name) ?? this.records.get(source.name)),
      next: this.nextRun.get(source.name) ?? this.deps.now(),
    }));
  }

  /** Reads every due source, one after another. A tick while another runs joins it. */
  tick(): Promise<RefreshRun[]> {
    return this.ticker.tick();
  }

  /** Ticks every `intervalMs` (no read at start: the corpus on disk is already fresh enough to answer). */
  start(intervalMs = 60_000): void {
    this.ticker.start(intervalMs, false);
  }

  stop(): Promise<void> {
    return this.ticker.stop();
  }

  private async runDue(): Promise<RefreshRun[]> {
    const now = this.deps.now();
    const runs: RefreshRun[] = [];
    for (const source of this.deps.sources) {
      if ((this.nextRun.get(source.name) ?? now) > now) continue;
      this.nextRun.set(source.name, this.following(source, now));
      let run: RefreshRun;
      try {
        const report = await this.deps.library.ingest(await source.read(now));
        const summary = describeIngest(report);
        this.deps.logger.info(`${source.name}: ${summary}`);
        run = { source: source.name, report };
        await this.remember(source.name, {
          lastSuccess: { at: now.toISOString(), new: report.new, summary },
        });
      } catch (error) {
        const reason = (error as Error).message;
        this.deps.logger.warn(
          `${source.name} could not be read (${reason}); trying again at ${this.nextRun.get(source.name)?.toISOString()}.`,
        );
        run = { source: source.name, error: reason };
        await this.remember(source.name, { lastFailure: { at: now.toISOString(), reason } });
      }
      runs.push(run);
      this.deps.observe?.(run);
    }
    return runs;
  }

  private async remember(name: string, record: SourceRecord): Promise<void> {
    this.records.set(name, { ...this.records.get(name), ...record });
    const { state } = this.deps;
    if (!state) return;
    const at = new Date(record.lastSuccess?.at ?? record.lastFailure?.at ?? Date.now());
    // A state that cannot be written costs the status line, never the refresh.
    await (record.lastSuccess
      ? state.recordSuccess(name, at, record.lastSuccess)
      : state.recordFailure(name, at, record.lastFailure?.reason ?? '')
    ).catch((error: unknown) => this.deps.logger.warn('Could not write the refresh state:', error));
  }

  private following(source: RefreshSource, after: Date): Date {
    return new Cron(source.schedule, { utcOffset: 0, paused: true }).nextRun(after) ?? new Date(8.64e15);
  }
}
