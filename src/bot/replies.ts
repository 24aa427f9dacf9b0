import { helpMessage } from '../blocks/help.js';
import type { SlackMessage } from '../blocks/message.js';
import { noHitsMessage, noticeMessage, resultsMessage, sharedCardMessage } from '../blocks/messages.js';
import { escapeMrkdwn, escapeToFit, truncate } from '../blocks/mrkdwn.js';
import { formatDay } from '../blocks/paperCard.js';
import { threadPapersMessage, withPostInThread } from '../blocks/shortcuts.js';
import { statusMessage } from '../blocks/status.js';
import type { DiscussionStore } from '../discussions/store.js';
import type { Logger } from '../logger.js';
import type { CitationStore } from '../papers/citations.js';
import type { Paper } from '../papers/paper.js';
import type { PaperSearch, SearchResults } from '../search/paperSearch.js';
import {
  describeQuery,
  hasFilters,
  hasSearchTerms,
  type PaperQuery,
  paperQuery,
  parseQuery,
} from '../search/query.js';
import { Spelling, searchCorrectingSpelling } from '../search/spelling.js';
import { tokenize } from '../search/text.js';
import type { OperationsStatus, ServiceStatus } from '../status.js';
import type { Scheduler } from '../subscriptions/scheduler.js';
import type { SubscriptionStore } from '../subscriptions/store.js';
import type { ChannelRef } from '../subscriptions/subscription.js';
import { VERSION } from '../version.js';
import { AnchorReplies } from './anchors.js';
import { CitationNotes } from './citationNotes.js';
import { type Audience, DiscussionNotes } from './discussionNotes.js';
import { queryFromMessage, questionOf } from './mention.js';
import {
  arxivIdOf,
  asksForHelp,
  COMMAND_RESULTS,
  PAPER_COMMANDS,
  parsePaperCommand,
} from './paperCommand.js';
import { type CommandContext, SubscriptionReplies } from './subscriptionReplies.js';
import { TasteReplies } from './tasteReplies.js';
import { TeamReplies } from './teamReplies.js';
import type { FetchPaper } from './unfurls.js';

/** Cards in an answer to a mention (a thread is a conversation, not a results page). */
export const MENTION_RESULTS = 3;

/** What a mention's answer may need from the conversation around it. */
export interface MentionContext {
  /** The channel the mention was posted in: its cards mark the authors it follows. */
  where?: ChannelRef;
  /** Whether the mention was posted inside a thread. */
  inThread: boolean;
  /** The thread's ts (a mention inside a thread): the papers paperbot saw there answer a bare mention first. */
  threadTs?: string;
  /** Reads the text of the thread's first message (only called for a bare mention in a thread). */
  threadParentText(): Promise<string | undefined>;
  /** Who will see the answer (to say where its papers were discussed), when the transport knows. */
  audience?: Audience;
}

/** What the answers are computed from. */
export interface RepliesDeps {
  index: PaperSearch;
  store: SubscriptionStore;
  scheduler: Scheduler;
  now: () => Date;
  logger: Logger;
  /** The refreshes and the backfill, for `/paper status` (without it: the corpus alone). */
  operations?: OperationsStatus;
  /** The workspaces' memory: cards say where their papers were discussed (none: they do not). */
  discussions?: DiscussionStore;
  /**
   * Finds a paper that is not in the corpus (from arXiv) and adds it, as link previews do, for a
   * search or a citation by arXiv id or link (none, offline: such a paper is said to be missing).
   */
  fetchPaper?: FetchPaper;
  /** The citation cache: cards say how often their papers are cited (none: they do not). */
  citations?: CitationStore;
}

/**
 * The answers paperbot gives, as Slack messages, independent of how they are delivered: the Slack
 * listeners send them with `respond()` or `chat.postMessage`, the local console prints them.
 */
