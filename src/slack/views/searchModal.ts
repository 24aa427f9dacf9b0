import type { App } from '@slack/bolt';
import { SEARCH_FIELD, SHORTCUTS, searchModal } from '../../blocks/shortcuts.js';
import type { Replies } from '../../bot/replies.js';
import type { Logger } from '../../logger.js';
import { describeSlackError, nextTurn } from '../deliver.js';

/**
 * Submitting the "Search papers" modal: a query Slack would show a problem with stays in the form
 * with its problem; otherwise the modal turns into "Searching…" with the acknowledgement (within
 * 3 s, whatever the search costs) and shows the results with views.update once they are found.
 */
export function registerSearchModal(app: App, replies: Replies, logger: Logger): void {
  app.view(SHORTCUTS.searchModal, async ({ ack, view, client }) => {
    const query = (view.state.values[SEARCH_FIELD.block]?.[SEARCH_FIELD.action]?.value ?? '').trim();
    if (!query) {
      await ack({
        response_action: 'errors',
        errors: { [SEARCH_FIELD.block]: 'Type a few words to search for.' },
      });
      return;
    }
    await ack({ response_action: 'update', view: searchModal({ query, searching: true }) });
    try {
      await nextTurn();
      const answer = await replies.searchInModal(query);
      await client.views.update({
        view_id: view.id,
        view: searchModal({ query, ...answer }),
      });
    } catch (error) {
      logger.warn('Could not show the search results:', describeSlackError(error));
    }
  });
}
