import type { ActionsBlock, Button, KnownBlock } from '@slack/types';
import { type Paper, paperPageLink } from '../papers/paper.js';
import { foldName } from '../search/documentTable.js';
import type { SearchHit } from '../search/paperSearch.js';
import { LIMITS } from './message.js';
import { boldText, escapeToFit, plainText, truncate } from './mrkdwn.js';
import { abstractSnippet, highlight } from './snippet.js';

/** At most this many code and project buttons per card, so a card stays one row of buttons. */
const MAX_CODE_BUTTONS = 3;
const MAX_PROJECT_BUTTONS = 2;

/** The action_id prefix of every URL button on a card (Slack still sends an action: ack it). */
export const LINK_ACTION_PREFIX = 'paper_link';

/** action_ids of the interactive buttons on cards; their value is the paper id (digest feedback: `subscription:paper`). */
export const CARD_ACTIONS = {
  share: 'share_paper',
  moreLikeThis: 'more_like_this',
  cite: 'cite_paper',
  like: 'digest_like',
  dislike: 'digest_dislike',
} as const;

/** Which buttons a card carries besides its links: where it is shown decides what makes sense. */
export type CardButtons =
  /** Links only: mention answers, shared cards, unfurls, previews. */
  | { kind: 'links' }
  /** An ephemeral search result: share it to the channel, find similar papers. */
  | { kind: 'search' }
  /** A digest in a channel: 👍 / 👎 teach the channel's later digests. */
  | { kind: 'digest'; subscriptionId: string };

/** What a card shows beyond the paper itself: what the channel it is shown in follows, and notes of other features. */
export interface CardExtras {
  /**
   * The `author:` filters of the channel's subscriptions (as the query parser keeps them): the
   * card's authors whose names contain one are marked as followed.
   */
  followedAuthors?: readonly string[];
  /**
   * The `author:` filters of the search the card answers: the card's authors whose names contain
   * one are bold, and named even where "et al." would hide them (the reason the paper matched).
   */
  searchedAuthors?: readonly string[];
  /** More context lines (already escaped mrkdwn), under the facts line, e.g. where the paper was discussed. */
  notes?: readonly string[];
}

/** How long a TL;DR may be on a card (Hugging Face's are one sentence, ~200 characters). */
const MAX_SUMMARY_CHARS = 400;

/**
 * A paper card, built as three parts so that features can add to the middle: the section (title,
 * authors and date, then the source's one-sentence summary labelled as such, or else an excerpt
 * of the abstract, with the matched terms in bold; the thumbnail beside it when known), context
 * lines (upvotes, stars and categories; then `extras.notes`, see also {@link addCardContext}), and
 * a row of buttons: the links (paper page, PDF, code, project page), those `buttons` asks for, and
 * Cite.
 */
export function paperCard(
  hit: SearchHit,
  buttons: CardButtons = { kind: 'links' },
  extras: CardExtras = {},
): KnownBlock[] {
  const { paper } = hit;
  const lines = [boldText(paper.title, 400)];
  const byline = [
    bylineAuthors(paper.authors, extras.followedAuthors ?? [], extras.searchedAuthors ?? []),
    paper.published && formatDay(paper.published),
  ].filter(Boolean);
  if (byline.length > 0) lines.push(byline.join(' · '));
  const tldr = paper.aiSummary
    ? `*TL;DR* (Hugging Face's AI summary): ${highlight(truncate(paper.aiSummary, MAX_SUMMARY_CHARS), new Set(hit.matchedTerms))}`
    : abstractSnippet(paper.abstract, hit.matchedTerms);
  if (tldr) lines.push(tldr);
  const section: KnownBlock = {
    type: 'section',
    block_id: blockId('paper', paper.id),
    text: { type: 'mrkdwn', text: lines.join('\n').slice(0, LIMITS.sectionText) },
    ...(paper.thumbnail && paper.thumbnail.length <= LIMITS.buttonUrl
      ? { accessory: { type: 'image', image_url: paper.thumbnail, alt_text: truncate(paper.title, 2000) } }
      : {}),
  };
  const contexts = [factsLine(paper), ...(extras.notes ?? [])].filter(Boolean).map(contextBlock);
  const row = linkButtons(paper);
  row.elements.push(...actionButtons(paper, buttons));
  return [section, ...contexts, row];
}

/** A one-line context block of (escaped) mrkdwn. */
function contextBlock(mrkdwn: string): KnownBlock {
  return { type: 'context', elements: [{ type: 'mrkdwn', text: mrkdwn.slice(0, LIMITS.sectionText) }] };
}

/**
 * A card with one more context line (escaped mrkdwn) after its others, just above its buttons:
 * for features that decide a card's notes after it was built.
 */
export function addCardContext(card: readonly KnownBlock[], mrkdwn: string): KnownBlock[] {
  const buttonsAt = card.findLastIndex((block) => block.type === 'actions');
  const at = buttonsAt < 0 ? card.length : buttonsAt;
  return [...card.slice(0, at), contextBlock(mrkdwn), ...card.slice(at)];
}

/**
 * The byline's authors, escaped: as {@link authorsLine}, but followed authors are bold and marked
 * "(followed)", searched ones bold, and one the "et al." would hide is named before it.
 */
