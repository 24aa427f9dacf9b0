import type { Logger } from './logger.js';

/**
 * Runs a piece of background work on an interval, never twice at once: a tick while one is
 * running joins it. Shared by the digest scheduler and the corpus refresher.
 */
export class Ticker<T> {
  private running: Promise<T> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly work: () => Promise<T>,
    private readonly name: string,
    private readonly logger: Logger,
  ) {}

  /** Runs the work now, or joins the run in progress. */
  tick(): Promise<T> {
    this.running ??= this.work().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Ticks every `intervalMs` (and at once when `immediately`); failures are logged, not thrown. */
  start(intervalMs: number, immediately: boolean): void {
    const tick = () => {
      this.tick().catch((error: unknown) => this.logger.error(`${this.name} failed:`, error));
    };
    if (immediately) tick();
    this.timer = setInterval(tick, intervalMs);
    this.timer.unref(); // background work must not keep a finished process alive
  }

  /** Stops ticking and waits for a running tick to finish. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }
}
