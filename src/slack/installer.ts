import type { InstallationStore } from '../installations/store.js';
import type { Logger } from '../logger.js';
import { describeSlackError } from './deliver.js';
import type { Client } from './events/appHome.js';

/** How long a user's admin flags are trusted before users.info is asked again. */
const ADMIN_CACHE_MS = 10 * 60_000;

/**
 * Who counts as the person who installed paperbot, for the Home tab's status. With OAuth, the
 * installation names its installer. A single token does not say who installed it (auth.test names
 * the bot, not a person), so there the workspace's admins and owners count: they are the ones who
 * may install apps.
 */
export function installerCheck(
  installations: InstallationStore | undefined,
  logger: Logger,
  now: () => number = Date.now,
): (client: Client, team: string, user: string) => Promise<boolean> {
  if (installations) {
    return async (_client, team, user) => (await installations.find({ team }))?.user.id === user;
  }
  const known = new Map<string, { admin: boolean; at: number }>();
  return async (client, team, user) => {
    const key = `${team}:${user}`;
    const cached = known.get(key);
    if (cached && now() - cached.at < ADMIN_CACHE_MS) return cached.admin;
    try {
      const answer = await client.users.info({ user });
      const admin = Boolean(answer.user?.is_admin || answer.user?.is_owner || answer.user?.is_primary_owner);
      known.set(key, { admin, at: now() });
      return admin;
    } catch (error) {
      logger.warn('Could not tell whether the user is an admin (users.info):', describeSlackError(error));
      return false;
    }
  };
}
