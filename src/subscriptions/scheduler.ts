import { type Recap, recapOf } from '../discussions/recap.js';
import type { DiscussionStore } from '../discussions/store.js';
import type { Logger } from '../logger.js';
import type { CitationCount, CitationStore } from '../papers/citations.js';
import type { PaperSearch, SearchHit } from '../search/paperSearch.js';
import { Ticker } from '../ticker.js';
import {
  ChannelTaste,
  DIGEST_SIZE,
  type Digest,
  nextDigest,
  nextPapersSince,
  recapDigest,
} from './digest.js';
import { nextRun } from './schedule.js';
import type { ClaimedChannel, DigestClaims, RunRecord, SubscriptionKey, SubscriptionStore } from './store.js';
import type { ChannelRef, Subscription } from './subscription.js';
import { followedAuthors, isRecapTopic, recapPeriod } from './topics.js';

/** What posting a message to a channel came to. */
export type PostResult =
  /** `ts`: the message Slack stored (when the answer said; not after a lost answer was found in the history). */
  | { ok: true; ts?: string; permalink?: string }
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
  /** The `author:` filters of the channel's subscriptions: cards mark these authors as followed. */
  followedAuthors?: readonly string[];
  /** For a recap subscription: what the workspace discussed (shown instead of cards). */
  recap?: Recap;
  /** The known citation counts of its papers (by paper id), from the cache. */
  citations?: ReadonlyMap<string, CitationCount>;
}

/** Where a digest goes: a channel of a workspace (and its Enterprise Grid org, to find the token). */
export type DigestTarget = ChannelRef & { enterprise?: string };

/** The target of a subscription's digests. */
export function targetOf(subscription: Subscription): DigestTarget {
  const { team, channel, enterprise } = subscription;
  return enterprise === undefined ? { team, channel } : { team, channel, enterprise };
}

/** Delivers digests to channels (Slack, or the console). */
export interface DigestPoster {
  /** Posts a digest, tagged with `runKey` so that it can be recognised later. */
  post(target: DigestTarget, digest: OutgoingDigest, runKey: string): Promise<PostResult>;
  /**
   * Whether the digest tagged `runKey`, first tried at `since`, is in the channel; undefined when
   * that cannot be told now.
   */
  alreadyPosted(target: DigestTarget, runKey: string, since: Date): Promise<boolean | undefined>;
  /**
   * Whether everyone in the target channel can see `channel` (a public channel), for a recap to
   * name it; without this, a recap names its own channel only.
   */
  canSee?(target: DigestTarget, channel: string): Promise<boolean>;
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

/**
 * Channels claimed at a time. Small enough that replicas share a tick's channels evenly and a
 * killed replica leaves little to take over; large enough that claiming costs a few queries per
 * fifty channels.
 */
export const CLAIM_BATCH = 50;

/**
 * Channels whose digests one replica posts at the same time. Each is a round trip to Slack (and
 * two statements to the store); eight keep a tick of 10,000 digests in minutes rather than an
 * hour, far below Slack's per-workspace limits (several hundred posts a minute; 429s are waited
 * out).
 */
export const CHANNELS_AT_ONCE = 8;

/** What the scheduler needs; all injected, so tests drive it with a fake clock and poster. */
export interface SchedulerDeps {
  store: SubscriptionStore;
  index: PaperSearch;
  poster: DigestPoster;
  now: () => Date;
  logger: Logger;
  /** Told of every digest run (metrics). */
  observe?: (run: DigestRun) => void;
  /**
   * The workspaces' memory: digests skip papers their channel already saw as a shared link, and
   * what they post is remembered there (none: neither).
   */
  discussions?: DiscussionStore;
  /** The citation cache: digest cards say how often their papers are cited (none: they do not). */
  citations?: CitationStore;
}

/**
 * Decides which subscriptions are due and hands their digests to the poster. A run that was missed
 * while the bot was down is due at start and runs once (its next run is computed from now, not from
 * the missed time). Papers are recorded as posted only after Slack accepted the message.
 *
 * Any number of schedulers (replicas) can share one store: each claims channels through its
 * store's {@link DigestClaims} session, so every channel's due digests are posted by one of them,
 * once; a replica that dies leaves its claimed channels to the next one that claims. A subscription
 * never runs twice at once, and a digest whose fate is unknown (its replica died mid-post, or
 * Slack's answer was lost) is looked for in the channel before anything is posted again.
 */
export class Scheduler {
  private readonly ticker: Ticker<DigestRun[]>;
  private claims: DigestClaims | undefined;
  private opening: Promise<DigestClaims> | undefined;
  /** Set by stop(): no new channel is claimed or started, the digests being posted finish. */
  private draining = false;

