import { z } from 'zod';

/** How a paper came up in a conversation. */
export const SightingKind = z.enum([
  /** Someone posted a link to it (paperbot unfurled it). */
  'link',
  /** Someone clicked "Share to channel" on a search result. */
  'share',
  /** A digest posted it. */
  'digest',
  /** paperbot answered a mention with it. */
  'mention',
]);
export type SightingKind = z.infer<typeof SightingKind>;

/** Slack message timestamps ("1700000000.000100"). */
const Ts = z.string().regex(/^\d{1,12}\.\d{1,8}$/);

/**
 * One time a paper was shared or discussed in a workspace: where (channel, message, the thread it
 * belongs to), who, when, and what is known of the thread (its replies, its permalink). A message
 * names a paper once: recording the same message and paper again only refreshes what is known.
 */
export const Sighting = z.object({
  team: z.string().min(1),
  /** The workspace's Enterprise Grid org, when it is in one (to find an org install's token). */
  enterprise: z.string().min(1).optional(),
  channel: z.string().min(1),
  /** The message that showed or linked the paper. */
  ts: Ts,
  /** The thread it is in (its root's ts; the message's own for a top-level message): where follow-ups go. */
  threadTs: Ts,
  paperId: z.string().min(1).max(200),
  kind: SightingKind,
  /** Who shared it or asked (a Slack user id), when known. */
  user: z.string().min(1).max(40).optional(),
  at: z.iso.datetime(),
  /** Replies in the thread, when last read. */
  replyCount: z.number().int().nonnegative().optional(),
  /** Slack's permalink of the message (chat.getPermalink). */
  permalink: z
    .url({ protocol: /^https$/ })
    .max(500)
    .optional(),
});
export type Sighting = z.infer<typeof Sighting>;

/** What changed about a paper that its threads should hear of. */
export const News = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('code'), url: z.url({ protocol: /^https?$/ }) }),
  z.object({ kind: z.literal('version'), version: z.number().int().positive() }),
  z.object({ kind: z.literal('upvotes'), threshold: z.number().int().positive(), upvotes: z.number().int() }),
  /** A newly ingested paper (`by`, its id) cites it. */
  z.object({ kind: z.literal('cited'), by: z.string().min(1).max(200) }),
]);
export type News = z.infer<typeof News>;

/** What identifies a piece of news: the same news is never told twice in a thread. */
export function newsKey(news: News): string {
  switch (news.kind) {
    case 'code':
      return `code:${news.url}`;
    case 'version':
      return `version:${news.version}`;
    case 'upvotes':
      return `upvotes:${news.threshold}`;
    case 'cited':
      return `cited:${news.by}`;
  }
}

/**
 * A follow-up reply in a thread: recorded (pending) before it is posted, so that no replica and no
 * restart posts it twice; `posted` once Slack accepted it, `skipped` when it never will be
 * (archived channel, bot removed...). Unique per thread, paper and news.
 */
export const FollowUp = z.object({
  team: z.string().min(1),
  enterprise: z.string().min(1).optional(),
  channel: z.string().min(1),
  threadTs: Ts,
  paperId: z.string().min(1).max(200),
  news: News,
  /** The key of the post, carried in its Slack metadata (found again after a lost answer). */
  key: z.string().min(1).max(200),
  status: z.enum(['pending', 'posted', 'skipped']),
  /** When the post was (last) tried: the thread is read from then on, and a stale pending one is taken over. */
  startedAt: z.iso.datetime(),
  /** Why it was skipped (Slack's error code). */
  reason: z.string().max(100).optional(),
});
export type FollowUp = z.infer<typeof FollowUp>;

/** The lowdb file of the workspaces' memory: per workspace, its sightings and follow-ups. */
export const DiscussionData = z.object({
  version: z.literal(1),
  teams: z.record(
    z.string(),
    z.object({
      sightings: z.array(Sighting).default([]),
      followUps: z.array(FollowUp).default([]),
      /** People who asked never to be named by `/paper who` (Slack user ids). */
      unnamed: z.array(z.string().min(1).max(40)).default([]),
    }),
  ),
});
export type DiscussionData = z.infer<typeof DiscussionData>;

export function emptyDiscussions(): DiscussionData {
  return { version: 1, teams: {} };
}
