import type { Button, KnownBlock, ModalView } from '@slack/types';
import { z } from 'zod';
import { parseJsonOrUndefined } from '../json.js';
import type { Paper } from '../papers/paper.js';
import type { SearchResults } from '../search/paperSearch.js';
import { LIMITS, type SlackMessage } from './message.js';
import { escapeMrkdwn, escapeToFit, plainText, truncate, userMention } from './mrkdwn.js';
import { type CardButtons, type CardExtras, paperCard, standaloneCard } from './paperCard.js';
import { TASTE_HELP } from './taste.js';
import { TEAM_HELP } from './team.js';

/** What a result list shows above its cards. */
export interface ResultsHeading {
  /** The query as the user meant it, shown quoted in the header. */
  queryText: string;
  /** Where the results came from, when it is not obvious (e.g. "Searched with the thread's first message"). */
  note?: string;
}

/** action_ids of the buttons under a result list. */
export const LIST_ACTIONS = { more: 'more_results', subscribe: 'subscribe_topic' } as const;

/** What "More results" carries in its value: the query and where the next page starts. */
export interface PageRequest {
  query: string;
  offset: number;
}

/**
 * The value of a "More results" button: `<offset>:<query>`, the query as typed. Not JSON: JSON
 * escapes `"`, `\\` and control characters, so a 1,000-character query could pass the 2,000
 * characters Slack allows in a value; this is never longer than the query plus 6.
 */
export function pageValue(page: PageRequest): string {
  return `${page.offset}:${page.query}`;
}

const LegacyPageValue = z.object({ q: z.string().max(1000), o: z.number().int().min(0).max(10_000) });

/** The page a "More results" value asks for (also the JSON `{q, o}` of older buttons); undefined when it is not one. */
export function parsePageValue(value: string): PageRequest | undefined {
  const match = /^(\d{1,5}):([\s\S]{0,1000})$/.exec(value);
  if (match) {
    const offset = Number(match[1]);
    return offset <= 10_000 ? { query: match[2] as string, offset } : undefined;
  }
  const legacy = LegacyPageValue.safeParse(parseJsonOrUndefined(value));
  return legacy.success ? { query: legacy.data.q, offset: legacy.data.o } : undefined;
}

/** How a result list is shown. */
export interface ResultsOptions {
  cardButtons?: CardButtons;
  /** What every card shows beyond its paper (the authors the channel follows…). */
  cardExtras?: CardExtras;
  /** A paged `/paper` list: the query as typed and where this page starts (adds "More results" and "Subscribe"). */
  paging?: { query: string; offset: number };
}

/**
 * A result list: a header with the query, a context line with the hit count (and page), then one
 * card per hit, cards separated by dividers; for a paged list, "More results" and "Subscribe
 * channel to this topic" below. The fallback text lists the titles for notifications. Hits below
 * the relevance floor are never presented as answers: with no strong match the header says so and
 * the cards are "the closest papers"; when a page has both, a line separates them.
 */
export function resultsMessage(
  heading: ResultsHeading,
  results: SearchResults,
  options: ResultsOptions = {},
): SlackMessage {
  const { hits, total, strong } = results;
  const offset = options.paging?.offset ?? 0;
  const shownQuery = truncate(heading.queryText.replace(/\s+/g, ' ').trim(), 100);
  const weakOnly = strong === 0 && hits.length > 0;
  // Filters alone (`has:code after:2024-06-01`) score nothing: every match, newest first.
  const filtersOnly = hits.length > 0 && hits.every((hit) => hit.score === 0);
  const count = filtersOnly
    ? offset > 0
      ? `Papers ${offset + 1}–${offset + hits.length} of ${total}, newest first`
      : hits.length === total
        ? `${total === 1 ? 'The one paper' : `All ${total} papers`}, newest first`
        : `The newest ${hits.length} of ${total} papers`
    : weakOnly
      ? offset > 0
        ? `Papers ${offset + 1}–${offset + hits.length} of ${total}, closest first`
        : `The closest ${plural(hits.length, 'paper')} of ${total} that share words with it. Try other words for the same idea, or fewer of them.`
      : offset > 0
        ? `Papers ${offset + 1}–${offset + hits.length} of ${total}, best match first`
        : strong < hits.length
          ? `${strong} strong ${strong === 1 ? 'match' : 'matches'}, then the closest of ${total} papers`
          : hits.length === total
            ? `${total} ${plural(total, 'paper')}, best match first`
            : `Top ${hits.length} of ${strong} strong ${strong === 1 ? 'match' : 'matches'}, best first`;
  const context = [heading.note ? escapeToFit(heading.note, 1000) : undefined, count].filter(
    (part): part is string => part !== undefined,
  );
  const title = weakOnly ? `No strong match for “${shownQuery}”` : `Papers for “${shownQuery}”`;
  const blocks: KnownBlock[] = [
    { type: 'header', text: plainText(title, LIMITS.headerText) },
    { type: 'context', elements: context.map((text) => ({ type: 'mrkdwn', text })) },
  ];
  const firstWeak = strong - offset;
  hits.forEach((hit, i) => {
    if (i === firstWeak && i > 0)
      blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: 'Weaker matches:' }] });
    blocks.push({ type: 'divider' }, ...paperCard(hit, options.cardButtons, options.cardExtras));
  });
  if (options.paging) blocks.push(...listButtons(options.paging.query, offset + hits.length, total));
  const titles = hits.map((hit, i) => `${i + 1}. ${truncate(hit.paper.title, 150)}`).join('\n');
  const lead = weakOnly
    ? `No strong match for “${shownQuery}”; closest papers`
    : `${count} for “${shownQuery}”`;
  return {
    text: escapeToFit(`${lead}:\n${titles}`, 3000),
    blocks: blocks.slice(0, LIMITS.blocksPerMessage),
  };
}

