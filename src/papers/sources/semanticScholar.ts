import { z } from 'zod';
import { PaperbotError } from '../../errors.js';
import { parseJsonBody, sourceError } from './http.js';

/** Ids in one `/graph/v1/paper/batch` request at most (the API's documented limit is 500). */
export const BATCH_SIZE = 500;

/** The fields paperbot asks for: the counts, and the arXiv ids of what a paper cites. */
export const FIELDS = 'citationCount,influentialCitationCount,references.externalIds';

/** What Semantic Scholar knows of one paper: its citation counts and the arXiv ids it cites. */
export interface CitationFacts {
  arxivId: string;
  citationCount: number;
  influentialCitationCount: number;
  /** arXiv ids of the papers it cites (its references that have one). */
  references: string[];
}

// The documented shape of a batch answer: an array in the order of the ids, null for an unknown
// id. Unknown fields are ignored; a reference without external ids is kept and skipped.
const Reference = z.object({
  paperId: z.string().nullish(),
  externalIds: z.record(z.string(), z.unknown()).nullish(),
});
const BatchItem = z
  .object({
    paperId: z.string(),
    citationCount: z.number().int().nonnegative().nullish(),
    influentialCitationCount: z.number().int().nonnegative().nullish(),
    references: z.array(Reference).nullish(),
  })
  .nullable();
const BatchAnswer = z.array(BatchItem);

/** Semantic Scholar refused for now (429): try again after `retryAfterMs`. */
export class RateLimited extends PaperbotError {
  constructor(
    readonly retryAfterMs: number,
    url: string,
  ) {
    super(
      'paperbot_source_error',
      `${url}: rate limited (HTTP 429), retry in ${Math.ceil(retryAfterMs / 1000)} s`,
    );
    this.name = 'RateLimited';
  }
}

/** How to reach the Graph API. */
export interface SemanticScholarOptions {
  /** The API's base URL, ending in `/` (PAPERBOT_SEMANTIC_SCHOLAR_API_URL). */
  apiUrl: string;
  /** Sent as `x-api-key` (PAPERBOT_SEMANTIC_SCHOLAR_API_KEY): a higher, own rate limit. */
  apiKey?: string;
  fetch?: typeof fetch;
  /** Abort a request after this long (default 30 s). */
  timeoutMs?: number;
}

/** An arXiv id without its version ("2310.02743v2" → "2310.02743"). */
const unversioned = (id: string) => id.replace(/v\d+$/, '');

/**
 * Reads citation counts and references from Semantic Scholar's Graph API, one batch request for
 * up to {@link BATCH_SIZE} arXiv ids. Resolves to one entry per id that Semantic Scholar knows
 * (an unknown id is left out); a 429 rejects with {@link RateLimited}, any other failure (5xx, a
 * timeout, an answer of another shape) with a source error. One try: the caller paces and retries.
 */
export async function fetchCitations(
  arxivIds: readonly string[],
  options: SemanticScholarOptions,
): Promise<CitationFacts[]> {
  if (arxivIds.length === 0) return [];
  if (arxivIds.length > BATCH_SIZE) throw new Error(`at most ${BATCH_SIZE} ids per batch`);
  const { fetch: doFetch = fetch, timeoutMs = 30_000 } = options;
  const url = `${options.apiUrl}graph/v1/paper/batch?fields=${FIELDS}`;
  let response: Response;
  let text: string;
  try {
    response = await doFetch(url, {
      method: 'POST',
      signal: AbortSignal.timeout(timeoutMs),
      headers: {
        'content-type': 'application/json',
        'user-agent': 'paperbot/0.1 (a Slack app for research papers)',
        ...(options.apiKey ? { 'x-api-key': options.apiKey } : {}),
      },
      body: JSON.stringify({ ids: arxivIds.map((id) => `ARXIV:${id}`) }),
    });
    text = await response.text();
  } catch (error) {
    const reason =
      (error as Error).name === 'TimeoutError'
        ? `no answer within ${timeoutMs} ms`
        : `the connection failed (${(error as { cause?: Error }).cause?.message ?? (error as Error).message})`;
    throw sourceError(url, reason, error);
  }
  if (response.status === 429) throw new RateLimited(retryAfterMs(response.headers.get('retry-after')), url);
  if (!response.ok) throw sourceError(url, `HTTP ${response.status} ${response.statusText}`.trim());
  const parsed = BatchAnswer.safeParse(parseJsonBody(url, text));
  if (!parsed.success || parsed.data.length !== arxivIds.length)
    throw sourceError(url, 'the answer is not a list of papers, one per id asked');
  const facts: CitationFacts[] = [];
  for (const [i, item] of parsed.data.entries()) {
    if (!item) continue;
    const references = new Set<string>();
    for (const reference of item.references ?? []) {
      const arxiv = reference.externalIds?.ArXiv;
      if (typeof arxiv === 'string' && /^[\w.\-/]{4,40}$/.test(arxiv)) references.add(unversioned(arxiv));
    }
    facts.push({
      arxivId: arxivIds[i] as string,
      citationCount: item.citationCount ?? 0,
      influentialCitationCount: item.influentialCitationCount ?? 0,
      references: [...references],
    });
  }
  return facts;
}

/** Retry-After in seconds (or an HTTP date); a minute when absent or unreadable. */
function retryAfterMs(header: string | null): number {
  if (header === null) return 60_000;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds, 3600) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? 60_000 : Math.min(Math.max(0, at - Date.now()), 3_600_000);
}