function bylineAuthors(
  authors: readonly string[],
  followed: readonly string[],
  searched: readonly string[],
): string {
  if (authors.length === 0) return '';
  const among = (names: readonly string[]) => (name: string) => {
    const folded = foldName(name);
    return names.some((wanted) => wanted !== '' && folded.includes(foldName(wanted)));
  };
  const isFollowed = among(followed);
  const isSearched = among(searched);
  const show = (name: string) =>
    isFollowed(name)
      ? `${boldText(name, 100)} (followed)`
      : isSearched(name)
        ? boldText(name, 100)
        : escapeToFit(name, 100);
  if (authors.length <= 4) {
    const names = authors.map(show);
    return names.length === 1 ? (names[0] as string) : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
  }
  const hidden = authors
    .slice(3)
    .filter((name) => isFollowed(name) || isSearched(name))
    .slice(0, 3);
  return `${[...authors.slice(0, 3), ...hidden].map(show).join(', ')} et al.`;
}

/**
 * The card of a paper shown on its own (the Home tab, a share, a link preview): no search, so no
 * score and nothing in bold.
 */
export function standaloneCard(paper: Paper, extras: CardExtras = {}): KnownBlock[] {
  return paperCard({ paper, score: 0, matchedTerms: [] }, { kind: 'links' }, extras);
}

/** "▲ 12 upvotes · ★ 31 stars · cs.LG, cs.CL", from what the sources told us. */
function factsLine(paper: Paper): string {
  const facts: string[] = [];
  if (paper.upvotes !== undefined)
    facts.push(`▲ ${paper.upvotes} ${paper.upvotes === 1 ? 'upvote' : 'upvotes'}`);
  if (paper.githubStars !== undefined)
    facts.push(`★ ${paper.githubStars.toLocaleString('en-US')} GitHub stars`);
  if (paper.categories?.length) facts.push(paper.categories.slice(0, 4).join(', '));
  return escapeToFit(facts.join(' · '), 500);
}

function actionButtons(paper: Paper, buttons: CardButtons): Button[] {
  const button = (action: string, label: string, value: string, style?: 'primary'): Button => ({
    type: 'button',
    action_id: action,
    text: plainText(label, LIMITS.buttonText),
    value: value.slice(0, LIMITS.buttonValue),
    ...(style ? { style } : {}),
  });
  const cite = button(CARD_ACTIONS.cite, 'Cite', paper.id);
  switch (buttons.kind) {
    case 'links':
      return [cite];
    case 'search':
      return [
        button(CARD_ACTIONS.share, 'Share to channel', paper.id),
        button(CARD_ACTIONS.moreLikeThis, 'More like this', paper.id),
        cite,
      ];
    case 'digest': {
      const value = `${buttons.subscriptionId}:${paper.id}`;
      return [button(CARD_ACTIONS.like, '👍', value), button(CARD_ACTIONS.dislike, '👎', value), cite];
    }
  }
}

/** "Ada Lovelace, Alan Turing and Grace Hopper", or the first three and "et al." beyond four. */
export function authorsLine(authors: readonly string[]): string {
  if (authors.length === 0) return '';
  if (authors.length === 1) return authors[0] as string;
  if (authors.length <= 4) return `${authors.slice(0, -1).join(', ')} and ${authors.at(-1)}`;
  return `${authors.slice(0, 3).join(', ')} et al.`;
}

// Creating an Intl formatter is costly; one serves every card.
// Made with the first card: building a formatter loads locale data, which start-up does not need.
let dayFormat: Intl.DateTimeFormat | undefined;

/** "8 May 2024" for "2024-05-08". */
export function formatDay(day: string): string {
  dayFormat ??= new Intl.DateTimeFormat('en-GB', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    timeZone: 'UTC',
  });
  return dayFormat.format(new Date(`${day}T00:00:00Z`));
}

function linkButtons(paper: Paper): ActionsBlock & { elements: Button[] } {
  const page = paperPageLink(paper);
  const buttons: Button[] = [];
  const add = (name: string, label: string, url: string) => {
    if (url.length > LIMITS.buttonUrl) return; // an absurd URL is dropped, not cut into a wrong one
    buttons.push({
      type: 'button',
      action_id: `${LINK_ACTION_PREFIX}:${name}`,
      text: plainText(label, LIMITS.buttonText),
      url,
    });
  };
  add('page', page.isSearch ? 'Find on arXiv' : 'Paper', page.url);
  if (paper.links.pdf) add('pdf', 'PDF', paper.links.pdf);
  paper.links.code.slice(0, MAX_CODE_BUTTONS).forEach((url, i) => {
    add(`code:${i}`, paper.links.code.length === 1 ? 'Code' : `Code: ${repoName(url)}`, url);
  });
  paper.links.project.slice(0, MAX_PROJECT_BUTTONS).forEach((url, i) => {
    add(`project:${i}`, 'Project page', url);
  });
  return { type: 'actions', block_id: blockId('links', paper.id), elements: buttons };
}

/** "owner/repo" of a repository URL, or its host when the path is empty. */
function repoName(url: string): string {
  const { hostname, pathname } = new URL(url);
  return pathname.replace(/^\/+|\/+$/g, '') || hostname;
}

/** A block_id unique within a message and within Slack's 255-character limit. */
export function blockId(kind: string, paperId: string): string {
  return `${kind}:${paperId}`.slice(0, LIMITS.blockId);
}
