import { createHash } from 'node:crypto';
import type { PaperUpdate } from '../library.js';
import type { Logger } from '../logger.js';
import type { Paper } from '../papers/paper.js';
import { type FollowUp, type News, newsKey, type Sighting } from './discussion.js';
import { newsOf } from './news.js';
import type { DiscussionStore } from './store.js';

/** A channel of a workspace. */
export interface ChannelTarget {
  team: string;
  /** The workspace's Enterprise Grid org, when it is in one (to find the token). */
  enterprise?: string;
  channel: string;
}

/** A thread of a channel: where a follow-up goes. */
export type ThreadTarget = ChannelTarget & { threadTs: string };

/**
 * What posting a follow-up came to: the scheduler's PostResult, seen from here (this folder does
 * not import the scheduler's, which imports this folder's store).
 */
export type FollowUpResult =
  | { ok: true }
  | { ok: false; error: string; pauseReason?: string; ambiguous?: boolean; refused?: boolean };

/** A follow-up to deliver, as domain values: the poster renders it for its surface. */
export interface OutgoingFollowUp {
  paper: Paper;
  news: News;
  /** For news of a citation: the new paper that cites `paper` (its card is shown). */
  citing?: Paper;
}

/** A newly ingested paper, and the ids of the papers of the corpus it cites. */
export interface Citing {
  citing: Paper;
  cited: readonly string[];
}

/** Delivers follow-ups to threads (Slack, or the console). */
export interface FollowUpPoster {
  /** Whether the channel is archived (no follow-up goes there); undefined when that cannot be told. */
  isArchived(target: ChannelTarget): Promise<boolean | undefined>;
  /** Posts a follow-up in its thread, tagged with `key` so that it can be recognised later. */
  post(target: ThreadTarget, followUp: OutgoingFollowUp, key: string): Promise<FollowUpResult>;
  /** Whether the reply tagged `key`, first tried at `since`, is in the thread; undefined when that cannot be told. */
  alreadyPosted(target: ThreadTarget, key: string, since: Date): Promise<boolean | undefined>;
}

/** What the follow-ups need; all injected. */
export interface FollowUpDeps {
  store: DiscussionStore;
  poster: FollowUpPoster;
  /** The current version of a paper (for a follow-up settled later). */
  paper(id: string): Promise<Paper | undefined>;
  now: () => Date;
  logger: Logger;
}

/** How long a pending follow-up may be in flight before another run takes it over (a post's retries end well before). */
export const STALE_AFTER_MS = 10 * 60 * 1000;

/** The outcome of one follow-up. */
export interface FollowUpRun {
  key: string;
  outcome: 'posted' | 'skipped' | 'failed' | 'taken';
  error?: string;
}

/**
 * Replies in the threads where a paper was posted or discussed when it gets news (a code
 * repository, a new arXiv version, upvotes past a threshold), once per thread and news, never in
 * an archived channel. The never-twice protocol of digests: the follow-up is recorded as pending
 * before it is posted (a unique row per thread, paper and news: one replica wins it), carries its
 * key in Slack metadata, and one whose fate is unknown (a lost answer, a replica that died) is
 * looked for in the thread before it is posted again.
 */
