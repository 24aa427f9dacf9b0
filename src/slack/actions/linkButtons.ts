import type { App } from '@slack/bolt';
import { LINK_ACTION_PREFIX } from '../../blocks/paperCard.js';

/**
 * URL buttons open the link in the user's browser, but Slack still sends a block_actions payload
 * and shows an error icon on the button unless it is acknowledged.
 */
export function registerLinkButtons(app: App): void {
  app.action(new RegExp(`^${LINK_ACTION_PREFIX}:`), async ({ ack }) => {
    await ack();
  });
}
