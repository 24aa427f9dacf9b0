import type { App } from '@slack/bolt';
import type { Replies } from '../../bot/replies.js';
import type { Logger } from '../../logger.js';
import { answerWith, ephemeralReply } from '../deliver.js';
import { workspaceOf } from '../identity.js';
import { slackAudience } from '../memory.js';
import type { PostingFor } from '../posting.js';

/**
 * `/paper <text>`: ack at once, then answer with an ephemeral message through the command's
 * response_url, which works even where the bot is not a member of the channel.
 */
export function registerPaperCommand(
  app: App,
  replies: Replies,
  postingFor: PostingFor,
  logger: Logger,
): void {
  app.command('/paper', async ({ command, ack, context, client }) => {
    await ack();
    const posting = postingFor(context);
    const workspace = workspaceOf(context);
    await answerWith(
      logger,
      '/paper',
      () =>
        replies.toCommand(command.text, {
          ...workspace,
          channel: command.channel_id,
          user: command.user_id,
          userTimezone: () => posting.userTimezone(command.user_id),
          announce: (message) => posting.answers.post({ channel: command.channel_id, ...message }),
          // Only the user sees the answer: the channels they can see (a guest: this one only).
          audience: slackAudience(client, {
            team: workspace.team,
            channel: command.channel_id,
            user: command.user_id,
          }),
        }),
      ephemeralReply(command.response_url),
    );
  });
}
