import { papersShown, withCitationCounts } from '../blocks/discussions.js';
import type { SlackMessage } from '../blocks/message.js';
import type { Logger } from '../logger.js';
import type { CitationCount, CitationStore } from '../papers/citations.js';
import type { PaperSearch } from '../search/paperSearch.js';

/**
 * Adds "cited by N" to an answer's cards from the citation cache only (Semantic Scholar is never
 * asked while a person waits), and wants the papers shown so that the background refresh keeps
 * their counts (a paper shown for the first time has its count from the next refresh on).
 */
export class CitationNotes {
  constructor(
    private readonly store: CitationStore,
    private readonly papers: Pick<PaperSearch, 'get'>,
    private readonly now: () => Date,
    private readonly logger: Logger,
  ) {}

  /** The message with a citation line on each card whose count is known; as it was on any failure. */
  async annotate(message: SlackMessage): Promise<SlackMessage> {
    try {
      const shown = papersShown(message);
      if (shown.length === 0) return message;
      const papers = await Promise.all(shown.map((id) => this.papers.get(id)));
      const byArxiv = new Map<string, string>();
      for (const paper of papers) if (paper?.arxivId) byArxiv.set(paper.arxivId, paper.id);
      const arxivIds = [...byArxiv.keys()];
      void this.store
        .want(arxivIds, this.now(), false)
        .catch((error: unknown) => this.logger.warn('Could not queue papers for citation counts:', error));
      const counts = await this.store.counts(arxivIds);
      const byPaper = new Map<string, CitationCount>();
      for (const [arxivId, count] of counts) byPaper.set(byArxiv.get(arxivId) as string, count);
      return withCitationCounts(message, byPaper);
    } catch (error) {
      this.logger.warn('Could not add citation counts:', error);
      return message;
    }
  }
}
