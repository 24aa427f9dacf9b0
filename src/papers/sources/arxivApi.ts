import { createRequire } from 'node:module';
import type { XMLParser } from 'fast-xml-parser';
import { dedupeUrls, findLinks } from '../links.js';
import { collapseWhitespace, type Paper } from '../paper.js';
import { type FetchOptions, fetchText, type Skipped, type SourceBatch, sourceError } from './http.js';

let parser: XMLParser | undefined;
/** The Atom parser, made (and fast-xml-parser loaded) with the first page rather than at start-up. */
function atomParser(): XMLParser {
  if (!parser) {
    const fastXmlParser = createRequire(import.meta.url)(
      'fast-xml-parser',
    ) as typeof import('fast-xml-parser');
    parser = new fastXmlParser.XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: '',
      removeNSPrefix: true,
      parseTagValue: false,
      trimValues: true,
      isArray: (name) => ['entry', 'author', 'link', 'category'].includes(name),
    });
  }
  return parser;
}

type Node = Record<string, unknown>;
const text = (value: unknown): string =>
  typeof value === 'string'
    ? value
    : typeof value === 'object' && value && '#text' in value
      ? String((value as Node)['#text'])
      : '';
const unwrap = (value: unknown) => collapseWhitespace(text(value));

/** A page of arXiv API results: the papers, entries that could not be used, and the total the query has. */
export interface ArxivPage extends SourceBatch {
  entries: number;
  totalResults: number;
}

/**
 * Parses an arXiv API answer (Atom XML). The id loses its version (`2401.12345v2` → `2401.12345`);
 * code links come from the abstract and the `arxiv:comment`.
 */
export function parseArxivAtom(xml: string, arrivedAt: string): ArxivPage {
  const document = atomParser().parse(xml) as Node;
  const feed = document.feed as Node | undefined;
  if (!feed) throw new Error('not an Atom feed');
  const entries = (feed.entry as Node[] | undefined) ?? [];
  const papers: Paper[] = [];
  const skipped: Skipped[] = [];
  for (const entry of entries) {
    const idMatch = /arxiv\.org\/abs\/(.+?)(v\d+)?$/.exec(unwrap(entry.id));
    const id = idMatch?.[1];
    const title = unwrap(entry.title);
    // arXiv reports query errors as an entry titled "Error".
    if (!id || !title || title === 'Error') {
      skipped.push({
        reason: `arXiv entry: ${title === 'Error' ? `API error: ${unwrap(entry.summary)}` : 'no id or title'}`,
      });
      continue;
    }
    const abstract = unwrap(entry.summary);
    const comment = unwrap(entry.comment);
    const inText = findLinks(`${abstract} ${comment}`);
    // The primary category first (a citation's primaryClass), then the cross-lists as listed.
    const primary = String((entry.primary_category as Node | undefined)?.term ?? '');
    const categories = [
      ...new Set(
        [primary, ...((entry.category as Node[] | undefined) ?? []).map((c) => String(c.term ?? ''))].filter(
          Boolean,
        ),
      ),
    ];
    const published = unwrap(entry.published).slice(0, 10);
    papers.push({
      id,
      ...(/^\d{4}\.\d{4,5}$|^[a-z-]+(\.[A-Z]{2})?\/\d{7}$/.test(id) ? { arxivId: id } : {}),
      title,
      abstract,
      authors: ((entry.author as Node[] | undefined) ?? []).map((a) => unwrap(a.name)).filter(Boolean),
      ...(/^\d{4}-\d{2}-\d{2}$/.test(published) ? { published } : {}),
      arrivedAt,
      links: {
        page: `https://arxiv.org/abs/${id}`,
        pdf: `https://arxiv.org/pdf/${id}`,
        code: dedupeUrls(inText.code),
        project: dedupeUrls(inText.project),
      },
      source: 'arxiv',
      ...(categories.length > 0 ? { categories } : {}),
      ...(idMatch?.[2] ? { arxivVersion: Number(idMatch[2].slice(1)) } : {}),
    });
  }
  const totalResults = Number(unwrap(feed.totalResults)) || 0;
  return { papers, skipped, entries: entries.length, totalResults };
}

/** Options of an {@link ArxivClient}. */
export interface ArxivOptions extends FetchOptions {
  /** Minimum time between two requests; arXiv asks for 3 s. */
  spacingMs?: number;
  /** Results per request (arXiv allows up to 2,000; smaller pages fail less). */
  pageSize?: number;
  sleep?: (ms: number) => Promise<void>;
  /** The clock the spacing is measured on (ms since the epoch); tests pass a virtual one with `sleep`. */
  now?: () => number;
}

/** Reads the newest papers of arXiv categories through the arXiv API, one request every 3 s. */
export class ArxivClient {
  private lastRequestAt = 0;

  constructor(
    private readonly baseUrl: string,
    private readonly options: ArxivOptions = {},
  ) {}

  /** The `max` most recently submitted papers of a category, paging through the API. */
  async newest(
    category: string,
    max: number,
    arrivedAt: string,
    onPage?: (done: number, of: number) => void,
  ): Promise<SourceBatch> {
    const { pageSize = 100 } = this.options;
    const papers: Paper[] = [];
    const skipped: Skipped[] = [];
    for (let start = 0; start < max; ) {
      const params = new URLSearchParams({
        search_query: `cat:${category}`,
        sortBy: 'submittedDate',
        sortOrder: 'descending',
        start: String(start),
        max_results: String(Math.min(pageSize, max - start)),
      });
      const url = `${this.baseUrl}query?${params}`;
      await this.waitForTurn();
      const body = await fetchText(url, this.options);
      let page: ArxivPage;
      try {
        page = parseArxivAtom(body, arrivedAt);
      } catch (error) {
        throw sourceError(url, `the answer is not an arXiv Atom feed (${(error as Error).message})`, error);
      }
      papers.push(...page.papers);
      skipped.push(...page.skipped);
      start += page.entries;
      onPage?.(Math.min(start, max), Math.min(max, page.totalResults || max));
      if (page.entries === 0 || start >= page.totalResults) break;
    }
    return { papers, skipped };
  }

  /** One paper by arXiv id (`id_list`), or undefined when arXiv does not know it. */
  async byId(arxivId: string, arrivedAt: string): Promise<Paper | undefined> {
    const url = `${this.baseUrl}query?${new URLSearchParams({ id_list: arxivId, max_results: '1' })}`;
    await this.waitForTurn();
    const body = await fetchText(url, this.options);
    try {
      return parseArxivAtom(body, arrivedAt).papers.find((paper) => paper.arxivId === arxivId);
    } catch (error) {
      throw sourceError(url, `the answer is not an arXiv Atom feed (${(error as Error).message})`, error);
    }
  }

  private async waitForTurn(): Promise<void> {
    const {
      spacingMs = 3000,
      sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
      now = Date.now,
    } = this.options;
    const wait = this.lastRequestAt + spacingMs - now();
    if (wait > 0) await sleep(wait);
    this.lastRequestAt = now();
  }
}
