import type { Logger } from '../logger.js';
import { describeIngest, type PaperSink } from './ingest.js';
import type { RefreshRun } from './refresher.js';
import type { BackfillRecord, RefreshState } from './refreshState.js';
import { fetchHfDay } from './sources/hfDaily.js';
import type { FetchOptions } from './sources/http.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const isoDay = (instant: Date) => instant.toISOString().slice(0, 10);

/** The name the backfill's reads are logged and counted under. */
export const BACKFILL_SOURCE = 'Hugging Face backfill';

/** How the backfill runs; every option but the first five has the production default. */
export interface BackfillOptions {
  library: PaperSink;
  state: RefreshState;
  hfApiUrl: string;
  now: () => Date;
  logger: Logger;
  /** Days to read, today included (PAPERBOT_BACKFILL_DAYS). */
  days: number;
  /** Pause between two requests (default 2 s): a background job, polite to the API. */
  paceMs?: number;
  /** Wait before a failed day is tried again, doubled at each failure (default 10 min). */
  retryMs?: number;
  /** While only retries are left, how often it looks whether one is due (default 1 min). */
  checkEveryMs?: number;
  /** Tries of one day before it is left out (default 5). */
  maxAttempts?: number;
  fetch?: FetchOptions;
  /** Told of every read (metrics). */
  observe?: (run: RefreshRun) => void;
}

/**
 * A useful first day: the Hugging Face daily papers of the last `days` days, read in the
 * background when a bot connected to Slack starts on a corpus that was never refreshed. One day
 * per request, newest first, `paceMs` apart; each day's papers are merged as soon as they arrive,
 * so answers and digests find them while the rest is read. A day that fails is tried again later
 * (after `retryMs`, doubling) and left out after `maxAttempts`; the progress is in the data
 * directory's refresh state, so a restart goes on with the days left.
 */
export class Backfill {
  private running: Promise<void> | undefined;
  private stopped = false;
  private wake: (() => void) | undefined;

  constructor(private readonly options: BackfillOptions) {}

  /** Whether a bot starting on this state should backfill: on, and nothing ever refreshed or a backfill left unfinished. */
  static wanted(state: RefreshState, days: number): boolean {
    if (days <= 0) return false;
    return state.neverRefreshed || (state.backfill !== undefined && !state.backfill.finishedAt);
  }

  /** Days still to read (a work queue, reported as a metric). */
  get pending(): number {
    const record = this.options.state.backfill;
    if (!record || record.finishedAt) return 0;
    return record.days.filter((day) => !record.done.includes(day) && !record.abandoned.includes(day)).length;
  }

  /** Starts reading in the background; resolves at once. */
  start(): void {
    this.running ??= this.run().catch((error: unknown) =>
      this.options.logger.error('The backfill stopped on an error:', error),
    );
  }

  /** Stops after the request under way (its day is read again at the next start). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.running;
  }

  /** Resolves when the backfill ended (finished, or stopped). */
  finished(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  private async run(): Promise<void> {
    const { state, logger, now } = this.options;
    await state.changeBackfill(
      () => {},
      () => this.plan(now()),
    );
    // Read afresh each time: a failed write reloads the document as a new object.
    const record = () => state.backfill as BackfillRecord;
    const { days, done } = record();
    logger.info(
      `Backfill: reading ${days.length} days of Hugging Face daily papers in the background ` +
        `(${days.at(-1)} to ${days[0]}${done.length > 0 ? `; ${done.length} read before` : ''}).`,
    );
    let first = true;
    while (!this.stopped) {
      const due = this.dueDays(now());
      if (due.length === 0) {
        const waiting = Object.values(record().failed);
        if (waiting.length === 0) break;
        // Only days waiting for their retry are left: sleep until the first is due.
        const next = Math.min(...waiting.map((failed) => Date.parse(failed.retryAt)));
        await this.sleep(Math.min(Math.max(0, next - now().getTime()), this.options.checkEveryMs ?? 60_000));
        continue;
      }
      for (const day of due) {
        if (this.stopped) break;
        if (!first) await this.sleep(this.options.paceMs ?? 2000);
        first = false;
        if (this.stopped) break;
        await this.read(day);
      }
    }
    if (this.stopped) return;
    await state.changeBackfill((r) => {
      r.finishedAt = now().toISOString();
    });
    const { abandoned, newPapers } = record();
    logger.info(
      `Backfill finished: ${record().done.length} of ${days.length} days read, ${newPapers} new papers` +
        (abandoned.length > 0
          ? `; ${abandoned.length} left out after ${this.options.maxAttempts ?? 5} failures (${abandoned.join(', ')}): ` +
            `npx paperbot ingest hf-daily --since ${[...abandoned].sort()[0]} reads them.`
          : '.'),
    );
  }

  /** The days to read: today and the `days - 1` before it, newest first. */
  private plan(now: Date): BackfillRecord {
    const days = Array.from({ length: this.options.days }, (_, i) =>
      isoDay(new Date(now.getTime() - i * DAY_MS)),
    );
    return { days, done: [], failed: {}, abandoned: [], newPapers: 0, startedAt: now.toISOString() };
  }

  private dueDays(now: Date): string[] {
    const record = this.options.state.backfill as BackfillRecord;
    return record.days.filter((day) => {
      if (record.done.includes(day) || record.abandoned.includes(day)) return false;
      const failed = record.failed[day];
      return !failed || Date.parse(failed.retryAt) <= now.getTime();
    });
  }

  private async read(day: string): Promise<void> {
    const { state, logger, library, now } = this.options;
    const record = () => state.backfill as BackfillRecord;
    const at = now();
    try {
      const batch = await fetchHfDay(this.options.hfApiUrl, day, at.toISOString(), this.options.fetch);
      const report = await library.ingest(batch);
      await state.changeBackfill((r) => {
        r.done.push(day);
        delete r.failed[day];
        r.newPapers += report.new;
      });
      const summary = describeIngest(report);
      await state.recordSuccess(BACKFILL_SOURCE, at, { new: report.new, summary: `${day}: ${summary}` });
      this.options.observe?.({ source: BACKFILL_SOURCE, report });
      const left = this.pending;
      logger.info(
        `Backfill ${record().done.length}/${record().days.length}: ${day}: ${batch.papers.length} papers; ${summary}` +
          (left > 0 ? `; ${left} day${left === 1 ? '' : 's'} left` : ''),
      );
    } catch (error) {
      const reason = (error as Error).message;
      const attempts = (record().failed[day]?.attempts ?? 0) + 1;
      const max = this.options.maxAttempts ?? 5;
      const retryAt = new Date(at.getTime() + (this.options.retryMs ?? 10 * 60_000) * 2 ** (attempts - 1));
      await state.changeBackfill((r) => {
        if (attempts >= max) {
          delete r.failed[day];
          r.abandoned.push(day);
        } else r.failed[day] = { attempts, reason, retryAt: retryAt.toISOString() };
      });
      await state.recordFailure(BACKFILL_SOURCE, at, `${day}: ${reason}`);
      this.options.observe?.({ source: BACKFILL_SOURCE, error: reason });
      logger.warn(
        attempts >= max
          ? `Backfill: ${day} failed ${attempts} times (${reason}); left out.`
          : `Backfill: ${day} could not be read (${reason}); trying it again at ${retryAt.toISOString()}.`,
      );
    }
  }

  /** Waits, unless stop() comes first; never keeps the process alive by itself. */
  private sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      timer.unref();
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
