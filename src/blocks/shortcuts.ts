import type { KnownBlock, ModalView } from '@slack/types';
import { z } from 'zod';
import { parseJsonOrUndefined } from '../json.js';
import type { Paper } from '../papers/paper.js';
import { LIMITS, type SlackMessage } from './message.js';
import { escapeToFit, plainText, truncate, userMention } from './mrkdwn.js';
import { standaloneCard } from './paperCard.js';

/** callback_ids of the shortcuts (manifest.yml names them too), and ids of what they show. */
export const SHORTCUTS = {
  /** The message shortcut "Find papers for this message". */
  forMessage: 'find_papers_for_message',
  /** The global shortcut "Search papers". */
  search: 'search_papers',
  /** The "Search papers" modal. */
  searchModal: 'search_papers_modal',
  /** The button under a message's papers that posts them in its thread. */
  postInThread: 'post_papers_in_thread',
} as const;

/** block_id and action_id of the search modal's query field (the key of its validation error). */
export const SEARCH_FIELD = { block: 'query', action: 'value' } as const;

/** The longest query the search modal takes (as `/paper`). */
const MAX_QUERY_CHARS = 1000;

/** What the "Post in thread" button carries: the thread and the papers, never the message's text. */
const ThreadPapers = z.object({
  t: z.string().regex(/^\d{1,12}\.\d{1,9}$/),
  p: z.array(z.string().min(1).max(300)).min(1).max(10),
});

/** What a "Post in thread" value asks for; undefined when it is not one of ours. */
export function parseThreadPapersValue(value: string): { threadTs: string; paperIds: string[] } | undefined {
  const parsed = ThreadPapers.safeParse(parseJsonOrUndefined(value));
  return parsed.success ? { threadTs: parsed.data.t, paperIds: parsed.data.p } : undefined;
}

/**
 * Adds under an answer (only the clicker sees it) a button that posts its papers in the thread
 * of the message they were found for. The papers that fit the button's 2,000 characters go.
 */
export function withPostInThread(
  message: SlackMessage,
  threadTs: string,
  paperIds: readonly string[],
): SlackMessage {
  const ids: string[] = [];
  for (const id of paperIds) {
    if (JSON.stringify({ t: threadTs, p: [...ids, id] }).length > LIMITS.buttonValue) break;
    ids.push(id);
  }
  if (ids.length === 0 || message.blocks.length + 2 > LIMITS.blocksPerMessage) return message;
  return {
    ...message,
    blocks: [
      ...message.blocks,
      { type: 'divider' },
      {
        type: 'actions',
        block_id: 'message_papers_actions',
        elements: [
          {
            type: 'button',
            action_id: SHORTCUTS.postInThread,
            text: plainText('Post these in the thread', LIMITS.buttonText),
            value: JSON.stringify({ t: threadTs, p: ids }),
          },
        ],
      },
    ],
  };
}

/** The papers someone found for a message, posted in its thread: "Papers for this message, shared by @user" and their cards. */
export function threadPapersMessage(papers: readonly Paper[], userId: string): SlackMessage {
  const who = userMention(userId, 'someone');
  const blocks: KnownBlock[] = [
    {
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `:books: Papers for this message, shared by ${who}` }],
    },
  ];
  for (const paper of papers) blocks.push({ type: 'divider' }, ...standaloneCard(paper));
  const titles = papers.map((paper, i) => `${i + 1}. ${truncate(paper.title, 150)}`).join('\n');
  return {
    text: `Papers for this message, shared by ${who}:\n${escapeToFit(titles, 2900)}`,
    blocks: blocks.slice(0, LIMITS.blocksPerMessage),
  };
}

/**
 * The "Search papers" modal: a query field and, below it, what it found. Without `found` it is
 * the light form opened at once (a trigger lasts 3 s); `searching` says a search is under way;
 * `found` is a result list (its blocks shown under the field), `problem` what is wrong with the query.
 */
export function searchModal(
  state: { query?: string; searching?: boolean; found?: SlackMessage } = {},
): ModalView {
  const below: KnownBlock[] = state.found
    ? state.found.blocks
    : state.searching
      ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: ':mag: Searching…' }] }]
      : [
          {
            type: 'context',
            elements: [
              {
                type: 'mrkdwn',
                text: 'The same search as `/paper`: "phrases", -words, author:name, has:code, after:2024-06-01.',
              },
            ],
          },
        ];
  return {
    type: 'modal',
    callback_id: SHORTCUTS.searchModal,
    title: plainText('Search papers', 24),
    submit: plainText('Search', 24),
    close: plainText('Close', 24),
    blocks: [
      {
        type: 'input',
        block_id: SEARCH_FIELD.block,
        label: plainText('What are you looking for?', 2000),
        element: {
          type: 'plain_text_input',
          action_id: SEARCH_FIELD.action,
          max_length: MAX_QUERY_CHARS,
          placeholder: plainText('reward model ensembles', 150),
          ...(state.query ? { initial_value: truncate(state.query, MAX_QUERY_CHARS) } : {}),
        },
      },
      ...below,
    ].slice(0, 100),
  };
}
