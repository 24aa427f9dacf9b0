import type { webApi } from '@slack/bolt';
import type { Audience } from '../bot/discussionNotes.js';
import { Sighting, type SightingKind } from '../discussions/discussion.js';
import type { DiscussionStore } from '../discussions/store.js';
import type { Logger } from '../logger.js';

/**
 * Who sees an answer in a Slack channel, and which other channels they can see. A sighting is
 * shown when it is in the answer's own channel, or in a **public** channel (conversations.info:
 * `is_channel` and not `is_private`): every full member of the workspace can open those. A
 * private channel, a DM or a group DM is never named elsewhere, even to someone who is in it:
 * telling that would need its member list (conversations.members, paged) for every viewer. For an
 * answer only one person sees (`user`), a guest (users.info: `is_restricted` /
 * `is_ultra_restricted`) sees sightings of the answer's channel only, since guests cannot open
 * public channels they were not invited to. A channel Slack will not describe counts as not visible.
 * It never reads a thread (conversations.replies): an answer to a person must not wait on a read
 * Slack allows a distributed app once a minute, so reply counts are those paperbot stored.
 */
export function slackAudience(
  client: webApi.WebClient,
  where: { team: string; channel: string; user?: string },
): Audience {
  let guest: Promise<boolean> | undefined;
  const isGuest = () => {
    if (where.user === undefined) return Promise.resolve(false);
    guest ??= client.users
      .info({ user: where.user })
      .then((answer) => Boolean(answer.user?.is_restricted || answer.user?.is_ultra_restricted))
      .catch(() => true); // unknown: assume the narrowest view
    return guest;
  };
  return {
    team: where.team,
    channel: where.channel,
    canSee: async (channel) => {
      if (await isGuest()) return false;
      const answer = await client.conversations.info({ channel });
      const c = answer.channel;
      return Boolean(c?.is_channel && !c.is_private && !c.is_im && !c.is_mpim);
    },
  };
}

/** What a message showed or linked: where it is, who, when, and the papers. */
export interface MessageSightings {
  team: string;
  enterprise?: string;
  channel: string;
  ts: string;
  threadTs?: string;
  kind: SightingKind;
  user?: string;
  paperIds: readonly string[];
  at: Date;
  permalink?: string;
}

/** Remembers that a message showed papers (failures are logged: the memory is a nicety, never a reason to fail an answer). */
export async function remember(
  store: DiscussionStore | undefined,
  message: MessageSightings,
  logger: Logger,
): Promise<void> {
  if (!store || message.paperIds.length === 0) return;
  const { team, enterprise, channel, ts, kind, user, permalink } = message;
  const sightings = message.paperIds.map((paperId) => ({
    team,
    ...(enterprise ? { enterprise } : {}),
    channel,
    ts,
    threadTs: message.threadTs ?? ts,
    paperId,
    kind,
    ...(user ? { user } : {}),
    at: message.at.toISOString(),
    ...(permalink ? { permalink } : {}),
  }));
  try {
    await store.record(sightings.map((sighting) => Sighting.parse(sighting)));
  } catch (error) {
    logger.warn(`Could not remember the papers of ${channel}/${ts}:`, error);
  }
}

/** The permalink of a message, through Bolt's client (a read: safe to retry); undefined when Slack does not say. */
export async function permalinkOf(
  client: webApi.WebClient,
  channel: string,
  ts: string,
): Promise<string | undefined> {
  try {
    const answer = await client.chat.getPermalink({ channel, message_ts: ts });
    return typeof answer.permalink === 'string' && /^https:\/\/[^\s<>|]+$/.test(answer.permalink)
      ? answer.permalink
      : undefined;
  } catch {
    return undefined;
  }
}
