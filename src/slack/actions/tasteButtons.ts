import type { App, BlockButtonAction } from '@slack/bolt';
import { TASTE_ACTIONS } from '../../blocks/taste.js';
import type { Replies } from '../../bot/replies.js';
import type { Logger } from '../../logger.js';
import { answerWith, ephemeralReply } from '../deliver.js';
import { workspaceOf } from '../identity.js';

/**
 * "Why this?" on digest cards (answered to the clicking user only) and the confirmed "Forget the
 * taste" of `/paper taste reset` (the prompt is replaced by the outcome).
 */
export function registerTasteButtons(app: App, replies: Replies, logger: Logger): void {
  app.action<BlockButtonAction>(TASTE_ACTIONS.whyThis, async ({ ack, body, action, context }) => {
    await ack();
    await answerWith(
      logger,
      'why this',
      () =>
        replies.taste.whyThis(
          { team: workspaceOf(context).team, channel: body.channel?.id ?? '' },
          action.value ?? '',
        ),
      ephemeralReply(body.response_url),
    );
  });

  app.action<BlockButtonAction>(TASTE_ACTIONS.reset, async ({ ack, body, context }) => {
    await ack();
    await answerWith(
      logger,
      'taste reset',
      () => replies.taste.reset({ team: workspaceOf(context).team, channel: body.channel?.id ?? '' }, true),
      ephemeralReply(body.response_url, true),
    );
  });
}
