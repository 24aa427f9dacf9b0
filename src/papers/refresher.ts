import { Cron } from 'croner';
import type { Logger } from '../logger.js';
import { Ticker } from '../ticker.js';
import { describeIngest, type IngestReport, type PaperSink } from './ingest.js';
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

/**
 * Keeps the corpus fresh while the bot runs: reads each source when its schedule says, merges what
 * it found into the corpus (so new papers are searchable at once and reach digests), and logs a
 * failing source with the reason; it is simply read again at its next scheduled time.
 */
export class Refresher {
  private readonly nextRun = new Map<string, Date>();
  private readonly ticker: Ticker<RefreshRun[]>;

  constructor(
    private readonly deps: { library: PaperSink; sources: RefreshSource[]; now: () => Date; logger: Logger },
  ) {
    this.ticker = new Ticker(() => this.runDue(), 'Refresh tick', deps.logger);
    const start = deps.now();
    for (const source of deps.sources) this.nextRun.set(source.name, this.following(source, start));
  }

  /** When each source is read next. */
  schedule(): Array<{ source: string; next: Date }> {
    return [...this.nextRun].map(([source, next]) => ({ source, next }));
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
      try {
        const report = await this.deps.library.ingest(await source.read(now));
        this.deps.logger.info(`${source.name}: ${describeIngest(report)}`);
        runs.push({ source: source.name, report });
      } catch (error) {
        const reason = (error as Error).message;
        this.deps.logger.warn(
          `${source.name} could not be read (${reason}); trying again at ${this.nextRun.get(source.name)?.toISOString()}.`,
        );
        runs.push({ source: source.name, error: reason });
      }
    }
    return runs;
  }

  private following(source: RefreshSource, after: Date): Date {
    return new Cron(source.schedule, { timezone: 'UTC', paused: true }).nextRun(after) ?? new Date(8.64e15);
  }
}
