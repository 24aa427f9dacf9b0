import type { SlackMessage } from '../../src/blocks/message.js';
import { renderDigest } from '../../src/blocks/subscriptions.js';
import { Replies } from '../../src/bot/replies.js';
import type { CommandContext } from '../../src/bot/subscriptionReplies.js';
import { Library } from '../../src/library.js';
import { silentLogger } from '../../src/logger.js';
import type { Paper } from '../../src/papers/paper.js';
import { searchDocument } from '../../src/search/paperSearch.js';
import type { Searcher } from '../../src/search/searcher.js';
import {
  type DigestPoster,
  type DigestTarget,
  type OutgoingDigest,
  type PostResult,
  Scheduler,
} from '../../src/subscriptions/scheduler.js';
import { createMemoryStore, type SubscriptionStore } from '../../src/subscriptions/store.js';
import { BundledSearcher } from './bundledIndex.js';
import { bundledPapers } from './papers.js';

/** A clock that moves only when told to. */
export class FakeClock {
  constructor(private current: Date) {}
  readonly now = (): Date => new Date(this.current);
  /** Moves to an instant (ISO string or Date). */
  set(instant: string | Date): void {
    this.current = new Date(instant);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

/** How the next post goes: a result, and whether the message reached the channel anyway. */
export type ScriptedPost = PostResult & { landed?: boolean };

/**
 * A poster that records every digest that reached its channel (and the message Slack would have
 * shown) and answers with the scripted results (ok by default). `landed: true` on a failure plays
 * a post whose answer was lost.
 */
export class RecordingPoster implements DigestPoster {
  readonly posts: Array<{
    channel: string;
    team: string;
    digest: OutgoingDigest;
    message: SlackMessage;
    runKey: string;
  }> = [];
  readonly results: ScriptedPost[] = [];
  /** While true, alreadyPosted cannot tell (the history call fails). */
  historyUnavailable = false;
  async post(target: DigestTarget, digest: OutgoingDigest, runKey: string): Promise<PostResult> {
    const { landed, ...result } = this.results.shift() ?? { ok: true };
    const message = renderDigest(digest, target.channel);
    const { channel, team } = target;
    if (result.ok || landed) this.posts.push({ channel, team, digest, message, runKey });
    return result;
  }
  async alreadyPosted(target: DigestTarget, runKey: string): Promise<boolean | undefined> {
    if (this.historyUnavailable) return undefined;
    return this.posts.some(
      (post) => post.team === target.team && post.channel === target.channel && post.runKey === runKey,
    );
  }
}

/** Everything `Replies` works with, in memory, for one test. */
export interface BotFixture {
  replies: Replies;
  index: Library;
  store: SubscriptionStore;
  scheduler: Scheduler;
  clock: FakeClock;
  poster: RecordingPoster;
}

/** A searcher for a library over the bundled corpus: its index is built once per file (see BundledSearcher). */
export function bundledSearcher(): BundledSearcher {
  return new BundledSearcher(() => bundledPapers().map(searchDocument));
}

/** Replies over `papers` (default: the bundled seed) with an in-memory store and a fake clock. */
export async function makeBot(
  options: { papers?: Paper[]; store?: SubscriptionStore; now?: string; searcher?: Searcher } = {},
): Promise<BotFixture> {
  const searcher = options.searcher ?? (options.papers ? undefined : bundledSearcher());
  const index = await Library.inMemory(options.papers ?? bundledPapers(), searcher ? { searcher } : {});
  const store = options.store ?? createMemoryStore();
  const clock = new FakeClock(new Date(options.now ?? '2026-11-26T12:00:00Z'));
  const poster = new RecordingPoster();
  const scheduler = new Scheduler({ store, index, poster, now: clock.now, logger: silentLogger });
  const replies = new Replies({ index, store, scheduler, now: clock.now, logger: silentLogger });
  return { replies, index, store, scheduler, clock, poster };
}

/** A command context for channel C0GENERAL of T0TEST whose announcements are recorded. */
export function commandContext(
  overrides: Partial<CommandContext> = {},
): CommandContext & { announced: SlackMessage[] } {
  const announced: SlackMessage[] = [];
  return {
    team: 'T0TEST',
    channel: 'C0GENERAL',
    user: 'U0ALICE',
    userTimezone: async () => 'Europe/Paris',
    announce: async (message) => {
      announced.push(message);
      return { ok: true };
    },
    announced,
    ...overrides,
  };
}