export class Replies {
  private readonly index: PaperSearch;
  private readonly logger: Logger;
  private readonly deps: RepliesDeps;
  /** The subscription commands, also used by the modal and the digest buttons. */
  readonly subscriptions: SubscriptionReplies;
  /** Citations, trending and followed authors, also used by the Cite button. */
  readonly anchors: AnchorReplies;
  /** `/paper taste`, its reset, and "Why this?" on digest cards. */
  readonly taste: TasteReplies;
  /** `/paper who`: what the workspace's memory says about its people. */
  readonly team: TeamReplies;
  /** Where the papers of an answer were discussed (undefined without the workspaces' memory). */
  readonly notes: DiscussionNotes | undefined;
  /** Spelling suggestions from the corpus's titles, made when first needed, and the size they are of. */
  private spelling: { spelling: Promise<Spelling>; size: number } | undefined;
  /** How often the papers of an answer are cited (undefined without the citation cache). */
  readonly citationNotes: CitationNotes | undefined;

  constructor(deps: RepliesDeps) {
    this.index = deps.index;
    this.logger = deps.logger;
    this.deps = deps;
    this.anchors = new AnchorReplies(deps);
    this.subscriptions = new SubscriptionReplies({
      ...deps,
      followedAuthors: (where) => this.anchors.followedAuthors(where),
    });
    this.taste = new TasteReplies({ store: deps.store, papers: deps.index });
    this.team = new TeamReplies(deps);
    this.notes = deps.discussions ? new DiscussionNotes(deps.discussions, deps.now, deps.logger) : undefined;
    this.citationNotes = deps.citations
      ? new CitationNotes(deps.citations, deps.index, deps.now, deps.logger)
      : undefined;
  }

  /** The answer to `/paper <text>` typed in `context.channel`. */
  async toCommand(text: string, context: CommandContext): Promise<SlackMessage> {
    const command = parsePaperCommand(text);
    switch (command.kind) {
      case 'help':
        return helpMessage(PAPER_COMMANDS);
      case 'invalid':
        // Problems quote what the user typed: escape them, or `after:<!channel>` would broadcast.
        return noticeMessage(
          `:warning: ${command.problems.map((problem) => escapeMrkdwn(problem.message)).join('\n')}\nType \`/paper help\` for examples.`,
        );
      case 'search':
        return this.noted(await this.searchPage(text, 0, context), context.audience);
      case 'status':
        return statusMessage(await this.status(), await this.deps.store.inChannel(context));
      case 'cite':
      case 'trending':
        return this.anchors.answer(command, context);
      case 'taste':
        return this.taste.taste(context);
      case 'taste-reset':
        return this.taste.reset(context, command.confirmed);
      case 'for':
        return this.forMessage(command.text, {
          where: context,
          ...(context.audience ? { audience: context.audience } : {}),
        });
      case 'who':
      case 'who-forget':
      case 'recap':
        return this.team.answer(command, context);
      default:
        return this.subscriptions.answer(command, context);
    }
  }

  /** What the bot knows and how fresh it is: the corpus, each source's refreshes, the backfill. */
  async status(): Promise<ServiceStatus> {
    const { operations } = this.deps;
    // Filter-only searches list the newest publication first; a corpus without dates has only arrivals.
    const published = await this.index.search(paperQuery({ after: '0001-01-01' }), { limit: 1 });
    const newest = published.hits[0]?.paper ?? (await this.index.newest(1))[0];
    const backfill = operations?.backfill();
    const lastIngest = await operations?.lastIngest?.();
    return {
      version: VERSION,
      ...(operations ? { startedAt: operations.startedAt } : {}),
      papers: this.index.size,
      ...(newest ? { newest } : {}),
      sources: operations?.sources() ?? [],
      ...(backfill ? { backfill } : {}),
      ...(lastIngest ? { lastIngest } : {}),
    };
  }