function listButtons(query: string, nextOffset: number, total: number): KnownBlock[] {
  const elements: Button[] = [];
  if (nextOffset < total) {
    elements.push({
      type: 'button',
      action_id: LIST_ACTIONS.more,
      text: plainText('More results', LIMITS.buttonText),
      value: pageValue({ query, offset: nextOffset }),
    });
  }
  elements.push({
    type: 'button',
    action_id: LIST_ACTIONS.subscribe,
    text: plainText('Subscribe channel to this topic', LIMITS.buttonText),
    value: query.slice(0, LIMITS.buttonValue),
  });
  return [{ type: 'divider' }, { type: 'actions', block_id: 'results_actions', elements }];
}

/** A card shared to a channel: "Shared by @user" and the paper, links only. `userId` is Slack's id of the sharer. */
export function sharedCardMessage(paper: Paper, userId: string, extras: CardExtras = {}): SlackMessage {
  const who = userMention(userId, 'someone');
  return {
    text: `Shared by ${who}: ${escapeToFit(paper.title, 2900)}`,
    blocks: [
      { type: 'context', elements: [{ type: 'mrkdwn', text: `:link: Shared by ${who}` }] },
      ...standaloneCard(paper, extras),
    ],
  };
}

/** A message of one mrkdwn section; `mrkdwn` must already be escaped. Fallback text is the same. */
export function noticeMessage(mrkdwn: string): SlackMessage {
  const text = mrkdwn.slice(0, LIMITS.sectionText);
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}

/** What a user sees when the search is too busy to answer within seconds (it sheds instead of queueing). */
export const BUSY = noticeMessage(
  ':hourglass_flowing_sand: I’m busy right now: please try again in a few seconds.',
);

/** The answer when nothing matched: says so, and how to widen the query. */
export function noHitsMessage(queryText: string, hadFilters: boolean): SlackMessage {
  const query = escapeToFit(queryText.replace(/\s+/g, ' ').trim(), 200);
  const tip = hadFilters
    ? 'Try dropping a filter (`has:code`, `author:`, `after:`/`before:` leave out papers without that information), or use fewer words.'
    : 'Try fewer or broader words, e.g. `reward models` instead of a whole sentence.';
  return noticeMessage(`:mag: No papers match “${query}”. ${tip}`);
}

/** Usage of `/paper` and of mentions, with examples. */
export function helpMessage(): SlackMessage {
  const usage = [
    '*Search papers*',
    '`/paper reward model ensembles` — the best matches, as cards',
    '`/paper "human feedback" -survey` — a phrase, and a word to leave out',
    '`/paper diffusion author:zhang has:code after:2024-01-01` — filters: `author:`, `has:code`, `after:`/`before:` (YYYY-MM-DD)',
    '',
    '*Follow a topic in this channel*',
    '`/paper subscribe reward models weekly at 9am tz Europe/Paris` — new matching papers, posted on a schedule (default: daily at 09:00 in your time zone)',
    '`/paper subscriptions` — this channel’s subscriptions · `/paper unsubscribe &lt;id or topic&gt;`',
    '`/paper pause &lt;id&gt;` · `/paper resume &lt;id&gt;` · `/paper digest now &lt;id&gt;`',
    ...EXTRA_HELP,
    '',
    '*Ask in a conversation*',
    'Mention me with a question: `@paperbot papers on reward model ensembles?` I answer in the thread.',
    "Mention me alone in a thread and I search with the thread's first message.",
    ...TASTE_HELP,
    ...TEAM_HELP,
  ].join('\n');
  return {
    text: 'How to use paperbot: /paper &lt;words&gt; searches papers; mention @paperbot in a thread to ask there.',
    blocks: [
      { type: 'header', text: plainText('paperbot: research papers in Slack', LIMITS.headerText) },
      { type: 'section', text: { type: 'mrkdwn', text: usage } },
    ],
  };
}

