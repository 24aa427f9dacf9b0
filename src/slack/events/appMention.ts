import type { App } from '@slack/bolt';
import { papersShown } from '../../blocks/discussions.js';
import type { Replies } from '../../bot/replies.js';
import type { DiscussionStore } from '../../discussions/store.js';
import type { Logger } from '../../logger.js';
import { answerWith, SlackRefusal } from '../deliver.js';
import { workspaceOf } from '../identity.js';
import { remember, slackAudience } from '../memory.js';
import type { PostingFor } from '../posting.js';
import { isRetry, type SeenEvents } from '../seenEvents.js';

/**
 * `@paperbot <question>`: answers in the thread of the mention (or starts one under it). Slack
 * retries an event it thinks was not received, so each `event_id` is answered once; messages from
 * bots are ignored so two bots cannot talk to each other forever.
 */
export function registerAppMention(
  app: App,
  replies: Replies,
  postingFor: PostingFor,
  seenEvents: SeenEvents,
  logger: Logger,
  discussions?: DiscussionStore,
  now: () => Date = () => new Date(),
): void {
  app.event('app_mention', async ({ event, body, client, context }) => {
    if (await isRetry(seenEvents, body.team_id, body.event_id, logger)) {
      logger.debug(`app_mention ${body.event_id} is a retry; already answered.`);
      return;
    }
    if (event.bot_id || event.subtype === 'bot_message') return;
    const parentTs = event.thread_ts;
    const threadTs = parentTs ?? event.ts;
    const workspace = workspaceOf(context);
    const { team } = workspace;
    const posting = postingFor(context);
    const { answers } = posting;
    await answerWith(
      logger,
      'app_mention',
      () =>
        replies.toMention(event.text, {
          where: { team: workspaceOf(context).team, channel: event.channel },
          inThread: parentTs !== undefined,
          ...(parentTs !== undefined ? { threadTs: parentTs } : {}),
          // Everyone in the channel sees the answer: sightings here, and in public channels.
          audience: slackAudience(client, { team, channel: event.channel }),
          // One read of the thread's start when the workspace's minute is free, never waited for.
          threadParentText: () => posting.threadStart(event.channel, parentTs as string),
        }),
      async (message) => {
        const posted = await answers.post({ channel: event.channel, thread_ts: threadTs, ...message });
        if (!posted.ok) throw new SlackRefusal(posted.error);
        // The papers of the answer were discussed in this thread (it is where their follow-ups go).
        if (posted.ts && discussions) {
          const permalink = await answers.permalink(event.channel, posted.ts);
          await remember(
            discussions,
            {
              ...workspace,
              channel: event.channel,
              ts: posted.ts,
              threadTs,
              kind: 'mention',
              ...(event.user ? { user: event.user } : {}),
              paperIds: papersShown(message),
              at: now(),
              ...(permalink ? { permalink } : {}),
            },
            logger,
          );
        }
      },
    );
  });
}
