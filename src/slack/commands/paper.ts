import type { App } from '@slack/bolt';
import type { Replies } from '../../bot/replies.js';
import type { Logger } from '../../logger.js';
import { answerWith, ephemeralReply } from '../deliver.js';
import type { Posting } from '../posting.js';

/**
 * `/paper <text>`: ack at once, then answer with an ephemeral message through the command's
 * response_url, which works even where the bot is not a member of the channel.
 */
export function registerPaperCommand(app: App, replies: Replies, posting: Posting, logger: Logger): void {
  app.command('/paper', async ({ command, ack }) => {
    await ack();
    await answerWith(
      logger,
      '/paper',
      () =>
        replies.toCommand(command.text, {
          channel: command.channel_id,
          user: command.user_id,
          userTimezone: async () => (await posting.once.users.info({ user: command.user_id })).user?.tz,
          announce: (message) => posting.answers.post({ channel: command.channel_id, ...message }),
        }),
      ephemeralReply(command.response_url),
    );
  });
}
