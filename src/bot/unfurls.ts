import type { SlackMessage } from '../blocks/message.js';
import { standaloneCard } from '../blocks/paperCard.js';
import type { Logger } from '../logger.js';
import type { Paper } from '../papers/paper.js';
import type { PaperSearch } from '../search/paperSearch.js';

// arxiv.org/abs/2401.12345, /abs/2401.12345v2, /pdf/2401.12345v2(.pdf), huggingface.co/papers/2401.12345
const PAPER_LINK =
  /^https?:\/\/(?:www\.|export\.)?(?:arxiv\.org\/(?:abs|pdf)|huggingface\.co\/papers)\/(\d{4}\.\d{4,5})(?:v\d+)?(?:\.pdf)?\/?(?:[?#].*)?$/i;

/** The arXiv id a link points at, when it is an arXiv abstract/PDF or a Hugging Face paper page. */
export function arxivIdOfLink(url: string): string | undefined {
  return PAPER_LINK.exec(url)?.[1];
}

/** Finds a paper that is not in the corpus yet (from arXiv) and adds it; undefined when it cannot. */
export type FetchPaper = (arxivId: string) => Promise<Paper | undefined>;

/**
 * Link previews for paper links: a compact card from the corpus, or for a paper not in it, from
 * its source (added to the corpus on the way). A link that cannot be resolved gets no preview,
 * so Slack's own stays.
 */
export class Unfurls {
  constructor(
    private readonly index: PaperSearch,
    private readonly fetchPaper: FetchPaper,
    private readonly logger: Logger,
  ) {}

  /** url → preview, for the links that could be resolved. */
  async previews(urls: readonly string[]): Promise<Record<string, Pick<SlackMessage, 'blocks'>>> {
    const previews: Record<string, Pick<SlackMessage, 'blocks'>> = {};
    for (const url of urls.slice(0, 10)) {
      const arxivId = arxivIdOfLink(url);
      if (!arxivId) continue;
      let paper: Paper | undefined;
      try {
        paper = (await this.index.getByArxivId(arxivId)) ?? (await this.fetchPaper(arxivId));
      } catch (error) {
        this.logger.warn(`No preview for ${url}: ${(error as Error).message}`);
      }
      if (paper) previews[url] = { blocks: standaloneCard(paper) };
    }
    return previews;
  }
}
