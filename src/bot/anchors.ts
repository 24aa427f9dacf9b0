import type { SlackMessage } from '../blocks/message.js';
import {
  citationFits,
  citeMessage,
  noHitsMessage,
  noticeMessage,
  trendingMessage,
} from '../blocks/messages.js';
import { escapeToFit, truncate } from '../blocks/mrkdwn.js';
import { formatDay } from '../blocks/paperCard.js';
import type { Logger } from '../logger.js';
import { bibtex } from '../papers/bibtex.js';
import type { Paper } from '../papers/paper.js';
import type { PaperSearch } from '../search/paperSearch.js';
import { hasFilters } from '../search/query.js';
import { periodStart, trendingPapers } from '../search/trending.js';
import type { SubscriptionStore } from '../subscriptions/store.js';
import type { ChannelRef } from '../subscriptions/subscription.js';
import { followedAuthors } from '../subscriptions/topics.js';
import type { AnchorCommand } from './paperCommand.js';
import type { FetchPaper } from './unfurls.js';

/** Cards in a `/paper trending` answer. */
export const TRENDING_RESULTS = 5;

/** What citations, trending and followed authors are computed from. */
export interface AnchorDeps {
  index: PaperSearch;
  store: SubscriptionStore;
  now: () => Date;
  logger: Logger;
  /** Finds (and adds) a paper the corpus lacks, from arXiv; none offline. */
  fetchPaper?: FetchPaper;
}

/**
 * The answers every paper tool has: `/paper cite` and the Cite button (BibTeX), `/paper trending`
 * (the most upvoted papers of the period), and which authors a channel follows (for its cards).
 */
export class AnchorReplies {
  constructor(private readonly deps: AnchorDeps) {}

  /** Answers `/paper cite …` or `/paper trending …` typed in `where`. */
  async answer(command: AnchorCommand, where: ChannelRef): Promise<SlackMessage> {
    if (command.kind === 'trending') return this.trending(command.period, where);
    const { index } = this.deps;
    if ('arxivId' in command) {
      const paper = await this.knownOrFetched(command.arxivId);
      if (paper) return citation(paper);
      return noticeMessage(
        `:warning: arXiv:${escapeToFit(command.arxivId, 40)} is not among my papers yet. Paste its arxiv.org link in a channel I am in (I add it to my papers), then cite it again, or cite it by its title's words.`,
      );
    }
    const found = await index.search(command.query, { limit: 3 });
    const [best, ...others] = found.hits;
    if (!best || found.strong === 0) {
      if (!best) return noHitsMessage(command.text, hasFilters(command.query));
      return noticeMessage(
        `:mag: No paper matches “${escapeToFit(truncate(command.text, 150), 200)}” strongly enough to cite. Try its arXiv id or more of its title.`,
      );
    }
    const alternatives = others.slice(0, Math.max(0, found.strong - 1));
    const note = alternatives.length
      ? `best match; also: ${alternatives.map((hit) => `${hit.paper.arxivId ?? truncate(hit.paper.title, 60)}`).join(', ')}`
      : undefined;
    return citation(best.paper, note);
  }

  /** The paper with this arXiv id, from the corpus or (online) fetched from arXiv and added. */
  private async knownOrFetched(arxivId: string): Promise<Paper | undefined> {
    const known = await this.deps.index.getByArxivId(arxivId);
    if (known || !this.deps.fetchPaper) return known;
    try {
      return await this.deps.fetchPaper(arxivId);
    } catch (error) {
      this.deps.logger.warn(`Could not fetch arXiv:${arxivId}: ${(error as Error).message}`);
      return undefined;
    }
  }

  /** The Cite button on a card: the paper's BibTeX, for the person who clicked. */
  async cite(paperId: string): Promise<SlackMessage> {
    const paper = await this.deps.index.get(paperId);
    return paper ? citation(paper) : noticeMessage(':warning: That paper is no longer in the corpus.');
  }

  /** `/paper trending [today|week]`: the most upvoted papers published in the period, as cards. */
  async trending(period: 'today' | 'week', where?: ChannelRef): Promise<SlackMessage> {
    const now = this.deps.now();
    const trending = await trendingPapers(this.deps.index, period, now, {
      limit: TRENDING_RESULTS,
      orLatest: true,
    });
    return trendingMessage(period, trending, {
      sinceText: formatDay(trending.since),
      ...(trending.latestDay
        ? {
            latest: {
              dayText: formatDay(trending.latestDay),
              askedSinceText: formatDay(periodStart(period, now)),
            },
          }
        : {}),
      cardExtras: { followedAuthors: await this.followedAuthors(where) },
    });
  }

  /**
   * The authors a channel follows (the `author:` filters of its subscriptions), for its cards;
   * none when the channel is unknown or its subscriptions cannot be read (the cards go without marks).
   */
  async followedAuthors(where?: ChannelRef): Promise<string[]> {
    if (!where?.channel) return [];
    try {
      return followedAuthors(await this.deps.store.inChannel(where));
    } catch (error) {
      this.deps.logger.warn("Could not read the channel's followed authors:", (error as Error).message);
      return [];
    }
  }
}

/**
 * The citation message of a paper, its author list shortened ("and others") only when the whole
 * entry would not fit in one message section.
 */
function citation(paper: Paper, note?: string): SlackMessage {
  for (const maxAuthors of [Number.POSITIVE_INFINITY, 50, 20, 10, 3]) {
    const entry = bibtex(paper, { maxAuthors });
    if (citationFits(entry)) return citeMessage(paper, entry, note);
  }
  return citeMessage(paper, bibtex(paper, { maxAuthors: 1 }), note);
}
