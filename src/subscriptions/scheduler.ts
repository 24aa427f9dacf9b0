import type { Logger } from '../logger.js';
import type { PaperSearch, SearchHit } from '../search/paperSearch.js';
import { Ticker } from '../ticker.js';
import { ChannelTaste, DIGEST_SIZE, type Digest, nextPapersSince, selectDigest } from './digest.js';
import { nextRun } from './schedule.js';
import type { RunRecord, SubscriptionStore } from './store.js';
import type { Subscription } from './subscription.js';

/** What posting a message to a channel came to. */
export type PostResult =
  | { ok: true }
  | {
      ok: false;
      error: string;
      /** Set when retrying cannot help until someone acts (bot removed, channel archived). */
      pauseReason?: string;
      /** Set when the message may have been posted after all (the answer was lost). */
      ambiguous?: boolean;
      /** Set when Slack refused this message itself (its content or arguments): the same post would be refused again. */
      refused?: boolean;
    };

/** A digest to deliver, as domain values: the poster renders it for its surface. */
export interface OutgoingDigest {
  subscription: Pick<Subscription, 'id' | 'topic' | 'schedule'>;
  /** The papers, in the order they are shown. */
  hits: readonly SearchHit[];
}

/** Delivers digests to channels (Slack, or the console). */
export interface DigestPoster {
  /** Posts a digest, tagged with `runKey` so that it can be recognised later. */
  post(channel: string, digest: OutgoingDigest, runKey: string): Promise<PostResult>;
  /**
   * Whether the digest tagged `runKey`, first tried at `since`, is in the channel; undefined when
   * that cannot be told now.
   */
  alreadyPosted(channel: string, runKey: string, since: Date): Promise<boolean | undefined>;
}

/** The outcome of one digest run. */
export interface DigestRun {
  subscriptionId: string;
  outcome: 'posted' | 'nothing-new' | 'paused' | 'failed' | 'busy';
  papers: number;
  error?: string;
  /** Why the subscription paused (outcome `paused`), as `/paper subscriptions` shows it. */
  pauseReason?: string;
  /** Paused because Slack refused the digest itself {@link MAX_REFUSALS} times (not because of the channel). */
  refused?: boolean;
}

/** Refusals of a subscription's digest by Slack after which it pauses rather than try every tick. */
export const MAX_REFUSALS = 3;

/** What the scheduler needs; all injected, so tests drive it with a fake clock and poster. */
export interface SchedulerDeps {
  store: SubscriptionStore;
  index: PaperSearch;
  poster: DigestPoster;
  now: () => Date;
  logger: Logger;
}

/**
 * Decides which subscriptions are due and hands their digests to the poster. A run that was missed
 * while the bot was down is due at start and runs once (its next run is computed from now, not from
 * the missed time). Papers are recorded as posted only after Slack accepted the message, and one
 * subscription never runs twice at once.
 */
export class Scheduler {
  private readonly inFlight = new Set<string>();
  private readonly ticker: Ticker<DigestRun[]>;

  constructor(private readonly deps: SchedulerDeps) {
    this.ticker = new Ticker(() => this.runDue(), 'Digest tick', deps.logger);
  }

  /** Active subscriptions whose next run is at or before `now`. */
  due(now: Date): Subscription[] {
    const instant = now.toISOString();
    return this.deps.store.all().filter((s) => s.state.status === 'active' && s.nextRunAt <= instant);
  }

  /** Runs every due digest. A tick while another is running joins it instead of racing it. */
  tick(): Promise<DigestRun[]> {
    return this.ticker.tick();
  }

  /** Runs one subscription's digest now, whatever its schedule (its next scheduled run stays). */
  async runNow(subscription: Subscription): Promise<DigestRun> {
    const { run, unrecorded } = await this.run(
      subscription,
      this.deps.index,
      this.deps.now(),
      new Date(subscription.nextRunAt),
    );
    if (unrecorded) await this.deps.store.recordRun(subscription.id, unrecorded);
    return run;
  }

  /** Ticks now (catch-up) and then every `intervalMs`. */
  start(intervalMs = 30_000): void {
    this.ticker.start(intervalMs, true);
  }

  /** Stops ticking and waits for a running tick to finish. */
  stop(): Promise<void> {
    return this.ticker.stop();
  }

  private async runDue(): Promise<DigestRun[]> {
    const now = this.deps.now();
    const due = this.due(now);
    if (due.length === 0) return [];
    // Arrival is a filter inside the search, which scores only the new papers when they are few.
    const searchIndex = this.deps.index;
    // Runs that find nothing new are stored together at the end: losing them to a crash only
    // means running them again, which posts nothing. Runs that post are stored one by one.
    const quiet: Array<{ id: string; run: RunRecord }> = [];
    const runs: DigestRun[] = [];
    try {
      for (const subscription of due) {
        const { run, unrecorded } = await this.run(
          subscription,
          searchIndex,
          now,
          nextRun(subscription.schedule, now),
        );
        runs.push(run);
        if (unrecorded) quiet.push({ id: subscription.id, run: unrecorded });
      }
    } finally {
      await this.deps.store.recordRuns(quiet);
    }
    return runs;
  }