  /** The answer to a mention of the bot with this text. */
  async toMention(text: string, context: MentionContext): Promise<SlackMessage> {
    // "@paperbot help" (a bare mention is not a request for help: it searches with its thread, and
    // so does one with only punctuation, "@paperbot ?").
    const asked = plainQuestion(text);
    if (asked && /\p{L}/u.test(asked) && asksForHelp(asked)) return helpMessage(PAPER_COMMANDS);
    // "@paperbot <arXiv link or id>": that paper.
    const arxivId = arxivIdOf(asked);
    if (arxivId)
      return this.noted(await this.paperByArxivId(arxivId, asked, context.where), context.audience);
    const question = questionOf(text);
    const { query, problems } = parseQuery(question);
    if (problems.length === 0 && (hasSearchTerms(query) || hasFilters(query))) {
      return this.noted(
        await this.results(question, query, MENTION_RESULTS, undefined, context.where),
        context.audience,
      );
    }
    if (!context.inThread) {
      return noticeMessage(
        'Ask me about a topic, e.g. `@paperbot papers on reward model ensembles?`, or mention me in a thread and I will search with its first message.',
      );
    }
    const like = await this.likeThese(await this.papersSeenIn(context), context.where);
    if (like) return this.noted(like, context.audience);
    let parentText: string | undefined;
    try {
      parentText = await context.threadParentText();
    } catch (error) {
      this.logger.warn(`Could not read the thread's first message: ${(error as Error).message}`);
      return noticeMessage(
        "I couldn't read this thread's first message. Ask me with a few words instead, e.g. `@paperbot reward model ensembles`.",
      );
    }
    const parentQuery = queryFromMessage(parentText ?? '');
    if (!hasSearchTerms(parentQuery)) {
      return noticeMessage(
        "This thread's first message has no words I can search with. Ask me with a few words, e.g. `@paperbot reward model ensembles`.",
      );
    }
    const parentWords = parentQuery.words.join(' ');
    const note = `Searched with the thread's first message: “${truncate(parentWords, 120)}”`;
    return this.noted(
      await this.results(truncate(parentWords, 60), parentQuery, MENTION_RESULTS, note, context.where),
      context.audience,
    );
  }

  /**
   * The best papers for someone's message (the message shortcut; `/paper for <text>`): its words
   * are the query, operators not interpreted since nobody wrote them for the bot. With `threadTs`
   * (the message's thread), a button posts the papers there.
   */
  async forMessage(
    text: string,
    options: { threadTs?: string; where?: ChannelRef; audience?: Audience } = {},
  ): Promise<SlackMessage> {
    const query = queryFromMessage(text);
    if (!hasSearchTerms(query))
      return noticeMessage(
        'That message has no words I can search with. Try `/paper` with a few words about its topic.',
      );
    const words = truncate(query.words.join(' '), 60);
    const results = await this.index.search(query, { limit: COMMAND_RESULTS });
    if (results.total === 0) return noHitsMessage(words, false);
    const found = await this.noted(
      resultsMessage({ queryText: words, note: "Searched with the message's words" }, results, {
        cardExtras: { followedAuthors: await this.anchors.followedAuthors(options.where) },
      }),
      options.audience,
    );
    return options.threadTs
      ? withPostInThread(
          found,
          options.threadTs,
          results.hits.map((hit) => hit.paper.id),
        )
      : found;
  }

  /** The papers found for a message, to post in its thread by `userId`; undefined when none is in the corpus any more. */
  async papersForThread(paperIds: readonly string[], userId: string): Promise<SlackMessage | undefined> {
    const papers = (await Promise.all(paperIds.map((id) => this.index.get(id)))).filter(
      (paper): paper is Paper => paper !== undefined,
    );
    return papers.length > 0 ? threadPapersMessage(papers, userId) : undefined;
  }

  /**
   * What the "Search papers" modal shows for a query: the results (the first page, without the
   * buttons that need a channel), or the problem with the query, for its field.
   */
  async searchInModal(text: string): Promise<{ found: SlackMessage } | { problem: string }> {
    const trimmed = text.trim();
    const { query, problems } = parseQuery(trimmed);
    if (problems.length > 0) return { problem: problems.join(' ') };
    if (!hasSearchTerms(query) && !hasFilters(query))
      return { problem: 'Tell me what to look for: a few words about the topic.' };
    const results = await this.index.search(query, { limit: COMMAND_RESULTS });
    if (results.total === 0) return { found: noHitsMessage(trimmed, hasFilters(query)) };
    return { found: resultsMessage({ queryText: trimmed }, results) };
  }

