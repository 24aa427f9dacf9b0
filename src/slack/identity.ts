import type { Context } from '@slack/bolt';
import { webApi } from '@slack/bolt';
import { PaperbotError } from '../errors.js';
import type { Logger } from '../logger.js';
import { describeSlackError } from './deliver.js';

/** Who the bot is in its one workspace (single-token mode), as auth.test says. */
export interface BotIdentity {
  botToken: string;
  botId: string;
  botUserId: string;
  /** The workspace the token belongs to: every subscription of this bot is filed under it. */
  team: string;
  enterprise?: string;
}

/** A workspace, as the stores file things under it. */
export interface Workspace {
  team: string;
  enterprise?: string;
}

/**
 * Asks Slack who the token is (auth.test): its workspace, bot id and bot user id. A refused token
 * stops start-up with what to do; an unreachable Slack is retried a few times first.
 */
export async function identifyBot(
  connection: { botToken: string; apiUrl: string },
  logger: Logger,
  options: webApi.WebClientOptions = {},
): Promise<BotIdentity> {
  const client = new webApi.WebClient(connection.botToken, {
    slackApiUrl: connection.apiUrl,
    timeout: 10_000,
    retryConfig: { retries: 4, factor: 2, minTimeout: 500, maxTimeout: 4000 },
    logger: { ...logger, setLevel() {}, getLevel: () => webApi.LogLevel.INFO, setName() {} },
    ...options,
  });
  let answer: webApi.AuthTestResponse;
  try {
    answer = await client.auth.test();
  } catch (error) {
    const reason = describeSlackError(error);
    throw new PaperbotError(
      'paperbot_config_error',
      /^(invalid_auth|not_authed|token_revoked|account_inactive|token_expired)$/.test(reason)
        ? `paperbot cannot start.\n  SLACK_BOT_TOKEN: Slack refused it (${reason}). Copy the Bot User OAuth Token (xoxb-...) again from your app's OAuth & Permissions page.`
        : `paperbot cannot start: Slack did not answer auth.test (${reason}). Check SLACK_API_URL and the network.`,
      { cause: error },
    );
  }
  if (!answer.team_id || !answer.user_id || !answer.bot_id) {
    throw new PaperbotError(
      'paperbot_config_error',
      'paperbot cannot start.\n  SLACK_BOT_TOKEN: it is not a bot token (auth.test names no bot). Use the Bot User OAuth Token (xoxb-...).',
    );
  }
  return {
    botToken: connection.botToken,
    botId: answer.bot_id,
    botUserId: answer.user_id,
    team: answer.team_id,
    ...(answer.enterprise_id ? { enterprise: answer.enterprise_id } : {}),
  };
}

/**
 * The workspace a request was authorised for: the installation's (OAuth), or the token's
 * (single-token mode), never a value from the payload's text or buttons.
 */
export function workspaceOf(context: Context): Workspace {
  const team = context.teamId ?? context.enterpriseId;
  if (!team) throw new Error('The request names no workspace.');
  return context.enterpriseId ? { team, enterprise: context.enterpriseId } : { team };
}
