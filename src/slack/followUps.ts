import type { webApi } from '@slack/bolt';
import { followUpMessage } from '../blocks/discussions.js';
import type { FollowUpPoster, OutgoingFollowUp, ThreadTarget } from '../discussions/followUps.js';
import type { DigestTarget, PostResult } from '../subscriptions/scheduler.js';
import {
  ChannelPoster,
  NOT_INSTALLED,
  type PostPolicy,
  type Reads,
  type WorkspaceTokens,
} from './posting.js';

/** The Slack message metadata type of paperbot's follow-ups (it carries their key). */
export const FOLLOW_UP_EVENT = 'paperbot_follow_up';

/**
 * Patient, but done within minutes: a follow-up still pending after STALE_AFTER_MS (10 minutes) is
 * taken over by another run, so a post's tries must end well before (4 tries, Retry-After up to 60 s).
 */
export const FOLLOW_UP_POLICY: PostPolicy = { attempts: 4, backoffMs: 2000, maxRetryAfterMs: 60_000 };

/**
 * Posts follow-ups in threads through the Web API with each workspace's token, never twice (see
 * {@link ChannelPoster}: the follow-up's key travels in the message metadata, and a lost answer is
 * looked for in the thread). Asks Slack whether a channel is archived first (conversations.info).
 */
export class SlackFollowUpPoster implements FollowUpPoster {
  constructor(
    private readonly client: webApi.WebClient,
    private readonly tokens: WorkspaceTokens,
    private readonly reads: Reads,
    private readonly policy: PostPolicy = FOLLOW_UP_POLICY,
  ) {}

  async isArchived(target: DigestTarget): Promise<boolean | undefined> {
    const token = await this.tokens.botToken(target);
    if (token === undefined) return undefined;
    try {
      const answer = await this.client.conversations.info({ channel: target.channel, token });
      return answer.channel?.is_archived === true;
    } catch {
      return undefined; // the post then says why, if it fails
    }
  }

  async post(target: ThreadTarget, followUp: OutgoingFollowUp, key: string): Promise<PostResult> {
    const token = await this.tokens.botToken(target);
    if (token === undefined) return { ok: false, error: 'not_installed', pauseReason: NOT_INSTALLED };
    return new ChannelPoster(this.client, this.policy, { ...this.reads, team: target.team, token }).post(
      {
        channel: target.channel,
        thread_ts: target.threadTs,
        ...followUpMessage(followUp.paper, followUp.news, followUp.citing),
      },
      { key, eventType: FOLLOW_UP_EVENT },
    );
  }

  async alreadyPosted(target: ThreadTarget, key: string, since: Date): Promise<boolean | undefined> {
    const token = await this.tokens.botToken(target);
    if (token === undefined) return undefined;
    return new ChannelPoster(this.client, this.policy, { ...this.reads, team: target.team, token }).find(
      { channel: target.channel, threadTs: target.threadTs },
      key,
      since,
      FOLLOW_UP_EVENT,
    );
  }
}
