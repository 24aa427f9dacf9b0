import type { SlackMessage } from '../blocks/message.js';
import {
  helpMessage,
  noHitsMessage,
  noticeMessage,
  resultsMessage,
  sharedCardMessage,
} from '../blocks/messages.js';
import { escapeMrkdwn, truncate } from '../blocks/mrkdwn.js';
import { statusMessage } from '../blocks/status.js';
import type { DiscussionStore } from '../discussions/store.js';
import type { Logger } from '../logger.js';
import type { CitationStore } from '../papers/citations.js';
import type { PaperSearch } from '../search/paperSearch.js';
import { describeQuery, hasFilters, hasSearchTerms, type PaperQuery, parseQuery } from '../search/query.js';
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
import { parsePaperCommand } from './paperCommand.js';
import { type CommandContext, SubscriptionReplies } from './subscriptionReplies.js';
import { TasteReplies } from './tasteReplies.js';
import { TeamReplies } from './teamReplies.js';

/** Cards in a `/paper` answer. */
export const COMMAND_RESULTS = 5;
/** Cards in an answer to a mention (a thread is a conversation, not a results page). */
export const MENTION_RESULTS = 3;

/** What a mention's answer may need from the conversation around it. */
export interface MentionContext {
  /** The channel the mention was posted in: its cards mark the authors it follows. */
  where?: ChannelRef;
  /** Whether the mention was posted inside a thread. */
  inThread: boolean;
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
        return helpMessage();
      case 'invalid':
        // Problems quote what the user typed: escape them, or `after:<!channel>` would broadcast.
        return noticeMessage(
          `:warning: ${command.problems.map((problem) => escapeMrkdwn(problem.message)).join('\n')}\nType \`/paper help\` for examples.`,
        );
      case 'search':
        return this.noted(await this.searchPage(command.text, 0, context), context.audience);
      case 'status':
        return statusMessage(await this.status(), await this.deps.store.inChannel(context));
      case 'cite':
      case 'trending':
        return this.anchors.answer(command, context);
      case 'taste':
        return this.taste.taste(context);
      case 'taste-reset':
        return this.taste.reset(context, command.confirmed);
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
    const [newest] = await this.index.newest(1);
    const backfill = operations?.backfill();
    return {
      version: VERSION,
      ...(operations ? { startedAt: operations.startedAt } : {}),
      papers: this.index.size,
      ...(newest ? { newest } : {}),
      sources: operations?.sources() ?? [],
      ...(backfill ? { backfill } : {}),
    };
  }

  /** The answer to a mention of the bot with this text. */
  async toMention(text: string, context: MentionContext): Promise<SlackMessage> {
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
    const results = await this.index.search(command.query, {
      limit: COMMAND_RESULTS,
      offset: Math.max(0, offset),
    });
    if (results.total === 0) return noHitsMessage(queryText, hasFilters(command.query));
    return resultsMessage({ queryText }, results, {
      cardButtons: { kind: 'search' },
      cardExtras: { followedAuthors: await this.anchors.followedAuthors(where) },
      paging: { query: queryText, offset },
    });
  }

  /** Papers similar to one: its title and the start of its abstract as the query, the paper itself left out. */
  async moreLikeThis(paperId: string): Promise<SlackMessage> {
    const paper = await this.index.get(paperId);
    if (!paper) return noticeMessage(':warning: That paper is no longer in the corpus.');
    const words = [...tokenize(paper.title), ...tokenize(paper.abstract).slice(0, 40)];
    const query = { words, phrases: [], excluded: [], authors: [], hasCode: false };
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
