import type { App } from '@slack/bolt';
import { z } from 'zod';
import { MODAL_FIELDS, SUBSCRIBE_MODAL } from '../../blocks/subscribeModal.js';
import { parsePaperCommand } from '../../bot/paperCommand.js';
import type { Replies } from '../../bot/replies.js';
import { parseJsonOrUndefined } from '../../json.js';
import type { Logger } from '../../logger.js';
import type { Posting } from '../posting.js';

const Metadata = z.object({ channel: z.string().min(1) });

/** Which field a problem sentence is about, so the modal shows it in the right place. */
function fieldOf(problem: string): string {
  if (/`at |is not a time;/i.test(problem)) return MODAL_FIELDS.time;
  if (/`tz |time zone/i.test(problem)) return MODAL_FIELDS.tz;
  return MODAL_FIELDS.topic;
}

/**
 * Submitting the subscribe modal: the form is turned into the same `subscribe` command that
 * `/paper` parses, so the rules are one. Problems are shown in the modal on their field (the
 * form stays open); a valid form closes it and subscribes, like the command.
 */
export function registerSubscribeModal(app: App, replies: Replies, posting: Posting, logger: Logger): void {
  app.view(SUBSCRIBE_MODAL, async ({ ack, body, view }) => {
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
      for (const problem of command.problems) errors[fieldOf(problem)] ??= problem.replace(/`/g, '');
    } else {
      const conflict = replies.subscriptions.conflict(topic, metadata.data.channel);
      if (conflict) errors[MODAL_FIELDS.topic] = conflict;
    }
    if (Object.keys(errors).length > 0 || command.kind !== 'subscribe' || !metadata.success) {
      await ack({ response_action: 'errors', errors });
      return;
    }
    await ack();
    const channel = metadata.data.channel;
    const user = body.user.id;
    try {
      const confirmation = await replies.subscriptions.answer(command, {
        channel,
        user,
        userTimezone: async () => (await posting.once.users.info({ user })).user?.tz,
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
