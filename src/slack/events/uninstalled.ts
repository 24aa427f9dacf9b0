import type { App, Context } from '@slack/bolt';
import type { InstallationStore } from '../../installations/store.js';
import type { Logger } from '../../logger.js';
import type { SubscriptionStore } from '../../subscriptions/store.js';

/** What `/paper subscriptions` says about a subscription of a workspace that removed paperbot. */
export const UNINSTALLED_REASON =
  'paperbot was uninstalled from this workspace: reinstall it, then /paper resume';

/** What the uninstall listeners change. */
export interface UninstallDeps {
  store: SubscriptionStore;
  /** The installations (OAuth); absent in single-token mode, where there is none to remove. */
  installations?: InstallationStore;
  now: () => Date;
  logger: Logger;
}

/**
 * `app_uninstalled`, and `tokens_revoked` for the bot's token: the workspace's installation is
 * removed and its subscriptions paused, so nothing is posted there again (a digest of a workspace
 * without an installation is never posted either: see SlackDigestPoster). Bolt delivers these two
 * events without authorising them (the token is already gone); both handlers can run twice.
 */
export function registerUninstalled(app: App, deps: UninstallDeps): void {
  const uninstalled = async (context: Context, why: string) => {
    const team = context.teamId;
    const enterprise = context.enterpriseId;
    const isEnterpriseInstall = context.isEnterpriseInstall === true;
    const removed = await deps.installations?.remove({
      ...(team ? { team } : {}),
      ...(enterprise ? { enterprise } : {}),
      isEnterpriseInstall,
    });
    // An org-wide uninstall names no workspace: its workspaces' digests pause when they next
    // find no installation to post with.
    const paused = team ? await deps.store.pauseTeam(team, UNINSTALLED_REASON, deps.now()) : 0;
    deps.logger.info(
      `${why} in ${team ?? `org ${enterprise}`}: ${removed ? 'installation removed, ' : ''}${paused} subscriptions paused.`,
    );
  };

  app.event('app_uninstalled', async ({ context }) => {
    await uninstalled(context, 'paperbot was uninstalled');
  });
  app.event('tokens_revoked', async ({ event, context }) => {
    if ((event.tokens.bot ?? []).length === 0) return; // only user tokens: the bot still works
    await uninstalled(context, "paperbot's bot token was revoked");
  });
}