  constructor(private readonly deps: SchedulerDeps) {
    this.ticker = new Ticker(() => this.runDue(), 'Digest tick', deps.logger);
  }

  /** Runs every due digest this replica can claim. A tick while another is running joins it instead of racing it. */
  tick(): Promise<DigestRun[]> {
    return this.ticker.tick();
  }

  /**
   * Runs one subscription's digest now, whatever its schedule (its next scheduled run stays);
   * `busy` while a digest of its channel is being posted.
   */
  async runNow(subscription: Subscription): Promise<DigestRun> {
    const claims = await this.session();
    const claimed = await claims.claimChannel(subscription);
    const { id } = subscription;
    if (!claimed) return { subscriptionId: id, outcome: 'busy', papers: 0 };
    try {
      const current = claimed.subscriptions.find((s) => s.id === id);
      await this.addLinked(claimed);
      if (!current) return { subscriptionId: id, outcome: 'failed', papers: 0, error: 'it was removed' };
      if (current.state.status === 'paused')
        return { subscriptionId: id, outcome: 'paused', papers: 0, pauseReason: current.state.reason };
      const { run, unrecorded } = await this.run(
        current,
        claimed,
        this.deps.index,
        this.deps.now(),
        new Date(current.nextRunAt),
        claims,
      );
      if (unrecorded) await this.deps.store.recordRun(current, unrecorded);
      this.deps.observe?.(run);
      return run;
    } finally {
      await claims.release([claimed]);
    }
  }

  /** Ticks now (catch-up) and then every `intervalMs`. */
  start(intervalMs = 30_000): void {
    this.ticker.start(intervalMs, true);
  }

  /**
   * Stops ticking and takes no new work: the running tick finishes the digests being posted (and
   * records them), claims nothing more and gives its other channels back, still due, for the next
   * start or another replica. Then ends the claim session.
   */
  async stop(): Promise<void> {
    this.draining = true;
    await this.ticker.stop();
    await this.claims?.close();
  }

  /** This replica's claim session: opened on first use, and again after the last one was lost. */
  private session(): Promise<DigestClaims> {
    if (this.claims && !this.claims.lost) return Promise.resolve(this.claims);
    this.opening ??= this.deps.store
      .openClaims()
      .then((claims) => {
        this.claims = claims;
        return claims;
      })
      .finally(() => {
        this.opening = undefined;
      });
    return this.opening;
  }

  private async runDue(): Promise<DigestRun[]> {
    const now = this.deps.now();
    const claims = await this.session();
    const runs: DigestRun[] = [];
    // Channels with a run left due (failed, to be retried at the next tick): held until this tick
    // ends, so that it does not claim them again and retry at once.
    const held: ClaimedChannel[] = [];
    try {
      while (!this.draining) {
        const batch = await claims.claimDue(now, CLAIM_BATCH);
        if (batch.length === 0) break;
        let retry = new Set<ClaimedChannel>();
        try {
          const done = await this.runBatch(batch, now, claims);
          runs.push(...done.runs);
          retry = done.retry;
          held.push(...retry);
        } finally {
          await claims.release(batch.filter((channel) => !retry.has(channel)));
        }
      }
    } finally {
      await claims.release(held).catch(() => undefined); // a lost session has released them already
    }
    return runs;
  }

  /**
   * The runs of a batch of claimed channels: {@link CHANNELS_AT_ONCE} channels at a time, each
   * channel's digests one after the other (its ledger and its rate limit are one worker's), so
   * that a tick is not as long as the sum of every post's round trip to Slack.
   */
  private async runBatch(
    batch: ClaimedChannel[],
    now: Date,
    claims: DigestClaims,
  ): Promise<{ runs: DigestRun[]; retry: Set<ClaimedChannel> }> {
    // Arrival is a filter inside the search, which scores only the new papers when they are few.
    const searchIndex = this.deps.index;
    // Runs that find nothing new are stored together at the end: losing them to a crash only
    // means running them again, which posts nothing. Runs that post are stored one by one.
    const quiet: Array<{ key: SubscriptionKey; run: RunRecord }> = [];
    const runs: DigestRun[] = [];
    const retry = new Set<ClaimedChannel>();
    const waiting = [...batch];
    const next = () => (this.draining ? undefined : waiting.shift());
    const worker = async () => {
      for (let channel = next(); channel; channel = next()) {
        await this.addLinked(channel);
        for (const subscription of channel.subscriptions) {
          if (this.draining) break; // the channel is given back with this digest still due
          const { run, unrecorded } = await this.run(
            subscription,
            channel,
            searchIndex,
            now,
            nextRun(subscription.schedule, now),
            claims,
          );
          runs.push(run);
          this.deps.observe?.(run);
          if (unrecorded) quiet.push({ key: subscription, run: unrecorded });
          if (run.outcome === 'failed' || run.outcome === 'busy') retry.add(channel);
        }
      }
    };
    try {
      // Every worker settles before the batch's channels are released: a channel must never be
      // given back while one of its digests is still being posted.
      const settled = await Promise.allSettled(
        Array.from({ length: Math.min(CHANNELS_AT_ONCE, batch.length) }, worker),
      );
      const failure = settled.find((result) => result.status === 'rejected');
      if (failure) throw failure.reason;
    } finally {
      await this.deps.store.recordRuns(quiet);
    }
    return { runs, retry };
  }

