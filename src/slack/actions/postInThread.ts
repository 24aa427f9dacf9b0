import type { App, BlockButtonAction } from '@slack/bolt';
import { noticeMessage } from '../../blocks/messages.js';
import { parseThreadPapersValue, SHORTCUTS } from '../../blocks/shortcuts.js';
import type { Replies } from '../../bot/replies.js';
import type { DiscussionStore } from '../../discussions/store.js';
import type { Logger } from '../../logger.js';
import { answerWith, ephemeralReply } from '../deliver.js';
import { workspaceOf } from '../identity.js';
import { remember } from '../memory.js';
import type { PostingFor } from '../posting.js';

/**
 * "Post these in the thread", under the papers found for a message: posts them (never twice) in
 * the thread of that message, in the channel where the button was clicked, and replaces the
 * private answer with a one-line confirmation.
 */
export function registerPostInThread(
  app: App,
  replies: Replies,
  postingFor: PostingFor,
  logger: Logger,
  discussions?: DiscussionStore,
  now: () => Date = () => new Date(),
): void {
  app.action<BlockButtonAction>(SHORTCUTS.postInThread, async ({ ack, body, action, context }) => {
    await ack();
    await answerWith(
      logger,
      'post papers in a thread',
      async () => {
        const asked = parseThreadPapersValue(action.value ?? '');
        const channel = body.channel?.id;
        if (!asked || !channel)
          return noticeMessage(
            ':warning: That button is out of date; use the shortcut on the message again.',
          );
        const message = await replies.papersForThread(asked.paperIds, body.user.id);
        if (!message) return noticeMessage(':warning: Those papers are no longer in the corpus.');
        const { answers } = postingFor(context);
        const posted = await answers.post({ channel, thread_ts: asked.threadTs, ...message });
        if (!posted.ok)
          return noticeMessage(
            posted.pauseReason
              ? ":warning: I can't post in this channel: invite me with `/invite @paperbot` and try again."
              : posted.ambiguous
                ? ':warning: Slack did not confirm the post; look in the thread before trying again.'
                : `:warning: Slack did not accept the post (\`${posted.error.replace(/[^a-z_]/g, '')}\`). Please try again.`,
          );
        if (posted.ts)
          await remember(
            discussions,
            {
              ...workspaceOf(context),
              channel,
              ts: posted.ts,
              threadTs: asked.threadTs,
              kind: 'share',
              user: body.user.id,
              paperIds: asked.paperIds,
              at: now(),
            },
            logger,
          );
        return noticeMessage(':white_check_mark: Posted in the thread.');
      },
      ephemeralReply(body.response_url, true),
    );
  });
}
