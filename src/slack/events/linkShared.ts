import type { App } from '@slack/bolt';
import type { Unfurls } from '../../bot/unfurls.js';
import type { DiscussionStore } from '../../discussions/store.js';
import type { Logger } from '../../logger.js';
import { describeSlackError } from '../deliver.js';
import { workspaceOf } from '../identity.js';
import { permalinkOf, remember, slackAudience } from '../memory.js';
import { isRetry, type SeenEvents } from '../seenEvents.js';

/**
 * `link_shared` for arxiv.org and huggingface.co/papers links: previews them with paper cards
 * (chat.unfurl) that say where else the paper was discussed, and remembers that it was shared in
 * this message (not for a link still being typed in the composer: that message does not exist yet).
 */
export function registerLinkShared(
  app: App,
  unfurls: Unfurls,
  seenEvents: SeenEvents,
  logger: Logger,
  discussions?: DiscussionStore,
  now: () => Date = () => new Date(),
): void {
  app.event('link_shared', async ({ event, body, client, context }) => {
    if (await isRetry(seenEvents, body.team_id, body.event_id, logger)) return;
    const workspace = workspaceOf(context);
    const { team } = workspace;
    const inComposer = event.source === 'composer' || event.channel === 'COMPOSER';
    const { previews, paperIds } = await unfurls.previews(
      event.links.map((link) => link.url),
      slackAudience(client, { team, channel: event.channel }),
      { ts: event.message_ts },
    );
    // Slack's own preview stays when no link could be resolved.
    if (Object.keys(previews).length > 0) {
      try {
        await client.chat.unfurl({ channel: event.channel, ts: event.message_ts, unfurls: previews });
      } catch (error) {
        logger.warn('chat.unfurl failed:', describeSlackError(error));
      }
    }
    if (!inComposer && paperIds.length > 0) {
      await remember(
        discussions,
        {
          ...workspace,
          channel: event.channel,
          ts: event.message_ts,
          ...(event.thread_ts ? { threadTs: event.thread_ts } : {}),
          kind: 'link',
          user: event.user,
          paperIds,
          at: now(),
          ...(discussions ? { permalink: await permalinkOf(client, event.channel, event.message_ts) } : {}),
        },
        logger,
      );
    }
  });
}
