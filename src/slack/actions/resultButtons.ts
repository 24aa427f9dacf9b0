import type { App, BlockButtonAction } from '@slack/bolt';
import { LIST_ACTIONS, noticeMessage, parsePageValue } from '../../blocks/messages.js';
import { subscribeModal } from '../../blocks/subscribeModal.js';
import type { Replies } from '../../bot/replies.js';
import type { Logger } from '../../logger.js';
import { answerWith, describeSlackError, ephemeralReply, nextTurn } from '../deliver.js';
import { workspaceOf } from '../identity.js';
import { slackAudience } from '../memory.js';
import type { PostingFor, ViewRef } from '../posting.js';

/** The buttons under a result list: More results, and Subscribe channel to this topic (a modal). */
export function registerResultButtons(
  app: App,
  replies: Replies,
  postingFor: PostingFor,
  logger: Logger,
): void {
  app.action<BlockButtonAction>(LIST_ACTIONS.more, async ({ ack, body, action, client, context }) => {
    await ack();
    await answerWith(
      logger,
      'more results',
      async () => {
        const page = parsePageValue(action.value ?? '');
        if (!page) return noticeMessage(':warning: That button is out of date; run `/paper` again.');
        const channel = body.channel?.id;
        const found = await replies.searchPage(page.query, page.offset, {
          team: workspaceOf(context).team,
          channel: channel ?? '',
        });
        // Only the clicking user sees the page: the channels they can see, as for /paper.
        return replies.notes && channel
          ? replies.notes.annotate(
              found,
              slackAudience(client, { team: workspaceOf(context).team, channel, user: body.user.id }),
            )
          : found;
      },
      // The next page replaces the list, so the conversation does not fill up with pages.
      ephemeralReply(body.response_url, true),
    );
  });

  app.action<BlockButtonAction>(LIST_ACTIONS.subscribe, async ({ ack, body, action, client, context }) => {
    await ack();
    const channel = body.channel?.id;
    const topic = action.value ?? '';
    let opened: ViewRef | undefined;
    try {
      if (!channel) throw new Error('no channel in the action');
      // views.open must follow the click within 3 s (the trigger_id expires), so the form opens
      // at once without its preview, a search that can take longer on a large corpus.
      opened = await postingFor(context).openView({
        trigger_id: body.trigger_id,
        view: subscribeModal(topic, { channel }),
      });
    } catch (error) {
      logger.error('Opening the subscribe modal failed:', describeSlackError(error));
      await ephemeralReply(body.response_url)(
        noticeMessage(
          `:warning: I could not open the subscription form. Use \`/paper subscribe ${topic.replace(/[<>&`]/g, '')}\` instead.`,
        ),
      ).catch(() => undefined);
      return;
    }
    if (!channel || !opened?.id) return;
    try {
      await nextTurn();
      const preview = await replies.subscriptions.preview(topic, {
        team: workspaceOf(context).team,
        channel,
      });
      // The hash makes Slack refuse the update if the view changed meanwhile (hash_conflict).
      await client.views.update({
        view_id: opened.id,
        ...(opened.hash ? { hash: opened.hash } : {}),
        view: subscribeModal(topic, { channel }, preview),
      });
    } catch (error) {
      // The form works without its preview.
      logger.warn('Could not show the subscription preview:', describeSlackError(error));
    }
  });
}
