import type { Logger } from '../logger.js';
import type { CitationFetch, CitationStore } from '../papers/citations.js';
import type { Paper } from '../papers/paper.js';
import { BATCH_SIZE, type CitationFacts, RateLimited } from '../papers/sources/semanticScholar.js';
import { Ticker } from '../ticker.js';
import type { Citing } from './followUps.js';

/**
 * Time between two requests to Semantic Scholar. With a key: about one request a second (its
 * documented limit); keyless requests share a pool of as little as 100 per 5 minutes: one in 3.5 s.
 */
export const SPACING_WITH_KEY_MS = 1100;
export const SPACING_KEYLESS_MS = 3500;
/** Requests in one pass at most (500 papers each): a pass ends within minutes, keyless. */
export const BATCHES_PER_PASS = 20;
/** The pause after a failure other than a 429, doubled on each in a row, up to an hour. */
const BACKOFF_MS = 60_000;
const MAX_BACKOFF_MS = 3_600_000;

/** What the tracker needs; all injected. */
export interface CitationTrackerDeps {
  store: CitationStore;
  /** One batch request (papers/sources/semanticScholar's fetchCitations, bound to the settings). */
  fetch(arxivIds: readonly string[]): Promise<CitationFacts[]>;
  papers: { getByArxivId(arxivId: string): Promise<Paper | undefined> };
  /** Tells the threads of the cited papers (FollowUps.tellCitations). */
  tell(citations: readonly Citing[]): Promise<unknown>;
  now: () => Date;
  logger: Logger;
  spacingMs: number;
  sleep?: (ms: number) => Promise<void>;
  /** Ids per request (default the API's 500). */
  batchSize?: number;
}

/** What one pass did. */
export interface CitationPass {
  fetched: number;
  requests: number;
  /** Why the pass stopped early (a 429, an outage, a malformed answer). */
  stopped?: string;
}

/**
 * Keeps the citation cache fresh and tells discussions when a new paper cites their paper, in the
 * background only: nobody waits on it. Ingested papers and papers shown on cards are wanted in
 * the store (so a restart loses nothing); each pass asks Semantic Scholar for the due ones in
 * batches, paced under its limits. A 429 waits out its Retry-After; a 5xx, a timeout or a
 * malformed answer ends the pass and backs off. What is fetched is recorded after the threads
 * were told (the follow-ups' claims make a repeated telling post nothing).
 */
export class CitationTracker {
  private readonly ticker: Ticker<CitationPass>;
  private notBefore = 0;
  private failures = 0;
  private lastRequest = 0;

  constructor(private readonly deps: CitationTrackerDeps) {
    this.ticker = new Ticker(() => this.pass(), 'Citation refresh', deps.logger);
  }

  /** Hears of papers new to the corpus (Library.onAdded): their references are checked once. */
  readonly onAdded = (papers: Paper[]): void => {
    const ids = papers.flatMap((paper) => (paper.arxivId ? [paper.arxivId] : []));
    if (ids.length === 0) return;
    this.deps.store
      .want(ids, this.deps.now(), true)
      .then(() => this.ticker.tick())
      .catch((error: unknown) => this.deps.logger.warn('Could not queue new papers for citations:', error));
  };

  /** One pass now (a tick while one runs joins it). */
  tick(): Promise<CitationPass> {
    return this.ticker.tick();
  }

  start(intervalMs = 10 * 60_000): void {
    this.ticker.start(intervalMs, true);
  }

  stop(): Promise<void> {
    return this.ticker.stop();
  }

  private async pass(): Promise<CitationPass> {
    const { store, now, logger } = this.deps;
    const size = this.deps.batchSize ?? BATCH_SIZE;
    const run: CitationPass = { fetched: 0, requests: 0 };
    if (now().getTime() < this.notBefore) return { ...run, stopped: 'waiting after a failure' };
    const due = await store.due(now(), size * BATCHES_PER_PASS);
    for (let start = 0; start < due.length; start += size) {
      const batch = due.slice(start, start + size);
      await this.pace();
      run.requests++;
      let facts: CitationFacts[];
      try {
        facts = await this.deps.fetch(batch.map((entry) => entry.arxivId));
      } catch (error) {
        const wait =
          error instanceof RateLimited
            ? error.retryAfterMs
            : Math.min(BACKOFF_MS * 2 ** this.failures++, MAX_BACKOFF_MS);
        this.notBefore = now().getTime() + wait;
        logger.warn(
          `Semantic Scholar: ${(error as Error).message}; next try in ${Math.round(wait / 1000)} s.`,
        );
        return { ...run, stopped: (error as Error).message };
      }
      this.failures = 0;
      const byId = new Map(facts.map((f) => [f.arxivId, f]));
      const checked = batch.filter((entry) => entry.checkReferences && byId.has(entry.arxivId));
      await this.deps.tell(
        await this.citations(checked.map((entry) => byId.get(entry.arxivId) as CitationFacts)),
      );
      const at = now().toISOString();
      const fetches: CitationFetch[] = batch.map((entry) => {
        const found = byId.get(entry.arxivId);
        return {
          arxivId: entry.arxivId,
          fetchedAt: at,
          ...(found
            ? {
                counts: {
                  citationCount: found.citationCount,
                  influentialCitationCount: found.influentialCitationCount,
                },
              }
            : {}),
          // Unknown to Semantic Scholar yet (a paper of today): its references are read again tomorrow.
          referencesTold: found !== undefined,
        };
      });
      await store.record(fetches);
      run.fetched += facts.length;
    }
    return run;
  }

  /** The papers of the corpus each new paper cites. */
  private async citations(facts: readonly CitationFacts[]): Promise<Citing[]> {
    const result: Citing[] = [];
    for (const fact of facts) {
      const citing = await this.deps.papers.getByArxivId(fact.arxivId);
      if (!citing) continue;
      const cited: string[] = [];
      for (const reference of fact.references) {
        const paper = await this.deps.papers.getByArxivId(reference);
        if (paper && paper.id !== citing.id) cited.push(paper.id);
      }
      if (cited.length > 0) result.push({ citing, cited });
    }
    return result;
  }

  /** Waits until the spacing since the last request has passed. */
  private async pace(): Promise<void> {
    // Background work, like the ticker: the pause must not keep a finished process alive.
    const { spacingMs, sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms).unref()) } =
      this.deps;
    const wait = this.lastRequest + spacingMs - Date.now();
    if (wait > 0) await sleep(wait);
    this.lastRequest = Date.now();
  }
}
