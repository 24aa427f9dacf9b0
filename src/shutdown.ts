import type { Logger } from './logger.js';

/** How long a shutdown waits for the work under way before it flushes the stores and exits (PAPERBOT_SHUTDOWN_SECONDS). */
export const SHUTDOWN_BOUND_MS = 10_000;

/** The phases of a graceful shutdown, each given by the composition root. */
export interface ShutdownSteps {
  /** Stops taking new work: readiness off, no new requests, no new digests, refreshes or backfill days. */
  stopIntake(): void;
  /** Resolves once the work under way (answers, digest posts, an ingest) has finished. */
  drain(): Promise<unknown>;
  /** Writes what is buffered and closes the stores. */
  flush(): Promise<unknown>;
}

/**
 * On the first SIGTERM or SIGINT: stop taking new work, let the work under way finish for at most
 * `boundMs`, flush the stores, and exit 0. Work cut off by the bound is safe to cut: a digest is
 * recorded only once Slack accepted it, and one whose post was under way is looked for in the
 * channel at the next start, so it is posted once or not at all. A second signal exits at once.
 * Returns a function that removes the handlers and ends a shutdown's wait (tests).
 */
export function exitGracefullyOnSignals(
  steps: ShutdownSteps,
  logger: Logger,
  options: { boundMs?: number; exit?: (code: number) => void } = {},
): () => void {
  const boundMs = options.boundMs ?? SHUTDOWN_BOUND_MS;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let stopping = false;
  /** The bound of the shutdown under way. */
  let timer: NodeJS.Timeout | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn(`${signal} again: exiting without waiting.`);
      exit(1);
      return;
    }
    stopping = true;
    void shutDown(signal);
  };
  const shutDown = async (signal: NodeJS.Signals) => {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    logger.info(`${signal}: shutting down; finishing the work under way (at most ${boundMs / 1000} s).`);
    let code = 0;
    try {
      steps.stopIntake();
      const finished = await Promise.race([
        Promise.resolve(steps.drain()).then(() => true),
        new Promise<false>((resolve) => {
          timer = setTimeout(() => resolve(false), boundMs);
        }),
      ]);
      clearTimeout(timer);
      if (finished) logger.info(`The work under way finished in ${elapsed()} ms.`);
      else
        logger.warn(
          `Work was still under way after ${boundMs / 1000} s; stopping anyway (unconfirmed digests are checked at the next start).`,
        );
      await steps.flush();
    } catch (error) {
      logger.error('Shutting down failed:', error);
      code = 1;
    }
    logger.info(`paperbot stopped in ${elapsed()} ms.`);
    exit(code);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return () => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    // A shutdown cut short by a second signal would otherwise keep its bound's timer running.
    clearTimeout(timer);
  };
}
