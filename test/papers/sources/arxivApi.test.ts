import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { Paper } from '../../../src/papers/paper.js';
import { ArxivClient, parseArxivAtom } from '../../../src/papers/sources/arxivApi.js';
import { arxivRows, atomFeed, FakeSources } from '../../support/fakeSources.js';

const ARRIVED = '2026-11-26T06:30:00.000Z';
const rows = arxivRows(250);

describe('parseArxivAtom', () => {
  test('real records: version stripped, text unwrapped, links and categories kept', () => {
    const row = rows.find((r) => /https:\/\/github\.com\/[\w-]+\/[\w-]+/.test(r.comment ?? ''));
    if (!row) throw new Error('fixture has no comment with a code link');
    const { papers, totalResults, entries } = parseArxivAtom(atomFeed([row], 1234, 0), ARRIVED);
    expect(totalResults).toBe(1234);
    expect(entries).toBe(1);
    expect(papers[0]).toMatchObject({
      id: row.id,
      arxivId: row.id,
      title: row.title.replace(/\s+/g, ' ').trim(),
      abstract: row.summary.replace(/\s+/g, ' ').trim(),
      authors: row.authors,
      published: row.listing_date,
      links: { page: `https://arxiv.org/abs/${row.id}`, pdf: `https://arxiv.org/pdf/${row.id}` },
      categories: row.categories,
      source: 'arxiv',
    });
    expect(papers[0]?.links.code.length).toBeGreaterThan(0);
  });

  test('the primary category comes first (the citation primaryClass), cross-lists after it', () => {
    const row = { ...(rows[0] as (typeof rows)[0]), categories: ['cs.CV', 'cs.LG'] };
    // arxiv:primary_category names the primary one; the category list need not start with it.
    const feed = atomFeed([row], 1, 0).replace(
      /primary_category([^>]*)term="cs.CV"/,
      'primary_category$1term="cs.LG"',
    );
    expect(parseArxivAtom(feed, ARRIVED).papers[0]?.categories).toEqual(['cs.LG', 'cs.CV']);
  });

  test('250 real records all parse into valid papers', () => {
    const { papers, skipped } = parseArxivAtom(atomFeed(rows, rows.length, 0), ARRIVED);
    expect(skipped).toEqual([]);
    for (const paper of papers) expect(Paper.safeParse(paper).error?.issues ?? []).toEqual([]);
  });

  test("arXiv's error entry is skipped with its message; an empty feed has no papers", () => {
    const error = `<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>http://arxiv.org/api/errors#incorrect_id_format</id><title>Error</title><summary>incorrect id format for 1234</summary></entry></feed>`;
    expect(parseArxivAtom(error, ARRIVED).skipped).toEqual([
      { reason: 'arXiv entry: API error: incorrect id format for 1234' },
    ]);
    expect(parseArxivAtom(atomFeed([], 0, 0), ARRIVED)).toMatchObject({
      papers: [],
      entries: 0,
      totalResults: 0,
    });
  });
});

describe('ArxivClient against a fake arXiv API', () => {
  let sources: FakeSources;
  beforeAll(async () => {
    sources = await new FakeSources().start();
    sources.arxiv = rows;
  });
  afterAll(async () => sources.stop());

  test('pages through the newest papers, one request every 3 s', async () => {
    // A virtual clock that only the sleeps move: the spacing is then exact, however loaded the machine.
    let virtualNow = 1_000_000;
    const waits: number[] = [];
    const sentAt: number[] = [];
    const client = new ArxivClient(sources.arxivUrl, {
      pageSize: 100,
      now: () => virtualNow,
      sleep: async (ms) => {
        waits.push(ms);
        virtualNow += ms;
      },
      fetch: (url, init) => {
        sentAt.push(virtualNow);
        return fetch(url, init);
      },
    });
    sources.requests.length = 0;
    const batch = await client.newest('cs.LG', 230, ARRIVED);
    expect(batch.papers.map((p) => p.id)).toEqual(rows.slice(0, 230).map((r) => r.id));
    expect(sources.requests.map((r) => new URL(r, 'http://x').searchParams.get('start'))).toEqual([
      '0',
      '100',
      '200',
    ]);
    expect(new URL(sources.requests[2] ?? '', 'http://x').searchParams.get('max_results')).toBe('30');
    expect(new URL(sources.requests[0] ?? '', 'http://x').searchParams.get('search_query')).toBe('cat:cs.LG');
    // Each request waits for what is left of 3 s since the previous one (all of it, on this clock).
    expect(waits).toEqual([3000, 3000]);
    expect(sentAt).toEqual([1_000_000, 1_003_000, 1_006_000]);
  });

  test('stops when the category has no more papers', async () => {
    const client = new ArxivClient(sources.arxivUrl, { pageSize: 200, sleep: async () => {} });
    expect((await client.newest('cs.LG', 1000, ARRIVED)).papers).toHaveLength(250);
  });

  test('a 500 or a non-Atom answer is a source error naming the URL', async () => {
    const client = new ArxivClient(sources.arxivUrl, { sleep: async () => {} });
    sources.faults.push('http-500');
    await expect(client.newest('cs.LG', 10, ARRIVED)).rejects.toThrow(
      /\/arxiv\/query\?search_query=cat%3Acs\.LG.*: HTTP 500/,
    );
    sources.faults.push('html');
    await expect(client.newest('cs.LG', 10, ARRIVED)).rejects.toThrow(
      /: the answer is not an arXiv Atom feed \(not an Atom feed\)$/,
    );
  });
});
