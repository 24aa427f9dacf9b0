import { z } from 'zod';
import { STRICTNESS } from './aboutness.js';
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
  /** Short id users type (`/paper pause k3f9qz`), unique in its workspace. */
  id: z.string().regex(/^[a-z0-9]{4,12}$/),
  /** The workspace (Slack team id) it belongs to: nothing outside it can see or change it. */
  team: z.string().min(1),
  /** The Enterprise Grid org of the workspace, when it is in one (to find an org-wide install's token). */
  enterprise: z.string().min(1).optional(),
  channel: z.string().min(1),
  /** The topic as typed; the same query syntax as `/paper`. */
  topic: z.string().min(1).max(MAX_TOPIC_CHARS),
  schedule: Schedule,
  /**
   * How sure a digest must be that a paper is about the topic (see subscriptions/aboutness.ts);
   * absent: the default strictness.
   */
  strictness: z.enum(STRICTNESS).optional(),
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

/** A workspace and one of its channels: where a subscription posts, and whose ledgers are kept. */
export interface ChannelRef {
  team: string;
  channel: string;
}

/** A channel's verdict on a paper in its digest. */
export const Vote = z.enum(['like', 'dislike']);
export type Vote = z.infer<typeof Vote>;

/** One channel's subscriptions, the papers already posted there (paper id → when) and its feedback on them. */
export const ChannelRecord = z.object({
  subscriptions: z.array(Subscription).default([]),
  posted: z.record(z.string(), z.iso.datetime()).default({}),
  /** 👍 / 👎 on digest cards: paper id → the channel's latest vote on it. */
  feedback: z.record(z.string(), Vote).default({}),
});
export type ChannelRecord = z.infer<typeof ChannelRecord>;

/**
 * The whole subscriptions database, as stored in the lowdb JSON file: per workspace, its channels.
 * Each subscription also names its workspace and channel; they must agree with where it is filed.
 */
export const SubscriptionData = z
  .object({
    version: z.literal(2),
    teams: z.record(z.string(), z.object({ channels: z.record(z.string(), ChannelRecord) })),
  })
  .superRefine((data, context) => {
    for (const [team, { channels }] of Object.entries(data.teams)) {
      for (const [channel, record] of Object.entries(channels)) {
        record.subscriptions.forEach((s, index) => {
          if (s.team !== team || s.channel !== channel)
            context.addIssue({
              code: 'custom',
              path: ['teams', team, 'channels', channel, 'subscriptions', index],
              message: `filed under ${team}/${channel} but names ${s.team}/${s.channel}`,
            });
        });
      }
    }
  });
export type SubscriptionData = z.infer<typeof SubscriptionData>;

/**
 * The first file format (paperbot 0.1: one workspace, channels at the top level). It is read as the
 * workspace the running bot belongs to, and written back in the current format.
 */
export const SubscriptionDataV1 = z.object({
  version: z.literal(1),
  channels: z.record(
    z.string(),
    ChannelRecord.extend({
      subscriptions: z.array(Subscription.omit({ team: true, enterprise: true })).default([]),
    }),
  ),
});

/** A version-1 file's data, as belonging to `team`. */
export function upgradeV1(data: z.infer<typeof SubscriptionDataV1>, team: string): SubscriptionData {
  const channels = Object.fromEntries(
    Object.entries(data.channels).map(([channel, record]) => [
      channel,
      { ...record, subscriptions: record.subscriptions.map((s) => ({ ...s, team })) },
    ]),
  );
  return { version: 2, teams: Object.keys(channels).length > 0 ? { [team]: { channels } } : {} };
}

/** A database with nothing in it. */
export function emptyData(): SubscriptionData {
  return { version: 2, teams: {} };
}