export class FollowUps {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: FollowUpDeps) {}

  /** Hears of papers an ingest changed (Library.onUpdated): tells their threads, in the background. */
  readonly onUpdated = (updates: PaperUpdate[]): void => {
    void this.handle(updates).catch((error: unknown) => this.deps.logger.warn('Follow-ups failed:', error));
  };

  /** Tells every thread of every changed paper its news (and settles stale follow-ups first), one call at a time. */
  handle(updates: readonly PaperUpdate[]): Promise<FollowUpRun[]> {
    const next = this.queue.then(async () => [...(await this.settleNow()), ...(await this.tell(updates))]);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Resolves once the follow-ups under way are done (tests, and a clean shutdown). */
  async idle(): Promise<void> {
    await this.queue;
  }

  /**
   * Tells the threads of each cited paper that a new paper cites it, once per thread, cited and
   * citing paper (the same protocol as other news), one call at a time with the others.
   */
  tellCitations(citations: readonly Citing[]): Promise<FollowUpRun[]> {
    const next = this.queue.then(async () => {
      const runs: FollowUpRun[] = [];
      for (const { citing, cited } of citations) {
        const ids = [...new Set(cited)].filter((id) => id !== citing.id);
        if (ids.length === 0) continue;
        const sightings = await this.deps.store.threadsOf(ids);
        for (const id of ids) {
          const here = threads(sightings.filter((s) => s.paperId === id));
          if (here.length === 0) continue;
          const paper = await this.deps.paper(id);
          if (!paper) continue;
          for (const thread of here)
            runs.push(await this.tellOne(thread, paper, { kind: 'cited', by: citing.id }, citing));
        }
      }
      return runs;
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Settles follow-ups left pending by a run that died or whose answer was lost. */
  settle(): Promise<FollowUpRun[]> {
    const next = this.queue.then(() => this.settleNow());
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async tell(updates: readonly PaperUpdate[]): Promise<FollowUpRun[]> {
    const withNews = updates
      .map(({ before, after }) => ({ paper: after, news: newsOf(before, after) }))
      .filter(({ news }) => news.length > 0);
    if (withNews.length === 0) return [];
    const sightings = await this.deps.store.threadsOf(withNews.map(({ paper }) => paper.id));
    const runs: FollowUpRun[] = [];
    for (const { paper, news } of withNews) {
      for (const thread of threads(sightings.filter((s) => s.paperId === paper.id))) {
        for (const item of news) runs.push(await this.tellOne(thread, paper, item));
      }
    }
    return runs;
  }

  private async tellOne(thread: Sighting, paper: Paper, news: News, citing?: Paper): Promise<FollowUpRun> {
    const { store, now } = this.deps;
    const followUp: FollowUp = {
      team: thread.team,
      ...(thread.enterprise ? { enterprise: thread.enterprise } : {}),
      channel: thread.channel,
      threadTs: thread.threadTs,
      paperId: paper.id,
      news,
      key: followUpKey(thread, paper.id, news),
      status: 'pending',
      startedAt: now().toISOString(),
    };
    // Recorded before posting: whoever recorded it posts it; everyone else (a second replica, a
    // later ingest of the same news) finds it recorded.
    if (!(await store.claimFollowUp(followUp))) return { key: followUp.key, outcome: 'taken' };
    return this.deliver(followUp, paper, citing);
  }

  private async deliver(followUp: FollowUp, paper: Paper, citing?: Paper): Promise<FollowUpRun> {
    const { store, poster, logger } = this.deps;
    const { key } = followUp;
    const target = targetOf(followUp);
    const archived = await poster.isArchived(target);
    if (archived) {
      await store.finish(followUp, 'skipped', 'is_archived');
      return { key, outcome: 'skipped', error: 'is_archived' };
    }
    const result = await poster.post(
      { ...target, threadTs: followUp.threadTs },
      { paper, news: followUp.news, ...(citing ? { citing } : {}) },
      key,
    );
    if (result.ok) {
      await store.finish(followUp, 'posted');
      return { key, outcome: 'posted' };
    }
    if (result.pauseReason || result.refused) {
      // Slack will not take it there (archived, bot removed, channel gone): never try again.
      await store.finish(followUp, 'skipped', result.error);
      return { key, outcome: 'skipped', error: result.error };
    }
    // Left pending (maybe posted: the answer was lost; or Slack was down): settled by a later run.
    logger.warn(
      `Follow-up ${key} in ${followUp.channel} not confirmed (${result.error}); it will be checked.`,
    );
    return { key, outcome: 'failed', error: result.error };
  }

  private async settleNow(): Promise<FollowUpRun[]> {
    const { store, poster, now } = this.deps;
    const runs: FollowUpRun[] = [];
    const stale = await store.stalePending(new Date(now().getTime() - STALE_AFTER_MS));
    for (const followUp of stale) {
      if (!(await store.retake(followUp, followUp.startedAt, now()))) continue; // another run has it
      const target = { ...targetOf(followUp), threadTs: followUp.threadTs };
      const landed = await poster.alreadyPosted(target, followUp.key, new Date(followUp.startedAt));
      if (landed === undefined) {
        runs.push({ key: followUp.key, outcome: 'failed', error: 'could not check the thread' });
        continue;
      }
      if (landed) {
        await store.finish(followUp, 'posted');
        runs.push({ key: followUp.key, outcome: 'posted' });
        continue;
      }
      const paper = await this.deps.paper(followUp.paperId);
      const citing = followUp.news.kind === 'cited' ? await this.deps.paper(followUp.news.by) : undefined;
      if (!paper || (followUp.news.kind === 'cited' && !citing)) {
        await store.finish(followUp, 'skipped', 'paper_gone');
        continue;
      }
      runs.push(await this.deliver(followUp, paper, citing));
    }
    return runs;
  }
}

/** One sighting per thread (a digest names five papers in one message; a thread may have several sightings). */
function threads(sightings: readonly Sighting[]): Sighting[] {
  const byThread = new Map<string, Sighting>();
  for (const s of sightings) byThread.set(`${s.team}\u0000${s.channel}\u0000${s.threadTs}`, s);
  return [...byThread.values()];
}

function targetOf(followUp: Pick<FollowUp, 'team' | 'channel' | 'enterprise'>): ChannelTarget {
  const { team, channel, enterprise } = followUp;
  return enterprise ? { team, enterprise, channel } : { team, channel };
}

/** The follow-up's key: the same thread, paper and news always give the same one (hashed: URLs are long). */
export function followUpKey(
  thread: Pick<Sighting, 'channel' | 'threadTs'>,
  paperId: string,
  news: News,
): string {
  const hash = createHash('sha256')
    .update(`${thread.channel}\u0000${thread.threadTs}\u0000${paperId}\u0000${newsKey(news)}`)
    .digest('hex')
    .slice(0, 32);
  return `followup:${hash}`;
}