/**
 * Help for following authors, trending and citations (issue 16, "what every anchor has"): kept in
 * one list so that other features' lines can sit beside it without touching these.
 */
const EXTRA_HELP = [
  '`/paper subscribe author:"Yann LeCun"` — follow an author (add words to follow their work on a topic: `/paper subscribe diffusion author:lecun`); cards mark the authors this channel follows',
  '`/paper subscribe top 5 trending weekly` — the most upvoted papers of the week (daily: of the day) instead of a topic',
  '',
  '*Trending and citations*',
  '`/paper trending` · `/paper trending week` — the most upvoted papers (Hugging Face) of the last day or week',
  '`/paper cite 2310.02743` · `/paper cite reward model ensembles` — BibTeX for a paper (by arXiv id, link or words), only to you; or *Cite* on any card',
];

/** Room for an entry in a section, besides the code fences. */
const CODE_ROOM = LIMITS.sectionText - 8;

/** Whether a BibTeX entry fits whole in {@link citeMessage} (a longer one would be cut). */
export function citationFits(bibtex: string): boolean {
  return escapeMrkdwn(bibtex.replace(/`/g, "'")).length <= CODE_ROOM;
}

/**
 * The BibTeX of a paper, only for the person who asked: which paper it is (so a search that found
 * another paper is noticed), and the entry in a code block, ready to copy. `bibtex` must be made
 * by the BibTeX writer (it escapes the paper's text for BibTeX); here it is escaped for mrkdwn.
 */
export function citeMessage(paper: Paper, bibtex: string, note?: string): SlackMessage {
  const about = `:bookmark: BibTeX for ${boldTitle(paper.title)}${note ? ` (${escapeToFit(note, 300)})` : ''}`;
  // A code block shows the entry verbatim; mrkdwn still needs & < > escaped inside it, and the
  // BibTeX writer leaves no backticks that could close it.
  const code = `\`\`\`\n${escapeToFit(bibtex.replace(/`/g, "'"), CODE_ROOM)}\n\`\`\``;
  return {
    text: escapeToFit(`BibTeX for ${paper.title}`, 3000),
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: about.slice(0, LIMITS.sectionText) } },
      { type: 'section', text: { type: 'mrkdwn', text: code } },
    ],
  };
}

/** A citation in a modal, for clicks that have no response URL (cards on the Home tab). */
export function citeModal(message: SlackMessage): ModalView {
  return {
    type: 'modal',
    title: plainText('Cite', 24),
    close: plainText('Close', 24),
    blocks: message.blocks,
  };
}

function boldTitle(title: string): string {
  return `“${escapeToFit(title.replace(/\*/g, '∗'), 300)}”`;
}

/**
 * `/paper trending`: a header, what the list is ("the 5 most upvoted of 37 papers published since
 * 24 Nov 2026 with upvotes"), and the cards; or one sentence when the period has no upvoted paper.
 */
export function trendingMessage(
  period: 'today' | 'week',
  trending: { hits: SearchResults['hits']; since: string; upvoted: number },
  options: { sinceText: string; cardExtras?: CardExtras },
): SlackMessage {
  const name = period === 'week' ? 'this week' : 'today';
  if (trending.hits.length === 0) {
    return noticeMessage(
      `:chart_with_upwards_trend: No paper published since ${options.sinceText} has Hugging Face upvotes yet. ` +
        (period === 'today'
          ? 'Try `/paper trending week`.'
          : 'Try a search instead, e.g. `/paper reward models`.'),
    );
  }
  const shown = trending.hits.length === 1 ? 'The paper' : `The ${trending.hits.length} papers`;
  const count = `${shown} with the most Hugging Face upvotes, of the ${trending.upvoted} with upvotes published since ${options.sinceText}`;
  const blocks: KnownBlock[] = [
    { type: 'header', text: plainText(`Trending ${name}`, LIMITS.headerText) },
    { type: 'context', elements: [{ type: 'mrkdwn', text: count }] },
  ];
  for (const hit of trending.hits)
    blocks.push({ type: 'divider' }, ...paperCard(hit, { kind: 'search' }, options.cardExtras));
  const titles = trending.hits
    .map((hit, i) => `${i + 1}. ${truncate(hit.paper.title, 150)} (${hit.paper.upvotes ?? 0} upvotes)`)
    .join('\n');
  return {
    text: escapeToFit(`Trending ${name}:\n${titles}`, 3000),
    blocks: blocks.slice(0, LIMITS.blocksPerMessage),
  };
}

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}
