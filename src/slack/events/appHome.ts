import type { App, BlockButtonAction } from '@slack/bolt';
import { HOME_ACTIONS, homeView } from '../../blocks/home.js';
import { PAPER_COMMANDS } from '../../bot/paperCommand.js';
import type { SubscriptionReplies } from '../../bot/subscriptionReplies.js';
import type { Logger } from '../../logger.js';
import type { PaperSearch } from '../../search/paperSearch.js';
import type { ServiceStatus } from '../../status.js';
import type { SubscriptionStore } from '../../subscriptions/store.js';
import { describeSlackError } from '../deliver.js';
import { workspaceOf } from '../identity.js';

/** The Web API client of a request. */
export type Client = App['client'];

/** What the Home tab shows and changes. */
export interface HomeDeps {
  index: PaperSearch;
  store: SubscriptionStore;
  /** Pause, resume and remove: the same operations as `/paper pause|resume|unsubscribe`. */
  subscriptions: SubscriptionReplies;
  logger: Logger;
  /** The bot's status, shown to the person who installed it. */
  status?: () => Promise<ServiceStatus>;
  /** Whether `user` installed paperbot in `team` (see slack/installer.ts). */
  isInstaller?: (client: Client, team: string, user: string) => Promise<boolean>;
}

/** The channels a user is in (public and private); empty when Slack will not say. */
async function channelsOf(client: Client, user: string, logger: Logger): Promise<Set<string>> {
  const channels = new Set<string>();
  try {
    let cursor: string | undefined;
    do {
      const page = await client.users.conversations({
        user,
        types: 'public_channel,private_channel',
        limit: 200,
        cursor,
        exclude_archived: true,
      });
      for (const channel of page.channels ?? []) if (channel.id) channels.add(channel.id);
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor);
  } catch (error) {
    logger.warn("Could not list the user's channels for the Home tab:", describeSlackError(error));
  }
  return channels;
}

/** Publishes the Home tab of `user` (of workspace `team`) at `page`. */
async function publishHome(
  client: Client,
  deps: HomeDeps,
  team: string,
  user: string,
  page: number,
): Promise<void> {
  const channels = await channelsOf(client, user, deps.logger);
  // The workspace's subscriptions in the user's channels, and the ones they created wherever they are.
  const subscriptions = (await deps.store.inTeam(team)).filter(
    (s) => channels.has(s.channel) || s.createdBy === user,
  );
  const status =
    deps.status && (await deps.isInstaller?.(client, team, user).catch(() => false))
      ? await deps.status()
      : undefined;
  await client.views.publish({
    user_id: user,
    view: homeView(subscriptions, await deps.index.newest(5), page, status, PAPER_COMMANDS),
  });
}

/**
 * The App Home tab: published when the user opens it, and again after each of its buttons
 * (pause, resume, remove, paging) so it always shows the state as stored. The buttons act in the
 * workspace the click was authorised for: an id from another workspace, forged into a button's
 * value, names nothing there.
 */
export function registerAppHome(app: App, deps: HomeDeps): void {
  app.event('app_home_opened', async ({ event, client, context }) => {
    if (event.tab !== 'home') return;
    await publishHome(client, deps, workspaceOf(context).team, event.user, 0).catch((error: unknown) =>
      deps.logger.error('Publishing the Home tab failed:', describeSlackError(error)),
    );
  });

  const onButton = (actionId: string, change: (team: string, id: string) => Promise<unknown>) =>
    app.action<BlockButtonAction>(actionId, async ({ ack, body, action, client, context }) => {
      await ack();
      try {
        const { team } = workspaceOf(context);
        await change(team, action.value ?? '');
        const page = actionId === HOME_ACTIONS.page ? Number(action.value) || 0 : 0;
        await publishHome(client, deps, team, body.user.id, page);
      } catch (error) {
        deps.logger.error(`Home button ${actionId} failed:`, describeSlackError(error));
      }
    });

  onButton(HOME_ACTIONS.pause, (team, id) => deps.subscriptions.pause(team, id, 'paused from the Home tab'));
  onButton(HOME_ACTIONS.resume, (team, id) => deps.subscriptions.resume(team, id));
  onButton(HOME_ACTIONS.remove, (team, id) => deps.subscriptions.remove(team, id));
  onButton(HOME_ACTIONS.page, async () => undefined);
}