  /**
   * One digest run in a claimed channel: settle a digest whose acceptance was never confirmed,
   * select the papers, and post them. A run that found nothing is handed back unrecorded, for the
   * caller to store. What it posts joins the channel's ledger at once, so that the channel's next
   * digest in this batch does not pick the same papers.
   */
  private async run(
    subscription: Subscription,
    channel: ClaimedChannel,
    index: PaperSearch,
    now: Date,
    nextRunAt: Date,
    claims: DigestClaims,
  ): Promise<{ run: DigestRun; unrecorded?: RunRecord }> {
    const { id } = subscription;
    const settled = await this.settlePending(subscription, now, nextRunAt);
    if (settled) {
      for (const paperId of subscription.pendingRun?.paperIds ?? []) addPosted(channel, paperId, now);
      return { run: settled };
    }
    let digest: Digest;
    try {
      digest = await this.select(subscription, channel, index, now);
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
    const followed = followedAuthors([subscription, ...channel.subscriptions]);
    const citations = await this.citationsOf(digest.hits);
    const run = await this.post(
      subscription,
      {
        hits: digest.hits,
        followedAuthors: followed,
        ...(digest.recap ? { recap: digest.recap } : {}),
        ...(citations.size > 0 ? { citations } : {}),
      },
      { at: now, papersSince, nextRunAt },
      claims,
    );
    if (run.outcome === 'posted') for (const hit of digest.hits) addPosted(channel, hit.paper.id, now);
    return { run };
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
    const landed = await this.deps.poster.alreadyPosted(targetOf(subscription), pending.key, since);
    if (landed === undefined) {
      return {
        subscriptionId: id,
        outcome: 'failed',
        papers: 0,
        error: 'could not check the previous digest',
      };
    }
    if (!landed) return undefined;
    await this.deps.store.recordRun(subscription, {
      at: now,
      papersSince: pending.papersSince,
      nextRunAt,
      postedPaperIds: pending.paperIds,
    });
    this.deps.logger.info(`Digest ${pending.key} had reached ${channel}; recorded without posting again.`);
    return { subscriptionId: id, outcome: 'posted', papers: pending.paperIds.length };
  }

  /**
   * Puts the papers the channel already saw as a shared link (or a shared card) among those it was
   * posted, for its digests to skip; they are not recorded as posted.
   */
  private async addLinked(channel: ClaimedChannel): Promise<void> {
    const { discussions, logger } = this.deps;
    if (!discussions) return;
    try {
      for (const paperId of await discussions.linkedIn(channel))
        if (!Object.hasOwn(channel.posted, paperId)) channel.posted[paperId] = 'linked'; // not a date: never stored
    } catch (error) {
      logger.warn(`Could not read the papers linked in ${channel.channel}:`, error);
    }
  }

  /** The papers of the subscription's next digest, ordered by its channel's taste. */
  private async select(
    subscription: Subscription,
    channel: ClaimedChannel,
    index: PaperSearch,
    now: Date,
  ): Promise<Digest> {
    if (isRecapTopic(subscription.topic)) return this.recap(subscription, channel, now);
    const taste = await ChannelTaste.of(channel.feedback, this.deps.index);
    // Patient: nobody waits on a digest, so it waits for a busy index rather than be refused.
    return nextDigest(
      subscription,
      index,
      channel.posted,
      now,
      DIGEST_SIZE,
      taste.isEmpty ? undefined : taste,
      true,
    );
  }

  /**
   * A recap subscription's digest: what the workspace discussed in the period, as its channel can
   * see it (the channel itself, and the channels the poster says everyone there can see).
   */
  private async recap(subscription: Subscription, channel: ClaimedChannel, now: Date): Promise<Digest> {
    const { discussions, poster, index } = this.deps;
    if (!discussions) return { hits: [], overflow: false };
    const target = targetOf(subscription);
    const recap = await recapOf(
      { store: discussions, paper: (id) => index.get(id) },
      subscription.team,
      {
        channel: subscription.channel,
        canSee: async (other) => (poster.canSee ? poster.canSee(target, other) : false),
      },
      recapPeriod(subscription.schedule),
      now,
      channel.feedback,
    );
    return recapDigest(recap);
  }

  /**
   * The cached citation counts of a digest's papers (by paper id): one read. A digest's papers are
   * mostly new ones, which the citation tracker fetches from their ingest on. A failure only costs
   * the counts.
   */
  private async citationsOf(hits: readonly SearchHit[]): Promise<Map<string, CitationCount>> {
    const { citations, logger } = this.deps;
    const byPaper = new Map<string, CitationCount>();
    if (!citations) return byPaper;
    const byArxiv = new Map(
      hits.flatMap(({ paper }) => (paper.arxivId ? [[paper.arxivId, paper.id] as const] : [])),
    );
    try {
      for (const [arxivId, count] of await citations.counts([...byArxiv.keys()]))
        byPaper.set(byArxiv.get(arxivId) as string, count);
    } catch (error) {
      logger.warn('Could not read citation counts for a digest:', error);
    }
    return byPaper;
  }

  /** Remembers where a digest posted its papers (its thread is where their follow-ups go). */
  private async remember(
    subscription: Subscription,
    paperIds: string[],
    result: { ts?: string; permalink?: string },
    at: Date,
  ): Promise<void> {
    const { discussions, logger } = this.deps;
    const { ts, permalink } = result;
    if (!discussions || ts === undefined) return;
    const { team, channel, enterprise } = subscription;
    try {
      await discussions.record(
        paperIds.map((paperId) => ({
          team,
          ...(enterprise ? { enterprise } : {}),
          channel,
          ts,
          threadTs: ts,
          paperId,
          kind: 'digest' as const,
          at: at.toISOString(),
          ...(permalink ? { permalink } : {}),
        })),
      );
    } catch (error) {
      logger.warn(`Could not remember digest ${subscription.id}'s papers:`, error);
    }
  }

  /**
   * Posts a digest and records the outcome: papers are recorded as posted only once Slack
   * accepted it; until then the run is pending, so that a lost answer is checked, not reposted.
   */
  private async post(
    subscription: Subscription,
    { hits, followedAuthors: followed, recap, citations }: Omit<OutgoingDigest, 'subscription'>,
    run: Omit<RunRecord, 'postedPaperIds'>,
    claims: DigestClaims,
  ): Promise<DigestRun> {
    const { store, poster, logger } = this.deps;
    const { id, team, channel } = subscription;
    const paperIds = hits.map((hit) => hit.paper.id);
    const key = `${id}@${run.at.toISOString()}`;
    const startedAt = run.at.toISOString();
    const pending = { key, paperIds, papersSince: run.papersSince, startedAt };
    if (!(await claims.markPending(subscription, pending))) {
      // The channel is no longer this replica's (its session was lost) or the subscription is gone.
      return { subscriptionId: id, outcome: 'busy', papers: 0 };
    }
    const result = await poster.post(
      targetOf(subscription),
      {
        subscription,
        hits,
        ...(followed ? { followedAuthors: followed } : {}),
        ...(recap ? { recap } : {}),
        ...(citations ? { citations } : {}),
      },
      key,
    );
    if (result.ok) {
      await store.recordRun(subscription, { ...run, postedPaperIds: paperIds });
      await this.remember(subscription, paperIds, result, run.at);
      return { subscriptionId: id, outcome: 'posted', papers: hits.length };
    }
    const { ambiguous, refused } = result;
    const refusals = refused
      ? { count: (subscription.refusals?.count ?? 0) + 1, error: result.error.replace(/[^a-z_]/g, '') }
      : subscription.refusals;
    const pauseReason =
      result.pauseReason ??
      (refusals && refusals.count >= MAX_REFUSALS
        ? `Slack refused this digest ${refusals.count} times (${refusals.error}); /paper resume tries again`
        : undefined);
    if (!ambiguous || pauseReason) {
      // Certainly not posted: nothing to look for later. Pause when someone must act first.
      await store.update(team, id, ({ pendingRun: _, refusals: __, ...s }) => ({
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

/**
 * Adds a paper to a claimed channel's ledger (own keys only: `??=` would find Object.prototype's
 * `constructor` and skip a paper with that id).
 */
function addPosted(channel: ClaimedChannel, paperId: string, at: Date): void {
  if (!Object.hasOwn(channel.posted, paperId)) channel.posted[paperId] = at.toISOString();
}
