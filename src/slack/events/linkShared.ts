import type { App } from '@slack/bolt';
import type { Unfurls } from '../../bot/unfurls.js';
import type { Logger } from '../../logger.js';
import { describeSlackError } from '../deliver.js';
import type { RecentIds } from '../recentIds.js';

/** `link_shared` for arxiv.org and huggingface.co/papers links: previews them with paper cards (chat.unfurl). */
export function registerLinkShared(app: App, unfurls: Unfurls, seenEvents: RecentIds, logger: Logger): void {
  app.event('link_shared', async ({ event, body, client }) => {
    if (seenEvents.checkAndRemember(body.event_id)) return;
    const previews = await unfurls.previews(event.links.map((link) => link.url));
    if (Object.keys(previews).length === 0) return; // Slack's own preview stays
    try {
      await client.chat.unfurl({ channel: event.channel, ts: event.message_ts, unfurls: previews });
    } catch (error) {
      logger.warn('chat.unfurl failed:', describeSlackError(error));
    }
  });
}
