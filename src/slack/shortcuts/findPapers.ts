import type { App, MessageShortcut } from '@slack/bolt';
import { SHORTCUTS } from '../../blocks/shortcuts.js';
import type { Replies } from '../../bot/replies.js';
import type { Logger } from '../../logger.js';
import { answerWith, ephemeralReply } from '../deliver.js';
import { workspaceOf } from '../identity.js';
import { slackAudience } from '../memory.js';

/**
 * The message shortcut "Find papers for this message": the best papers for the message's text,
 * shown only to the person who clicked (through the shortcut's response_url), with a button that
 * posts them in the message's thread. Reads nothing from Slack: the payload carries the message.
 */
export function registerFindPapers(app: App, replies: Replies, logger: Logger): void {
  app.shortcut<MessageShortcut>(SHORTCUTS.forMessage, async ({ ack, shortcut, context, client }) => {
    await ack();
    const { message, channel, user } = shortcut;
    const workspace = workspaceOf(context);
    await answerWith(
      logger,
      'find papers for a message',
      () =>
        replies.forMessage(message.text ?? '', {
          threadTs: message.thread_ts ?? message.ts,
          where: { team: workspace.team, channel: channel.id },
          // Only the clicker sees the answer: the channels they can see, as for /paper.
          audience: slackAudience(client, { team: workspace.team, channel: channel.id, user: user.id }),
        }),
      ephemeralReply(shortcut.response_url),
    );
  });
}
