import { webApi } from '@slack/bolt';
import type { SlackMessage } from '../blocks/message.js';
import { digestMessage } from '../blocks/subscriptions.js';
import type { SlackConnection } from '../config.js';
import type { Logger } from '../logger.js';
import type { DigestPoster, OutgoingDigest, PostResult } from '../subscriptions/scheduler.js';
import { describeSlackError } from './deliver.js';

/**
 * Slack errors after which posting to the channel cannot succeed until someone acts; digests to
 * it pause with this reason (shown in `/paper subscriptions`) instead of failing every tick.
 */
const PAUSING_ERRORS: Record<string, string> = {
  not_in_channel: 'I am not in this channel (not_in_channel): invite me with /invite @paperbot',
  channel_not_found: 'the channel was not found (channel_not_found): it may be private or deleted',
  is_archived: 'the channel is archived (is_archived)',
};

/** Posts a message to a channel and classifies the outcome; never throws. */
export async function postToChannel(
  client: webApi.WebClient,
  channel: string,
  message: SlackMessage,
): Promise<PostResult> {
  try {
    await client.chat.postMessage({ channel, unfurl_links: false, unfurl_media: false, ...message });
    return { ok: true };
  } catch (error) {
    return classify(describeSlackError(error));
  }
}

/** The Slack message metadata type that marks paperbot's digests (and carries their run key). */
export const DIGEST_EVENT = 'paperbot_digest';

/** How patient background posting is. */
export interface PosterOptions {
  /** Minimum spacing of posts to one channel (Slack allows about one message per second per channel). */
  spacingMs?: number;
  /** Attempts per digest, counting the first (429s and unanswered posts are retried). */
  attempts?: number;
  /** Wait before retrying an unanswered post: this times the attempt number. */
  backoffMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Posts digests through the Web API, at most one message per second per channel, and never twice.
 * A 429 waits for its Retry-After and tries again. A lost answer (network error, timeout, 5xx)
 * may hide a message Slack did accept, so before trying again it looks for the digest's run key
 * in the channel's recent messages (Slack message metadata).
 */
export class SlackDigestPoster implements DigestPoster {
  private readonly nextSlot = new Map<string, number>();

  constructor(
    private readonly client: webApi.WebClient,
    private readonly options: PosterOptions = {},
  ) {}

  async post(channel: string, digest: OutgoingDigest, runKey: string): Promise<PostResult> {
    const { attempts = 6, backoffMs = 2000, sleep = sleepFor } = this.options;
    const payload = {
      channel,
      unfurl_links: false,
      unfurl_media: false,
      ...digestMessage(digest.subscription, digest.hits),
      metadata: { event_type: DIGEST_EVENT, event_payload: { run: runKey } },
    };
    for (let attempt = 1; ; attempt++) {
      await this.waitForSlot(channel);
      try {
        await this.client.chat.postMessage(payload);
        return { ok: true };
      } catch (error) {
        const { code, retryAfter } = error as { code?: string; retryAfter?: number };
        if (code === webApi.ErrorCode.RateLimitedError) {
          if (attempt >= attempts) return { ok: false, error: 'ratelimited' };
          await sleep((retryAfter ?? 1) * 1000);
          continue;
        }
        if (code === webApi.ErrorCode.PlatformError) return classify(describeSlackError(error));
        // The request may have reached Slack and only the answer been lost.
        const landed = await this.alreadyPosted(channel, runKey);
        if (landed) return { ok: true };
        if (landed === undefined || attempt >= attempts) {
          return { ok: false, error: describeSlackError(error), ambiguous: landed === undefined };
        }
        await sleep(backoffMs * attempt);
      }
    }
  }

  async alreadyPosted(channel: string, runKey: string): Promise<boolean | undefined> {
    try {
      const history = await this.client.conversations.history({
        channel,
        limit: 50,
        include_all_metadata: true,
      });
      return (history.messages ?? []).some(
        (m) =>
          m.metadata?.event_type === DIGEST_EVENT &&
          (m.metadata.event_payload as { run?: unknown } | undefined)?.run === runKey,
      );
    } catch {
      return undefined;
    }
  }

  private async waitForSlot(channel: string): Promise<void> {
    const { spacingMs = CHANNEL_SPACING_MS } = this.options;
    const now = Date.now();
    const slot = Math.max(now, this.nextSlot.get(channel) ?? 0);
    this.nextSlot.set(channel, slot + spacingMs);
    if (slot > now) await sleepFor(slot - now);
  }
}

function classify(code: string): PostResult {
  const pauseReason = Object.hasOwn(PAUSING_ERRORS, code) ? PAUSING_ERRORS[code] : undefined;
  return pauseReason ? { ok: false, error: code, pauseReason } : { ok: false, error: code };
}

/** Minimum spacing of posts to one channel: Slack allows about one message per second per channel. */
export const CHANNEL_SPACING_MS = 1100;

/**
 * The Web API client for background posting. It never retries by itself: a retried
 * chat.postMessage whose first answer was lost would post twice, so {@link SlackDigestPoster}
 * decides (429s are handed back to it rather than waited out here).
 */
export function createBackgroundClient(
  connection: SlackConnection,
  logger: Logger,
  options: webApi.WebClientOptions = {},
): webApi.WebClient {
  return new webApi.WebClient(connection.botToken, {
    slackApiUrl: connection.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: 15_000,
    logger: { ...logger, setLevel() {}, getLevel: () => webApi.LogLevel.INFO, setName() {} },
    ...options,
  });
}
