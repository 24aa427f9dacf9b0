import type { Button, HomeView, KnownBlock } from '@slack/types';
import type { Paper } from '../papers/paper.js';
import type { ServiceStatus } from '../status.js';
import { describeSchedule, formatInZone } from '../subscriptions/schedule.js';
import type { Subscription } from '../subscriptions/subscription.js';
import { guideSections, type HelpEntry } from './help.js';
import { LIMITS } from './message.js';
import { boldText, escapeToFit, plainText } from './mrkdwn.js';
import { standaloneCard } from './paperCard.js';
import { statusBlocks } from './status.js';
import { strictnessNote } from './subscriptions.js';

/** action_ids of the Home tab's buttons; the value is a subscription id (a page number for paging). */
export const HOME_ACTIONS = {
  pause: 'home_pause',
  resume: 'home_resume',
  remove: 'home_remove',
  page: 'home_page',
} as const;

/** Subscriptions per Home page: 2 blocks each keeps the whole tab far under Slack's 100 blocks. */
export const HOME_PAGE_SIZE = 15;

const button = (action: string, label: string, value: string, style?: 'danger' | 'primary'): Button => ({
  type: 'button',
  action_id: action,
  text: plainText(label, LIMITS.buttonText),
  value,
  ...(style ? { style } : {}),
});

/** A channel as Slack renders it from its id (never from text: ids only). */
const channelLink = (id: string) => (/^[CG][A-Z0-9]{2,}$/.test(id) ? `<#${id}>` : 'a channel');

/**
 * The Home tab: how to use paperbot (`guide`: the commands), the subscriptions of the user's channels (a page of them,
 * each with pause/resume and remove buttons), and the newest papers in the corpus. The person
 * who installed paperbot also sees its status (as `/paper status` says it) at the top.
 */
export function homeView(
  subscriptions: readonly Subscription[],
  newest: readonly Paper[],
  page: number,
  status?: ServiceStatus,
  guide: readonly HelpEntry[] = [],
): HomeView {
  const pages = Math.max(1, Math.ceil(subscriptions.length / HOME_PAGE_SIZE));
  const current = Math.min(Math.max(0, page), pages - 1);
  const shown = subscriptions.slice(current * HOME_PAGE_SIZE, (current + 1) * HOME_PAGE_SIZE);
  const blocks: KnownBlock[] = [
    { type: 'header', text: plainText('paperbot: research papers in Slack', LIMITS.headerText) },
    { type: 'section', text: { type: 'mrkdwn', text: '*How to use paperbot*' } },
    ...guideSections(guide).map((text): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text } })),
    ...(status
      ? ([
          { type: 'divider' },
          {
            type: 'section',
            text: { type: 'mrkdwn', text: '*Status* (shown to whoever installed paperbot)' },
          },
          ...statusBlocks(status),
        ] satisfies KnownBlock[])
      : []),
    { type: 'divider' },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text:
          subscriptions.length === 0
            ? "*Your channels' subscriptions*\nNone yet. Try `/paper subscribe &lt;topic&gt;` in a channel."
            : `*Your channels' subscriptions* (${subscriptions.length}${pages > 1 ? `, page ${current + 1} of ${pages}` : ''})`,
      },
    },
  ];
  for (const s of shown) {
    const state =
      s.state.status === 'active'
        ? `next digest ${formatInZone(new Date(s.nextRunAt), s.schedule.tz)}`
        : `paused: ${escapeToFit(s.state.reason, 200)}`;
    blocks.push(
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `${boldText(s.topic, 200)} in ${channelLink(s.channel)} · \`${s.id}\`${strictnessNote(s)}\n${describeSchedule(s.schedule)} · ${state}`,
        },
      },
      {
        type: 'actions',
        block_id: `home_subscription:${s.id}`,
        elements: [
          s.state.status === 'active'
            ? button(HOME_ACTIONS.pause, 'Pause', s.id)
            : button(HOME_ACTIONS.resume, 'Resume', s.id, 'primary'),
          {
            ...button(HOME_ACTIONS.remove, 'Remove', s.id, 'danger'),
            confirm: {
              title: plainText('Remove this subscription?', 100),
              text: plainText(`The channel stops receiving “${s.topic}” digests.`, 300),
              confirm: plainText('Remove', 30),
              deny: plainText('Keep it', 30),
            },
          },
        ],
      },
    );
  }
  if (pages > 1) {
    const paging: Button[] = [];
    if (current > 0) paging.push(button(HOME_ACTIONS.page, '← Previous', String(current - 1)));
    if (current < pages - 1) paging.push(button(HOME_ACTIONS.page, 'Next →', String(current + 1)));
    blocks.push({ type: 'actions', block_id: 'home_paging', elements: paging });
  }
  blocks.push({ type: 'divider' }, { type: 'section', text: { type: 'mrkdwn', text: '*Newest papers*' } });
  for (const paper of newest) blocks.push(...standaloneCard(paper));
  return { type: 'home', blocks: blocks.slice(0, 100) };
}
