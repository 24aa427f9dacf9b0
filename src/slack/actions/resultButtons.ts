import type { App, BlockButtonAction } from '@slack/bolt';
import { z } from 'zod';
import { LIST_ACTIONS, noticeMessage } from '../../blocks/messages.js';
import { subscribeModal } from '../../blocks/subscribeModal.js';
import type { Replies } from '../../bot/replies.js';
import { parseJsonOrUndefined } from '../../json.js';
import type { Logger } from '../../logger.js';
import { answerWith, describeSlackError, ephemeralReply } from '../deliver.js';

const PageValue = z.object({ q: z.string().max(1000), o: z.number().int().min(0).max(10_000) });

/** The buttons under a result list: More results, and Subscribe channel to this topic (a modal). */
export function registerResultButtons(app: App, replies: Replies, logger: Logger): void {
  app.action<BlockButtonAction>(LIST_ACTIONS.more, async ({ ack, action, respond }) => {
    await ack();
    await answerWith(
      logger,
      'more results',
      () => {
        const page = PageValue.safeParse(parseJsonOrUndefined(action.value ?? ''));
        return page.success
          ? replies.searchPage(page.data.q, page.data.o)
          : noticeMessage(':warning: That button is out of date; run `/paper` again.');
      },
      // The next page replaces the list, so the conversation does not fill up with pages.
      ephemeralReply(respond, true),
    );
  });

  app.action<BlockButtonAction>(LIST_ACTIONS.subscribe, async ({ ack, body, action, client, respond }) => {
    await ack();
    const channel = body.channel?.id;
    const topic = action.value ?? '';
    try {
      if (!channel) throw new Error('no channel in the action');
      // views.open must follow the click within 3 s (the trigger_id expires): nothing slow before it.
      await client.views.open({
        trigger_id: body.trigger_id,
        view: subscribeModal(topic, { channel }, replies.subscriptions.preview(topic, channel)),
      });
    } catch (error) {
      logger.error('Opening the subscribe modal failed:', describeSlackError(error));
      await ephemeralReply(respond)(
        noticeMessage(
          `:warning: I could not open the subscription form. Use \`/paper subscribe ${topic.replace(/[<>&`]/g, '')}\` instead.`,
        ),
      ).catch(() => undefined);
    }
  });
}
