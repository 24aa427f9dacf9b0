import { once } from 'node:events';
import {
  closeSync,
  existsSync,
  fstatSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants, gunzipSync } from 'node:zlib';
import type { DailyArxivRow } from '../../src/papers/sources/dailyArxiv.js';
import { shippedPapers } from './papers.js';

const SHARED = fileURLToPath(new URL('../../../shared/data/', import.meta.url));

/**
 * The replay file: one real HF daily-papers API answer per day, in date order (the last `count`
 * days when given). Several test files read it: the 50 MB it inflates to is written once per run
 * in the run's temp folder, and only the days asked for are read from its end and parsed.
 */
export function hfDays(
  count?: number,
): Array<{ date: string; items: Array<{ paper: { id: string; title: string } }> }> {
  const file = inflatedOnce(`${SHARED}hf-daily-papers/by_day.jsonl.gz`);
  const lines = count === undefined ? readFileSync(file, 'utf8').split('\n') : lastLines(file, count);
  return lines.filter(Boolean).map((line) => JSON.parse(line));
}

/**
 * `count` days of real Hugging Face items none of which is in the bundled corpus (which holds the
 * last weeks of the same set): days from four months before its end, without the papers the
 * bundled corpus took or an earlier of these days listed, so that each item is a new paper.
 */
export function unbundledHfDays(count: number): ReturnType<typeof hfDays> {
  const seen = new Set(shippedPapers().map((paper) => paper.arxivId));
  return hfDays(120)
    .slice(0, count)
    .map((day) => {
      const items = day.items.filter((item) => !seen.has(item.paper.id));
      for (const item of items) seen.add(item.paper.id);
      return { ...day, items };
    });
}

/** The last `count` lines of a text file that ends with a newline, read from its end. */
function lastLines(file: string, count: number): string[] {
  const fd = openSync(file, 'r');
  try {
    const { size } = fstatSync(fd);
    let chunks: Buffer[] = [];
    let newlines = 0;
    // count + 1 newlines: the one that ends the file, and the one before the first line wanted.
    for (let end = size; end > 0 && newlines <= count; ) {
      const start = Math.max(0, end - 1024 * 1024);
      const chunk = Buffer.allocUnsafe(end - start);
      readSync(fd, chunk, 0, chunk.length, start);
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) newlines++;
      chunks = [chunk, ...chunks];
      end = start;
    }
    return Buffer.concat(chunks).toString('utf8').split('\n').filter(Boolean).slice(-count);
  } finally {
    closeSync(fd);
  }
}

/**
 * A gzip file's text, inflated once per test run into the run's temp folder (which
 * test/support/globalTeardown.js removes); returns the inflated file's path.
 */
function inflatedOnce(file: string): string {
  const { size, mtimeMs } = statSync(file);
  const cached = join(tmpdir(), `paperbot-fixture-${basename(file, '.gz')}-${size}-${Math.round(mtimeMs)}`);
  if (existsSync(cached)) return cached;
  // Written aside and renamed: test files in other workers may read it at the same time.
  const temporary = `${cached}.${process.pid}.tmp`;
  writeFileSync(temporary, gunzipSync(readFileSync(file)));
  renameSync(temporary, cached);
  return cached;
}

/**
 * The first `count` real daily-arXiv rows. Only the start of the 44 MB file is decompressed
 * (a sync-flushed prefix inflates to whole lines), doubling until it holds enough of them:
 * inflating the whole file took ~2 s per call for the few hundred rows the tests read.
 */
