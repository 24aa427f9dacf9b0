import type { App } from '@slack/bolt';
import { z } from 'zod';
import { MODAL_FIELDS, SUBSCRIBE_MODAL } from '../../blocks/subscribeModal.js';
import { type ProblemField, parsePaperCommand } from '../../bot/paperCommand.js';
import type { Replies } from '../../bot/replies.js';
import { parseJsonOrUndefined } from '../../json.js';
import type { Logger } from '../../logger.js';
import { workspaceOf } from '../identity.js';
import type { PostingFor } from '../posting.js';

const Metadata = z.object({ channel: z.string().min(1) });

/** The form field that shows a problem with this part of the command (the topic, when no other fits). */
const FIELD_OF: Record<ProblemField, string> = {
  command: MODAL_FIELDS.topic,
  query: MODAL_FIELDS.topic,
  topic: MODAL_FIELDS.topic,
  cadence: MODAL_FIELDS.cadence,
  time: MODAL_FIELDS.time,
  tz: MODAL_FIELDS.tz,
};

/**
 * Submitting the subscribe modal: the form is turned into the same `subscribe` command that
 * `/paper` parses, so the rules are one. Problems are shown in the modal on their field (the
 * form stays open); a valid form closes it and subscribes, like the command.
 */
export function registerSubscribeModal(
  app: App,
  replies: Replies,
  postingFor: PostingFor,
  logger: Logger,
): void {
  app.view(SUBSCRIBE_MODAL, async ({ ack, body, view, context }) => {
    const workspace = workspaceOf(context);
    const values = view.state.values;
    const read = (field: string) => {
      const element = values[field]?.value;
      return (element?.value ?? element?.selected_option?.value ?? element?.selected_time ?? '').trim();
    };
    const metadata = Metadata.safeParse(parseJsonOrUndefined(view.private_metadata));
    const topic = read(MODAL_FIELDS.topic);
    const tz = read(MODAL_FIELDS.tz);
    const text = `subscribe ${topic} ${read(MODAL_FIELDS.cadence)} at ${read(MODAL_FIELDS.time)}${tz ? ` tz ${tz}` : ''}`;
    const command = parsePaperCommand(text);
    const errors: Record<string, string> = {};
    if (!metadata.success)
      errors[MODAL_FIELDS.topic] = 'This form lost track of its channel; open it again from /paper.';
    else if (command.kind === 'invalid') {
      // Shown as plain text under the field: the backticks of the chat answers would show as is.
      for (const problem of command.problems)
        errors[FIELD_OF[problem.field]] ??= problem.message.replace(/`/g, '');
    } else {
      const conflict = await replies.subscriptions.conflict(topic, {
        team: workspace.team,
        channel: metadata.data.channel,
      });
      if (conflict) errors[MODAL_FIELDS.topic] = conflict;
    }
    if (Object.keys(errors).length > 0 || command.kind !== 'subscribe' || !metadata.success) {
      await ack({ response_action: 'errors', errors });
      return;
    }
    await ack();
    const channel = metadata.data.channel;
    const user = body.user.id;
    const posting = postingFor(context);
    try {
      const confirmation = await replies.subscriptions.answer(command, {
        ...workspace,
        channel,
        user,
        userTimezone: () => posting.userTimezone(user),
        announce: (message) => posting.answers.post({ channel, ...message }),
      });
      // The modal is gone: tell the subscriber privately, where the bot can.
      const shown = await posting.answers.postEphemeral({ channel, user, ...confirmation });
      if (!shown.ok) logger.warn('Could not show the subscription confirmation:', shown.error);
    } catch (error) {
      logger.error('Subscribing from the modal failed:', error);
    }
  });
}