  /**
   * One digest run: settle a digest whose acceptance was never confirmed, select the papers, and
   * post them. A run that found nothing is handed back unrecorded, for the caller to store.
   */
  private async run(
    subscription: Subscription,
    index: PaperSearch,
    now: Date,
    nextRunAt: Date,
  ): Promise<{ run: DigestRun; unrecorded?: RunRecord }> {
    const { id } = subscription;
    if (this.inFlight.has(id)) return { run: { subscriptionId: id, outcome: 'busy', papers: 0 } };
    this.inFlight.add(id);
    try {
      const settled = await this.settlePending(subscription, now, nextRunAt);
      if (settled) return { run: settled };
      let digest: Digest;
      try {
        digest = await this.select(subscription, index);
      } catch (error) {
        // The search failed (the index is stopping, say): the subscription stays due.
        this.deps.logger.warn(`Digest ${id}: selecting its papers failed:`, (error as Error).message);
        return { run: { subscriptionId: id, outcome: 'failed', papers: 0, error: (error as Error).message } };
      }
      const papersSince = nextPapersSince(subscription, digest, now);
      if (digest.hits.length === 0) {
        return {
          run: { subscriptionId: id, outcome: 'nothing-new', papers: 0 },
          unrecorded: { at: now, papersSince, nextRunAt, postedPaperIds: [] },
        };
      }
      return { run: await this.post(subscription, digest.hits, { at: now, papersSince, nextRunAt }) };
    } finally {
      this.inFlight.delete(id);
    }
  }

  /**
   * A digest handed to Slack and never confirmed: find out whether it landed before posting
   * anything. Resolves to the run's outcome when that settles it, undefined to go on.
   */
  private async settlePending(
    subscription: Subscription,
    now: Date,
    nextRunAt: Date,
  ): Promise<DigestRun | undefined> {
    const { id, channel, pendingRun: pending } = subscription;
    if (!pending) return undefined;
    // Older files have no startedAt; the run key ends with the run's time.
    const since = new Date(pending.startedAt ?? pending.key.slice(pending.key.lastIndexOf('@') + 1));
    const landed = await this.deps.poster.alreadyPosted(channel, pending.key, since);
    if (landed === undefined) {
      return {
        subscriptionId: id,
        outcome: 'failed',
        papers: 0,
        error: 'could not check the previous digest',
      };
    }
    if (!landed) return undefined;
    await this.deps.store.recordRun(id, {
      at: now,
      papersSince: pending.papersSince,
      nextRunAt,
      postedPaperIds: pending.paperIds,
    });
    this.deps.logger.info(`Digest ${pending.key} had reached ${channel}; recorded without posting again.`);
    return { subscriptionId: id, outcome: 'posted', papers: pending.paperIds.length };
  }

  /** The papers of the subscription's next digest, ordered by its channel's taste. */
  private async select(subscription: Subscription, index: PaperSearch): Promise<Digest> {
    const { store } = this.deps;
    const taste = await ChannelTaste.of(store.feedbackIn(subscription.channel), this.deps.index);
    // Patient: nobody waits on a digest, so it waits for a busy index rather than be refused.
    return selectDigest(
      subscription,
      index,
      store.postedIn(subscription.channel),
      DIGEST_SIZE,
      taste.isEmpty ? undefined : taste,
      true,
    );
  }

  /**
   * Posts a digest and records the outcome: papers are recorded as posted only once Slack
   * accepted it; until then the run is pending, so that a lost answer is checked, not reposted.
   */
  private async post(
    subscription: Subscription,
    hits: SearchHit[],
    run: Omit<RunRecord, 'postedPaperIds'>,
  ): Promise<DigestRun> {
    const { store, poster, logger } = this.deps;
    const { id, channel } = subscription;
    const paperIds = hits.map((hit) => hit.paper.id);
    const key = `${id}@${run.at.toISOString()}`;
    const startedAt = run.at.toISOString();
    await store.update(id, (s) => ({
      ...s,
      pendingRun: { key, paperIds, papersSince: run.papersSince, startedAt },
    }));
    const result = await poster.post(channel, { subscription, hits }, key);
    if (result.ok) {
      await store.recordRun(id, { ...run, postedPaperIds: paperIds });
      return { subscriptionId: id, outcome: 'posted', papers: hits.length };
    }
    const { ambiguous, refused } = result;
    const refusals = refused
      ? { count: (store.get(id)?.refusals?.count ?? 0) + 1, error: result.error.replace(/[^a-z_]/g, '') }
      : store.get(id)?.refusals;
    const pauseReason =
      result.pauseReason ??
      (refusals && refusals.count >= MAX_REFUSALS
        ? `Slack refused this digest ${refusals.count} times (${refusals.error}); /paper resume tries again`
        : undefined);
    if (!ambiguous || pauseReason) {
      // Certainly not posted: nothing to look for later. Pause when someone must act first.
      await store.update(id, ({ pendingRun: _, refusals: __, ...s }) => ({
        ...s,
        ...(refusals ? { refusals } : {}),
        ...(pauseReason
          ? { state: { status: 'paused', reason: pauseReason, since: run.at.toISOString() } }
          : {}),
      }));
    }
    if (pauseReason) {
      logger.warn(`Subscription ${id} in ${channel} paused: ${pauseReason}`);
      return {
        subscriptionId: id,
        outcome: 'paused',
        papers: 0,
        error: result.error,
        pauseReason,
        ...(result.pauseReason ? {} : { refused: true }),
      };
    }
    // Left due (with pendingRun kept when the post may have landed): the next tick tries again.
    logger.warn(`Digest ${id} for ${channel} not posted (${result.error}); retrying on the next tick.`);
    return { subscriptionId: id, outcome: 'failed', papers: 0, error: result.error };
  }
}
