import type { KnownBlock, SectionBlock } from '@slack/types';
import type { News, Sighting } from '../discussions/discussion.js';
import type { CitationCount } from '../papers/citations.js';
import type { Paper } from '../papers/paper.js';
import { LIMITS, type SlackMessage } from './message.js';
import { boldText, escapeToFit, plainText } from './mrkdwn.js';
import { blockId, LINK_ACTION_PREFIX, standaloneCard } from './paperCard.js';

/** Where a viewer can see that a paper was discussed: the newest thread, and how many others. */
export interface DiscussionSummary {
  /** The newest sighting in a channel the viewer can see. */
  newest: Sighting;
  /** Other threads about it the viewer can see. */
  others: number;
}

// Slack's own channel ids: a bare <#C…> is rendered by Slack with the channel's name, and only to
// people who can see the channel.
const CHANNEL_ID = /^[CG][A-Z0-9]{2,30}$/;

/** "3 days ago", "2 hours ago", "just now". */
export function ago(at: string, now: Date): string {
  const seconds = Math.max(0, (now.getTime() - new Date(at).getTime()) / 1000);
  const units: Array<[number, string]> = [
    [365 * 86400, 'year'],
    [30 * 86400, 'month'],
    [7 * 86400, 'week'],
    [86400, 'day'],
    [3600, 'hour'],
    [60, 'minute'],
  ];
  for (const [size, name] of units) {
    const n = Math.floor(seconds / size);
    if (n >= 1) return `${n} ${name}${n === 1 ? '' : 's'} ago`;
  }
  return 'just now';
}

/**
 * The "discussed in" line of a card: a section "💬 Discussed in #ml-reading, 12 replies, 3 days
 * ago" with a button to the thread. `here` is the viewer's channel, named "here".
 */
export function discussionBlock(
  paperId: string,
  summary: DiscussionSummary,
  here: string,
  now: Date,
): SectionBlock {
  const { newest, others } = summary;
  const where =
    newest.channel === here
      ? 'here'
      : CHANNEL_ID.test(newest.channel)
        ? `in <#${newest.channel}>`
        : 'in a channel';
  const verb =
    (newest.replyCount ?? 0) > 0 || newest.kind === 'mention'
      ? 'Discussed'
      : newest.kind === 'digest'
        ? 'Posted'
        : 'Shared';
  const parts = [`:speech_balloon: ${verb} ${where}`];
  if (newest.replyCount !== undefined)
    parts.push(`${newest.replyCount} ${newest.replyCount === 1 ? 'reply' : 'replies'}`);
  parts.push(ago(newest.at, now));
  const text = `${parts.join(', ')}${others > 0 ? ` (and ${others} more ${others === 1 ? 'thread' : 'threads'})` : ''}`;
  return {
    type: 'section',
    block_id: blockId('discussed', paperId),
    text: { type: 'mrkdwn', text },
    ...(newest.permalink && newest.permalink.length <= LIMITS.buttonUrl
      ? {
          accessory: {
            type: 'button',
            action_id: `${LINK_ACTION_PREFIX}:thread`,
            text: plainText('Open thread', LIMITS.buttonText),
            url: newest.permalink,
          },
        }
      : {}),
  };
}

/**
 * The message with each card's "discussed in" line put right under that card (after its row of
 * buttons), for the papers `summaries` names. Blocks beyond Slack's 50 are not added.
 */
export function withDiscussions(
  message: SlackMessage,
  summaries: ReadonlyMap<string, DiscussionSummary>,
  here: string,
  now: Date,
): SlackMessage {
  if (summaries.size === 0) return message;
  const blocks: KnownBlock[] = [];
  let room = LIMITS.blocksPerMessage - message.blocks.length;
  for (const block of message.blocks) {
    blocks.push(block);
    for (const [paperId, summary] of summaries) {
      if (room > 0 && block.block_id === blockId('links', paperId)) {
        blocks.push(discussionBlock(paperId, summary, here, now));
        room--;
      }
    }
  }
  return { ...message, blocks };
}

// Made with the first citation line: building a formatter loads locale data, which start-up does not need.
let formats: { count: Intl.NumberFormat; shortDay: Intl.DateTimeFormat } | undefined;

/** A card's citation line: ":books: Cited by 1,234 (56 influential) · Semantic Scholar, 26 Nov". */
export function citationLine(count: CitationCount): string {
  formats ??= {
    count: new Intl.NumberFormat('en-US'),
    shortDay: new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' }),
  };
  const influential =
    count.influentialCitationCount > 0
      ? ` (${formats.count.format(count.influentialCitationCount)} influential)`
      : '';
  return `:books: Cited by ${formats.count.format(count.citationCount)}${influential} · Semantic Scholar, ${formats.shortDay.format(new Date(count.fetchedAt))}`;
}

/**
 * The message with a citation line in each card whose paper's count is known (`counts` by paper
 * id), above its buttons. Blocks beyond Slack's 50 are not added.
 */
export function withCitationCounts(
  message: SlackMessage,
  counts: ReadonlyMap<string, CitationCount>,
): SlackMessage {
  if (counts.size === 0) return message;
  const blocks: KnownBlock[] = [];
  let room = LIMITS.blocksPerMessage - message.blocks.length;
  for (const block of message.blocks) {
    for (const [paperId, count] of counts) {
      if (room > 0 && block.block_id === blockId('links', paperId)) {
        blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: citationLine(count) }] });
        room--;
      }
    }
    blocks.push(block);
  }
  return { ...message, blocks };
}

/** The papers whose cards a message shows, in order (their ids are in the cards' block ids). */
export function papersShown(message: SlackMessage): string[] {
  const prefix = blockId('paper', '');
  return message.blocks
    .map((block) => block.block_id)
    .filter((id): id is string => id?.startsWith(prefix) === true)
    .map((id) => id.slice(prefix.length));
}

/**
 * A follow-up in a thread: "Code is out for *Title*: owner/repo" and the paper's card; for a
 * citation, "📎 *New paper* cites *Title*" and the new paper's card.
 */
export function followUpMessage(paper: Paper, news: News, citing?: Paper): SlackMessage {
  const title = boldText(paper.title, 300);
  const plainTitle = escapeToFit(paper.title, 300);
  if (news.kind === 'cited' && citing) {
    return {
      text: `${escapeToFit(citing.title, 300)} cites ${plainTitle}`,
      blocks: [
        {
          type: 'section',
          text: { type: 'mrkdwn', text: `:paperclip: ${boldText(citing.title, 300)} cites ${title}` },
        },
        ...standaloneCard(citing),
      ],
    };
  }
  const [line, fallback] =
    news.kind === 'code'
      ? [`:rocket: Code is out for ${title}: ${escapeToFit(news.url, 500)}`, `Code is out for ${plainTitle}`]
      : news.kind === 'version'
        ? [
            `:page_facing_up: ${title} has a new arXiv version (v${news.version}).`,
            `New arXiv version (v${news.version}) of ${plainTitle}`,
          ]
        : news.kind === 'upvotes'
          ? [
              `:fire: ${title} passed ${news.threshold} upvotes on Hugging Face (now ${news.upvotes}).`,
              `${plainTitle} passed ${news.threshold} upvotes`,
            ]
          : [`:paperclip: A new paper cites ${title}.`, `A new paper cites ${plainTitle}`];
  return {
    text: fallback,
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text: line } }, ...standaloneCard(paper)],
  };
}
