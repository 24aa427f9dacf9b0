import { webApi } from '@slack/bolt';
import type { SlackConnection } from '../config.js';
import type { Logger } from '../logger.js';
import type { DigestPoster, PostResult } from '../subscriptions/scheduler.js';
import type { SlackMessage } from './blocks/message.js';
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
    const code = describeSlackError(error);
    const pauseReason = PAUSING_ERRORS[code];
    return pauseReason ? { ok: false, error: code, pauseReason } : { ok: false, error: code };
  }
}

// Digests are background work: retry for minutes rather than seconds (429s wait for Retry-After,
// which the WebClient honours), unlike the answers to users in app.ts.
const BACKGROUND_RETRIES = { retries: 6, factor: 2, minTimeout: 1000, maxTimeout: 60_000 };

/** Minimum spacing of posts to one channel: Slack allows about one message per second per channel. */
export const CHANNEL_SPACING_MS = 1100;

/** Posts digests through the Web API, at most one message per second per channel. */
export class SlackDigestPoster implements DigestPoster {
  private readonly nextSlot = new Map<string, number>();

  constructor(
    private readonly client: webApi.WebClient,
    private readonly spacingMs = CHANNEL_SPACING_MS,
  ) {}

  async post(channel: string, message: SlackMessage): Promise<PostResult> {
    const now = Date.now();
    const slot = Math.max(now, this.nextSlot.get(channel) ?? 0);
    this.nextSlot.set(channel, slot + this.spacingMs);
    if (slot > now) await new Promise((resolve) => setTimeout(resolve, slot - now));
    return postToChannel(this.client, channel, message);
  }
}

/** The Web API client for background posting, with its own patient retry policy. */
export function createBackgroundClient(
  connection: SlackConnection,
  logger: Logger,
  options: webApi.WebClientOptions = {},
): webApi.WebClient {
  return new webApi.WebClient(connection.botToken, {
    slackApiUrl: connection.apiUrl,
    retryConfig: BACKGROUND_RETRIES,
    logger: { ...logger, setLevel() {}, getLevel: () => webApi.LogLevel.INFO, setName() {} },
    ...options,
  });
}