  /** The papers paperbot posted, shared or saw linked in the mention's thread (none when it cannot tell). */
  private async papersSeenIn(context: MentionContext): Promise<string[]> {
    const { discussions } = this.deps;
    if (!discussions || !context.where || !context.threadTs) return [];
    try {
      return await discussions.papersInThread(context.where, context.threadTs, MENTION_RESULTS);
    } catch (error) {
      this.logger.warn(`Could not read the papers of the thread: ${(error as Error).message}`);
      return [];
    }
  }

  /**
   * Papers like those of a thread: their titles as the query, the thread's own papers left out;
   * undefined when none of them is in the corpus.
   */
  private async likeThese(
    paperIds: readonly string[],
    where?: ChannelRef,
  ): Promise<SlackMessage | undefined> {
    const papers = (await Promise.all(paperIds.map((id) => this.index.get(id)))).filter(
      (paper): paper is Paper => paper !== undefined,
    );
    if (papers.length === 0) return undefined;
    const words = papers.flatMap((paper) => tokenize(paper.title));
    const query = paperQuery({ words });
    const results = await this.index.search(query, { limit: MENTION_RESULTS, excludeIds: [...paperIds] });
    const shown = truncate(papers.map((paper) => paper.title).join('; '), 60);
    if (results.hits.length === 0) return noHitsMessage(shown, false);
    return resultsMessage(
      { queryText: shown, note: 'Papers like the ones already in this thread' },
      results,
      { cardExtras: { followedAuthors: await this.anchors.followedAuthors(where) } },
    );
  }

  /** The answer with where its papers were discussed, as far as `audience` may know. */
  private async noted(message: SlackMessage, audience: Audience | undefined): Promise<SlackMessage> {
    const discussed = this.notes && audience ? await this.notes.annotate(message, audience) : message;
    return this.citationNotes ? this.citationNotes.annotate(discussed) : discussed;
  }

  /**
   * One page of `/paper` results (from "More results": the query and offset come from the button,
   * never from server memory, so they survive a restart).
   */
  async searchPage(queryText: string, offset: number, where?: ChannelRef): Promise<SlackMessage> {
    const command = parsePaperCommand(queryText);
    if (command.kind !== 'search')
      return noticeMessage(':warning: That search can no longer be repeated; run `/paper` again.');
    if (command.arxivId) return this.paperByArxivId(command.arxivId, queryText, where);
    const page = { limit: COMMAND_RESULTS, offset: Math.max(0, offset) };
    // Words that match (almost) nothing may be misspelt: the closest spellings, when they find more.
    const { results, corrected } = await searchCorrectingSpelling(this.index, command.query, page, () =>
      this.spellingOf(),
    );
    const note = corrected ? `Did you mean “${corrected.join(' ')}”? These are papers for it.` : command.note;
    if (results.total === 0)
      return noHitsMessage(queryText, hasFilters(command.query), await this.whyNothing(command.query));
    return resultsMessage({ queryText, ...(note ? { note } : {}) }, results, {
      cardButtons: { kind: 'search' },
      cardExtras: {
        followedAuthors: await this.anchors.followedAuthors(where),
        searchedAuthors: command.query.authors,
      },
      paging: { query: queryText, offset },
    });
  }

  /**
   * A search that names one paper (`/paper 2501.12948`, an arXiv or Hugging Face link): that
   * paper's card, from the corpus, or else fetched from arXiv and added (when online).
   */
  private async paperByArxivId(
    arxivId: string,
    queryText: string,
    where?: ChannelRef,
  ): Promise<SlackMessage> {
    const paper = await this.findByArxivId(arxivId);
    if (!paper) {
      const missing = `:mag: arXiv:${escapeToFit(arxivId, 40)} is not among my ${this.index.size.toLocaleString('en-US')} papers`;
      return noticeMessage(
        this.deps.fetchPaper
          ? `${missing}, and arXiv does not know it (or could not be reached). Check the id, or search with words of its title.`
          : `${missing}. Search with words of its title; in Slack, paste its arxiv.org link in a channel I am in and I add it.`,
      );
    }
    const results: SearchResults = { hits: [{ paper, score: 1, matchedTerms: [] }], total: 1, strong: 1 };
    return resultsMessage({ queryText }, results, {
      cardButtons: { kind: 'search' },
      cardExtras: { followedAuthors: await this.anchors.followedAuthors(where) },
    });
  }