export function arxivRows(count: number): DailyArxivRow[] {
  const gzipped = readFileSync(`${SHARED}daily-arxiv/papers.jsonl.gz`);
  for (let prefix = 256 * 1024; ; prefix *= 2) {
    const whole = prefix >= gzipped.length;
    const text = gunzipSync(gzipped.subarray(0, prefix), { finishFlush: constants.Z_SYNC_FLUSH }).toString(
      'utf8',
    );
    const lines = text.split('\n');
    if (!whole) lines.pop(); // the last line may be cut off
    const rows = lines.filter(Boolean).slice(0, count);
    if (rows.length === count || whole) return rows.map((line) => JSON.parse(line) as DailyArxivRow);
  }
}

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** An arXiv API Atom answer for real records, shaped like export.arxiv.org's (versioned ids, wrapped text). */
export function atomFeed(rows: DailyArxivRow[], totalResults: number, start: number): string {
  const entries = rows.map(
    (row) => `  <entry>
    <id>http://arxiv.org/abs/${row.id}v2</id>
    <updated>${row.listing_date}T17:59:59Z</updated>
    <published>${row.listing_date}T12:00:00Z</published>
    <title>${escapeXml(row.title)}</title>
    <summary>  ${escapeXml(row.summary)}
</summary>
${row.authors.map((name) => `    <author>\n      <name>${escapeXml(name)}</name>\n    </author>`).join('\n')}
${row.comment ? `    <arxiv:comment xmlns:arxiv="http://arxiv.org/schemas/atom">${escapeXml(row.comment)}</arxiv:comment>\n` : ''}    <link href="http://arxiv.org/abs/${row.id}v2" rel="alternate" type="text/html"/>
    <link title="pdf" href="http://arxiv.org/pdf/${row.id}v2" rel="related" type="application/pdf"/>
    <arxiv:primary_category xmlns:arxiv="http://arxiv.org/schemas/atom" term="${row.categories[0]}" scheme="http://arxiv.org/schemas/atom"/>
${row.categories.map((c) => `    <category term="${c}" scheme="http://arxiv.org/schemas/atom"/>`).join('\n')}
  </entry>`,
  );
  return `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <link href="http://arxiv.org/api/query" rel="self" type="application/atom+xml"/>
  <title type="html">ArXiv Query: search_query=cat:cs.LG</title>
  <id>http://arxiv.org/api/fake</id>
  <updated>2026-11-26T00:00:00-05:00</updated>
  <opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">${totalResults}</opensearch:totalResults>
  <opensearch:startIndex xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">${start}</opensearch:startIndex>
  <opensearch:itemsPerPage xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">${rows.length}</opensearch:itemsPerPage>
${entries.join('\n')}
</feed>
`;
}

/** How the fake answers one request. */
export type Fault = 'http-500' | 'timeout' | 'truncated' | 'html';

/**
 * Fake Hugging Face and arXiv APIs on loopback that replay recorded answers: `/hf/daily_papers?date=`
 * from a map of days, `/arxiv/query` paging over a list of rows. `faults` injects failures by request.
 */
export class FakeSources {
  readonly requests: string[] = [];
  hfDays = new Map<string, unknown[]>();
  arxiv: DailyArxivRow[] = [];
  /** The next requests fail like this (one entry per request, in order). */
  faults: Fault[] = [];
  private server: Server | undefined;
  private base = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://fake');
      this.requests.push(`${url.pathname}${url.search}`);
      const fault = this.faults.shift();
      if (fault === 'timeout') return; // never answers
      if (fault === 'http-500') {
        res.writeHead(500, { 'content-type': 'text/plain' }).end('Internal Server Error');
        return;
      }
      if (fault === 'html') {
        res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Maintenance</body></html>');
        return;
      }
      let body: string;
      let type = 'application/json';
      if (url.pathname === '/hf/daily_papers') {
        body = JSON.stringify(this.hfDays.get(url.searchParams.get('date') ?? '') ?? []);
      } else if (url.pathname === '/arxiv/query' && url.searchParams.has('id_list')) {
        const ids = (url.searchParams.get('id_list') ?? '').split(',');
        const found = this.arxiv.filter((row) => ids.includes(row.id));
        body = atomFeed(found, found.length, 0);
        type = 'application/atom+xml';
      } else if (url.pathname === '/arxiv/query') {
        const start = Number(url.searchParams.get('start') ?? 0);
        const max = Number(url.searchParams.get('max_results') ?? 10);
        body = atomFeed(this.arxiv.slice(start, start + max), this.arxiv.length, start);
        type = 'application/atom+xml';
      } else {
        res.writeHead(404).end();
        return;
      }
      if (fault === 'truncated') {
        // Promise the whole body, send half, and hang up.
        res.writeHead(200, { 'content-type': type, 'content-length': String(Buffer.byteLength(body)) });
        res.write(body.slice(0, Math.floor(body.length / 2)));
        res.socket?.destroy();
        return;
      }
      res.writeHead(200, { 'content-type': type }).end(body);
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  get hfUrl(): string {
    return `${this.base}/hf/`;
  }

  get arxivUrl(): string {
    return `${this.base}/arxiv/`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}
