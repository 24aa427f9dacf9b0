import type { App } from '@slack/bolt';
import type { Replies } from '../../bot/replies.js';
import type { Logger } from '../../logger.js';
import { answerWith } from '../deliver.js';
import { workspaceOf } from '../identity.js';
import type { PostingFor } from '../posting.js';
import type { RecentIds } from '../recentIds.js';

/**
 * `@paperbot <question>`: answers in the thread of the mention (or starts one under it). Slack
 * retries an event it thinks was not received, so each `event_id` is answered once; messages from
 * bots are ignored so two bots cannot talk to each other forever.
 */
export function registerAppMention(
  app: App,
  replies: Replies,
  postingFor: PostingFor,
  seenEvents: RecentIds,
  logger: Logger,
): void {
  app.event('app_mention', async ({ event, body, client, context }) => {
    if (seenEvents.checkAndRemember(body.event_id)) {
      logger.debug(`app_mention ${body.event_id} is a retry; already answered.`);
      return;
    }
    if (event.bot_id || event.subtype === 'bot_message') return;
    const parentTs = event.thread_ts;
    await answerWith(
      logger,
      'app_mention',
      () =>
        replies.toMention(event.text, {
          where: { team: workspaceOf(context).team, channel: event.channel },
          inThread: parentTs !== undefined,
          threadParentText: async () => {
            const thread = await client.conversations.replies({
              channel: event.channel,
              ts: parentTs as string,
              limit: 1,
              inclusive: true,
            });
            return thread.messages?.[0]?.text;
          },
        }),
      postingFor(context).answers.deliverTo({ channel: event.channel, thread_ts: parentTs ?? event.ts }),
    );
  });
}
