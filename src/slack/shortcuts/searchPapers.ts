import type { App, GlobalShortcut } from '@slack/bolt';
import { SHORTCUTS, searchModal } from '../../blocks/shortcuts.js';
import type { Logger } from '../../logger.js';
import { describeSlackError } from '../deliver.js';
import type { PostingFor } from '../posting.js';

/**
 * The global shortcut "Search papers": opens the search modal at once (its trigger lasts 3 s),
 * light, with only the query field; the search runs when it is submitted (views/searchModal.ts).
 */
export function registerSearchPapers(app: App, postingFor: PostingFor, logger: Logger): void {
  app.shortcut<GlobalShortcut>(SHORTCUTS.search, async ({ ack, shortcut, context }) => {
    await ack();
    try {
      await postingFor(context).openView({ trigger_id: shortcut.trigger_id, view: searchModal() });
    } catch (error) {
      // No channel and no response_url to say so in: the log is all there is.
      logger.error('Opening the search modal failed:', describeSlackError(error));
    }
  });
}
