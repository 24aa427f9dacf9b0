import type { App } from '@slack/bolt';
import type { Replies } from '../../bot/replies.js';
import type { Logger } from '../../logger.js';
import { answerWith } from '../deliver.js';

/**
 * `/paper <text>`: ack at once, then answer with an ephemeral message through `respond()`, which
 * works even where the bot is not a member of the channel.
 */
export function registerPaperCommand(app: App, replies: Replies, logger: Logger): void {
  app.command('/paper', async ({ command, ack, respond }) => {
    await ack();
    await answerWith(
      logger,
      '/paper',
      () => replies.toCommand(command.text),
      (message) => respond({ response_type: 'ephemeral', replace_original: false, ...message }),
    );
  });
}
