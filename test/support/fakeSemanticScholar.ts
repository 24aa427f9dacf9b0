import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A paper the fake knows, by arXiv id: its counts and the arXiv ids it cites. */
export interface FakeS2Paper {
  arxivId: string;
  citationCount: number;
  influentialCitationCount: number;
  /** arXiv ids of its references; references without one are added as Semantic Scholar lists them. */
  references: string[];
}

/** A fault the next batch request meets. */
export type S2Fault = 'rate-limit' | 'server-error' | 'timeout' | 'garbage' | 'wrong-length';

/** One request the fake received. */
export interface S2Request {
  path: string;
  fields: string | null;
  apiKey: string | undefined;
  ids: string[];
}

/** A 40-hex Semantic Scholar paper id, stable per arXiv id. */
function s2Id(arxivId: string): string {
  let hash = 0n;
  for (const char of arxivId) hash = (hash * 131n + BigInt(char.charCodeAt(0))) % 2n ** 160n;
  return hash.toString(16).padStart(40, '0');
}

/**
 * Semantic Scholar's Graph API on loopback, as documented: `POST /graph/v1/paper/batch?fields=…`
 * with `{"ids": ["ARXIV:…", …]}` (at most 500) answers an array in the order of the ids, `null` for
 * an unknown one; each paper has `paperId`, the asked fields, and `references` as
 * `{paperId, externalIds}` objects (a reference Semantic Scholar cannot resolve has both null).
 * It refuses what the API refuses (400 with `{"error": …}`), and plays faults on demand: a 429
 * with Retry-After and the API's message, a 500, an answer that never comes, garbage.
 */
export class FakeSemanticScholar {
  readonly requests: S2Request[] = [];
  private readonly papers = new Map<string, FakeS2Paper>();
  private readonly faults: S2Fault[] = [];
  private readonly held: ServerResponse[] = [];
  private server: Server | undefined;

  /** Base URL, ending in `/` (PAPERBOT_SEMANTIC_SCHOLAR_API_URL). */
  get url(): string {
    if (!this.server) throw new Error('the fake Semantic Scholar is not started');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
  }

  async start(): Promise<this> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    for (const response of this.held.splice(0)) response.destroy();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  add(...papers: FakeS2Paper[]): void {
    for (const paper of papers) this.papers.set(paper.arxivId, paper);
  }

  /** The next requests meet these faults, one each, in order. */
  fail(...faults: S2Fault[]): void {
    this.faults.push(...faults);
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const url = new URL(request.url ?? '/', 'http://x');
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      response.writeHead(status, { 'content-type': 'application/json', ...headers });
      response.end(JSON.stringify(body));
    };
    if (url.pathname !== '/graph/v1/paper/batch') return json(404, { error: 'Not found' });
    if (request.method !== 'POST') return json(405, { message: 'Method Not Allowed' });
    let ids: unknown;
    try {
      ids = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { ids?: unknown }).ids;
    } catch {
      return json(400, { error: 'Unacceptable request body' });
    }
    if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string'))
      return json(400, { error: 'Body must be {"ids": [...]}' });
    if (ids.length > 500) return json(400, { error: 'Cannot process more than 500 ids' });
    const apiKey = request.headers['x-api-key'];
    this.requests.push({
      path: url.pathname,
      fields: url.searchParams.get('fields'),
      apiKey: typeof apiKey === 'string' ? apiKey : undefined,
      ids: ids as string[],
    });
    switch (this.faults.shift()) {
      case 'rate-limit':
        return json(
          429,
          {
            message:
              'Too Many Requests. Please wait and try again or apply for a key for higher rate limits. https://www.semanticscholar.org/product/api#api-key-form',
            code: '429',
          },
          { 'retry-after': '30' },
        );
      case 'server-error':
        return json(500, { message: 'Internal Server Error' });
      case 'timeout':
        this.held.push(response); // answered never; destroyed on stop
        return;
      case 'garbage':
        response.writeHead(200, { 'content-type': 'text/html' });
        response.end('<html><body>Service temporarily unavailable</body></html>');
        return;
      case 'wrong-length':
        return json(200, [{ paperId: s2Id('x'), citationCount: 'many' }]);
      default:
        break;
    }
    const fields = new Set((url.searchParams.get('fields') ?? '').split(','));
    json(
      200,
      (ids as string[]).map((id) => {
        const arxivId = id.replace(/^ARXIV:/i, '');
        const paper = id.toUpperCase().startsWith('ARXIV:') ? this.papers.get(arxivId) : undefined;
        if (!paper) return null;
        return {
          paperId: s2Id(arxivId),
          ...(fields.has('citationCount') ? { citationCount: paper.citationCount } : {}),
          ...(fields.has('influentialCitationCount')
            ? { influentialCitationCount: paper.influentialCitationCount }
            : {}),
          ...([...fields].some((f) => f.startsWith('references'))
            ? {
                references: [
                  ...paper.references.map((ref) => ({
                    paperId: s2Id(ref),
                    externalIds: { ArXiv: ref, CorpusId: Number.parseInt(s2Id(ref).slice(-6), 16) },
                  })),
                  {
                    paperId: s2Id(`doi:${arxivId}`),
                    externalIds: { DOI: `10.1000/${arxivId}`, CorpusId: 1 },
                  },
                  { paperId: null, externalIds: null },
                ],
              }
            : {}),
        };
      }),
    );
  }
}
