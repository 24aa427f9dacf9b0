import type { Logger } from '../logger.js';
import type { PaperIndex } from '../search/paperIndex.js';
import type { SlackMessage } from '../slack/blocks/message.js';
import { digestMessage } from '../slack/blocks/subscriptions.js';
import { Ticker } from '../ticker.js';
import { ChannelTaste, DIGEST_SIZE, nextPapersSince, selectDigest } from './digest.js';
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
    };

/** Delivers digests to channels (Slack, or the console). */
export interface DigestPoster {
  /** Posts a digest, tagged with `runKey` so that it can be recognised later. */
  post(channel: string, message: SlackMessage, runKey: string): Promise<PostResult>;
  /** Whether the digest tagged `runKey` is in the channel; undefined when that cannot be told now. */
  alreadyPosted(channel: string, runKey: string): Promise<boolean | undefined>;
}

/** The outcome of one digest run. */
export interface DigestRun {
  subscriptionId: string;
  outcome: 'posted' | 'nothing-new' | 'paused' | 'failed' | 'busy';
  papers: number;
  error?: string;
}

/** What the scheduler needs; all injected, so tests drive it with a fake clock and poster. */
export interface SchedulerDeps {
  store: SubscriptionStore;
  index: PaperIndex;
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
    return this.run(subscription, this.deps.index, this.deps.now(), false);
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
      for (const subscription of due) runs.push(await this.run(subscription, searchIndex, now, true, quiet));
    } finally {
      await this.deps.store.recordRuns(quiet);
    }
    return runs;
  }

  private async run(
    subscription: Subscription,
    index: PaperIndex,
    now: Date,
    scheduled: boolean,
    quiet?: Array<{ id: string; run: RunRecord }>,
  ): Promise<DigestRun> {
    const { id, channel } = subscription;
    if (this.inFlight.has(id)) return { subscriptionId: id, outcome: 'busy', papers: 0 };
    this.inFlight.add(id);
    try {
      const { store, poster, logger } = this.deps;
      const nextRunAt = scheduled ? nextRun(subscription.schedule, now) : new Date(subscription.nextRunAt);
      const pending = subscription.pendingRun;
      if (pending) {
        // A digest was handed to Slack and never confirmed: find out before posting anything.
        const landed = await poster.alreadyPosted(channel, pending.key);
        if (landed === undefined) {
          return {
            subscriptionId: id,
            outcome: 'failed',
            papers: 0,
            error: 'could not check the previous digest',
          };
        }
        if (landed) {
          await store.recordRun(id, {
            at: now,
            papersSince: pending.papersSince,
            nextRunAt,
            postedPaperIds: pending.paperIds,
          });
          logger.info(`Digest ${pending.key} had reached ${channel}; recorded without posting again.`);
          return { subscriptionId: id, outcome: 'posted', papers: pending.paperIds.length };
        }
      }
      const taste = new ChannelTaste(store.feedbackIn(channel), this.deps.index);
      const digest = selectDigest(
        subscription,
        index,
        store.postedIn(channel),
        DIGEST_SIZE,
        taste.isEmpty ? undefined : taste,
      );
      const { hits } = digest;
      const papersSince = nextPapersSince(subscription, digest, now);
      if (hits.length === 0) {
        const run = { at: now, papersSince, nextRunAt, postedPaperIds: [] };
        if (quiet) quiet.push({ id, run });
        else await store.recordRun(id, run);
        return { subscriptionId: id, outcome: 'nothing-new', papers: 0 };
      }
      const paperIds = hits.map((hit) => hit.paper.id);
      const key = `${id}@${now.toISOString()}`;
      await store.update(id, (s) => ({ ...s, pendingRun: { key, paperIds, papersSince } }));
      const result = await poster.post(channel, digestMessage(subscription, hits), key);
      if (result.ok) {
        await store.recordRun(id, {
          at: now,
          papersSince,
          nextRunAt,
          postedPaperIds: hits.map((hit) => hit.paper.id),
        });
        return { subscriptionId: id, outcome: 'posted', papers: hits.length };
      }
      const { pauseReason, ambiguous } = result;
      if (!ambiguous || pauseReason) {
        // Certainly not posted: nothing to look for later. Pause when someone must act first.
        await store.update(id, ({ pendingRun: _, ...s }) =>
          pauseReason
            ? { ...s, state: { status: 'paused', reason: pauseReason, since: now.toISOString() } }
            : s,
        );
      }
      if (pauseReason) {
        logger.warn(`Subscription ${id} in ${channel} paused: ${result.error}`);
        return { subscriptionId: id, outcome: 'paused', papers: 0, error: result.error };
      }
      // Left due (with pendingRun kept when the post may have landed): the next tick tries again.
      logger.warn(`Digest ${id} for ${channel} not posted (${result.error}); retrying on the next tick.`);
      return { subscriptionId: id, outcome: 'failed', papers: 0, error: result.error };
    } finally {
      this.inFlight.delete(id);
    }
  }
}
