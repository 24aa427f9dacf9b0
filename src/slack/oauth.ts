import type {
  Installation as BoltInstallation,
  InstallationQuery as BoltInstallationQuery,
  InstallationStore as BoltInstallationStore,
  webApi,
} from '@slack/bolt';
import { OAUTH_INSTALL_PATH, OAUTH_REDIRECT_PATH, type OAuthSettings } from '../config.js';
import { Installation, type InstallationQuery } from '../installations/installation.js';
import type { InstallationStore } from '../installations/store.js';
import type { WorkspaceTokens } from './posting.js';
import type { SlackHttpReceiverOptions } from './receiver.js';

/**
 * The bot scopes an install asks for: the manifest's (test/manifest.test.ts keeps the two equal,
 * and both equal to what the code calls).
 */
export const BOT_SCOPES = [
  'app_mentions:read',
  'chat:write',
  'commands',
  'channels:history',
  'groups:history',
  'im:history',
  'mpim:history',
  'users:read',
  'channels:read',
  'groups:read',
  'links:read',
  'links:write',
] as const;

/** A Bolt installation query as ours. */
function queryOf(query: BoltInstallationQuery<boolean>): InstallationQuery {
  return {
    ...(query.teamId ? { team: query.teamId } : {}),
    ...(query.enterpriseId ? { enterprise: query.enterpriseId } : {}),
    isEnterpriseInstall: query.isEnterpriseInstall,
  };
}

/**
 * Bolt's InstallationStore over paperbot's (PostgreSQL, or the lowdb file): what the installer
 * stores after oauth.v2.access, and what Bolt's authorize reads to pick each request's token.
 */
export function boltInstallationStore(store: InstallationStore): BoltInstallationStore {
  return {
    storeInstallation: async (installation) => store.save(Installation.parse(installation)),
    fetchInstallation: async (query) => {
      const found = await store.find(queryOf(query));
      if (!found) {
        throw new Error(
          `paperbot is not installed in ${query.isEnterpriseInstall ? `org ${query.enterpriseId}` : `workspace ${query.teamId}`}`,
        );
      }
      // Validated on the way in and out; the rest of Bolt's record was kept as Bolt gave it.
      return found as unknown as BoltInstallation<'v1' | 'v2', boolean>;
    },
    deleteInstallation: async (query) => {
      await store.remove(queryOf(query));
    },
  };
}

/** Background posting's tokens: each workspace's installation (its own, else its org's). */
export function installationTokens(store: InstallationStore): WorkspaceTokens {
  return {
    botToken: async ({ team, enterprise }) =>
      (await store.find({ team, ...(enterprise ? { enterprise } : {}), isEnterpriseInstall: false }))?.bot
        ?.token,
  };
}

/**
 * Slack's authorize page for a Web API base: https://slack.com/api/ → https://slack.com/oauth/v2/authorize
 * (GovSlack's, or a fake's in the tests, likewise).
 */
export function authorizeUrlFor(apiUrl: string): string {
  return new URL('../oauth/v2/authorize', apiUrl).toString();
}

/**
 * The HTTP receiver's options for Bolt's OAuth installer: the install page at /slack/install, the
 * redirect at /slack/oauth_redirect (its state checked against the browser's cookie and signed
 * with the state secret), installations stored in `store`.
 */
export function installerOptions(
  oauth: OAuthSettings,
  store: InstallationStore,
  apiUrl: string,
  clientOptions: webApi.WebClientOptions,
): Partial<SlackHttpReceiverOptions> {
  return {
    clientId: oauth.clientId,
    clientSecret: oauth.clientSecret,
    stateSecret: oauth.stateSecret,
    ...(oauth.redirectUri ? { redirectUri: oauth.redirectUri } : {}),
    scopes: [...BOT_SCOPES],
    installationStore: boltInstallationStore(store),
    installerOptions: {
      installPath: OAUTH_INSTALL_PATH,
      redirectUriPath: OAUTH_REDIRECT_PATH,
      authorizationUrl: authorizeUrlFor(apiUrl),
      // oauth.v2.access and the installer's auth.test go to the same Web API as everything else.
      clientOptions: { slackApiUrl: apiUrl, ...clientOptions },
    },
  };
}
