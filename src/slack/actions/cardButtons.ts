import type { App, BlockButtonAction } from '@slack/bolt';
import { noticeMessage } from '../../blocks/messages.js';
import { CARD_ACTIONS } from '../../blocks/paperCard.js';
import type { Replies } from '../../bot/replies.js';
import type { Logger } from '../../logger.js';
import { answerWith, ephemeralReply } from '../deliver.js';
import { workspaceOf } from '../identity.js';
import type { PostingFor } from '../posting.js';

/** The button's value, or '' when a payload has none. */
const buttonValue = (action: BlockButtonAction['actions'][number]) => action.value ?? '';

/**
 * The buttons on cards: Share to channel, More like this (search results) and 👍 / 👎 (digests).
 * Each is acked at once; answers go to the clicking user through the action's response_url.
 */
export function registerCardButtons(
  app: App,
  replies: Replies,
  postingFor: PostingFor,
  logger: Logger,
): void {
  app.action<BlockButtonAction>(CARD_ACTIONS.share, async ({ ack, body, action, context }) => {
    await ack();
    const channel = body.channel?.id;
    await answerWith(
      logger,
      'share',
      async () => {
        const card = await replies.sharedCard(buttonValue(action), body.user.id);
        if (!channel || !card) return noticeMessage(':warning: That paper is no longer in the corpus.');
        const posted = await postingFor(context).answers.post({ channel, ...card });
        if (posted.ok) return noticeMessage(':white_check_mark: Shared to the channel.');
        return noticeMessage(
          posted.pauseReason
            ? ":warning: I can't post in this channel: invite me with `/invite @paperbot` and share again."
            : `:warning: Slack did not accept the shared card (\`${posted.error.replace(/[^a-z_]/g, '')}\`). Please try again.`,
        );
      },
      ephemeralReply(body.response_url),
    );
  });

  app.action<BlockButtonAction>(CARD_ACTIONS.moreLikeThis, async ({ ack, body, action }) => {
    await ack();
    await answerWith(
      logger,
      'more like this',
      () => replies.moreLikeThis(buttonValue(action)),
      ephemeralReply(body.response_url),
    );
  });

  for (const [actionId, vote] of [
    [CARD_ACTIONS.like, 'like'],
    [CARD_ACTIONS.dislike, 'dislike'],
  ] as const) {
    app.action<BlockButtonAction>(actionId, async ({ ack, body, action, context }) => {
      await ack();
      // The value is "<subscription id>:<paper id>"; paper ids may themselves contain ':'.
      const paperId = buttonValue(action).slice(buttonValue(action).indexOf(':') + 1);
      await answerWith(
        logger,
        'digest feedback',
        () =>
          replies.subscriptions.feedback(
            { team: workspaceOf(context).team, channel: body.channel?.id ?? '' },
            paperId,
            vote,
          ),
        ephemeralReply(body.response_url),
      );
    });
  }
}