  /** The paper with this arXiv id: in the corpus, or fetched (and added) when the bot can. */
  private async findByArxivId(arxivId: string): Promise<Paper | undefined> {
    const known = await this.index.getByArxivId(arxivId);
    if (known || !this.deps.fetchPaper) return known;
    try {
      return await this.deps.fetchPaper(arxivId);
    } catch (error) {
      this.logger.warn(`Could not fetch arXiv:${arxivId}: ${(error as Error).message}`);
      return undefined;
    }
  }

  /**
   * Why a query found nothing, when the corpus is the reason: no paper by an author it names, or
   * nothing published as recently as its date window asks (a corpus that is not being refreshed).
   */
  private async whyNothing(query: PaperQuery): Promise<string | undefined> {
    const unknown = [];
    for (const author of query.authors) {
      const alone = paperQuery({ authors: [author] });
      if ((await this.index.search(alone, { limit: 1 })).total === 0) unknown.push(author);
    }
    if (unknown.length > 0)
      return `None of my ${this.index.size.toLocaleString('en-US')} papers has an author named ${unknown.map((name) => `“${name}”`).join(' or ')}.`;
    if (!query.after) return undefined;
    // A filter every dated paper passes: filter-only results come newest publication first.
    const newest = await this.index.search(paperQuery({ before: '9999-12-31' }), { limit: 1 });
    const day = newest.hits[0]?.paper.published;
    return day && day < query.after
      ? `I have no paper published on or after ${formatDay(query.after)}: my newest are from ${formatDay(day)}.`
      : undefined;
  }

  /** The spelling suggestions of the corpus as it is now (remade after the corpus grew). */
  private async spellingOf(): Promise<Spelling | undefined> {
    const { index } = this;
    if (!index.titles) return undefined;
    const size = index.size;
    // One build at a time: concurrent searches share it.
    if (this.spelling?.size !== size)
      this.spelling = { spelling: Spelling.fromTitlesInTurns(index.titles()), size };
    return this.spelling.spelling;
  }

  /** Papers similar to one: its title and the start of its abstract as the query, the paper itself left out. */
  async moreLikeThis(paperId: string): Promise<SlackMessage> {
    const paper = await this.index.get(paperId);
    if (!paper) return noticeMessage(':warning: That paper is no longer in the corpus.');
    const words = [...tokenize(paper.title), ...tokenize(paper.abstract).slice(0, 40)];
    const query = paperQuery({ words });
    const found = await this.index.search(query, { limit: COMMAND_RESULTS, excludeIds: [paperId] });
    const { hits } = found;
    if (hits.length === 0)
      return noticeMessage(
        `:mag: No other papers are like “${escapeMrkdwn(truncate(paper.title, 150))}” yet.`,
      );
    return resultsMessage({ queryText: `like: ${paper.title}` }, found, { cardButtons: { kind: 'search' } });
  }

  /** A card to post in a channel on behalf of the user who shared it; undefined for an unknown paper. */
  async sharedCard(paperId: string, userId: string, where?: ChannelRef): Promise<SlackMessage | undefined> {
    const paper = await this.index.get(paperId);
    return paper
      ? sharedCardMessage(paper, userId, { followedAuthors: await this.anchors.followedAuthors(where) })
      : undefined;
  }

  private async results(
    queryText: string,
    query: PaperQuery,
    limit: number,
    note?: string,
    where?: ChannelRef,
  ): Promise<SlackMessage> {
    const results = await this.index.search(query, { limit });
    if (results.total === 0) return noHitsMessage(queryText || describeQuery(query), hasFilters(query));
    return resultsMessage({ queryText, ...(note ? { note } : {}) }, results, {
      cardExtras: { followedAuthors: await this.anchors.followedAuthors(where) },
    });
  }
}

/** A mention's text as typed: mentions dropped, links as their address. */
function plainQuestion(text: string): string {
  return text
    .replace(/<(https?:\/\/[^<>|]+)(?:\|[^<>]*)?>/g, ' $1 ')
    .replace(/<[^<>]*>/g, ' ')
    .trim();
}
