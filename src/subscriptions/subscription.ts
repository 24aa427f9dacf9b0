import { z } from 'zod';
import { Schedule } from './schedule.js';

/** Whether a subscription posts, and if not, why. */
export const SubscriptionState = z.discriminatedUnion('status', [
  z.object({ status: z.literal('active') }),
  z.object({
    status: z.literal('paused'),
    /** Shown in `/paper subscriptions`: who paused it, or what Slack said (`not_in_channel`...). */
    reason: z.string().max(500),
    since: z.iso.datetime(),
  }),
]);
export type SubscriptionState = z.infer<typeof SubscriptionState>;

/** The longest topic accepted; a topic is a search query, not a paragraph. */
export const MAX_TOPIC_CHARS = 200;

/** A channel's standing search: its topic query, schedule and run bookkeeping. */
export const Subscription = z.object({
  /** Short id users type (`/paper pause k3f9qz`). */
  id: z.string().regex(/^[a-z0-9]{4,12}$/),
  channel: z.string().min(1),
  /** The topic as typed; the same query syntax as `/paper`. */
  topic: z.string().min(1).max(MAX_TOPIC_CHARS),
  schedule: Schedule,
  createdBy: z.string(),
  createdAt: z.iso.datetime(),
  state: SubscriptionState,
  /** When a digest last ran (posted or found nothing). */
  lastRunAt: z.iso.datetime().optional(),
  /**
   * The next digest considers papers that arrived after this instant; absent before the first
   * digest (which may pick from every paper). It moves to a run's time only when that run left no
   * matching paper unposted, so papers beyond one digest's limit follow in the next ones.
   */
  papersSince: z.iso.datetime().optional(),
  /**
   * A digest handed to Slack whose acceptance is not confirmed yet (set just before posting,
   * cleared when recorded). If the bot dies or the answer is lost, the next run first asks Slack
   * whether a message with this run key is in the channel, instead of posting it twice.
   */
  pendingRun: z
    .object({
      key: z.string(),
      paperIds: z.array(z.string()),
      papersSince: z.iso.datetime(),
      /** When the post was first tried: the channel is read from then on. (Absent in older files.) */
      startedAt: z.iso.datetime().optional(),
    })
    .optional(),
  /**
   * Slack's refusals of this subscription's digest itself (`invalid_blocks`...) since it last
   * posted: after a few the subscription pauses with the reason, instead of trying every tick.
   */
  refusals: z.object({ count: z.number().int().positive(), error: z.string().max(100) }).optional(),
  /** When a digest last posted papers. */
  lastPostAt: z.iso.datetime().optional(),
  nextRunAt: z.iso.datetime(),
});
export type Subscription = z.infer<typeof Subscription>;

/** One channel's subscriptions, the papers already posted there (paper id → when) and its feedback on them. */
export const ChannelRecord = z.object({
  subscriptions: z.array(Subscription).default([]),
  posted: z.record(z.string(), z.iso.datetime()).default({}),
  /** 👍 / 👎 on digest cards: paper id → the channel's latest vote on it. */
  feedback: z.record(z.string(), z.enum(['like', 'dislike'])).default({}),
});
export type ChannelRecord = z.infer<typeof ChannelRecord>;

/** The whole subscriptions database, as stored in the lowdb JSON file. */
export const SubscriptionData = z.object({
  version: z.literal(1),
  channels: z.record(z.string(), ChannelRecord),
});
export type SubscriptionData = z.infer<typeof SubscriptionData>;

/** A database with nothing in it. */
export function emptyData(): SubscriptionData {
  return { version: 1, channels: {} };
}
