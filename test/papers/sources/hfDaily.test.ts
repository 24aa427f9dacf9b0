import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { PaperbotError } from '../../../src/errors.js';
import { Paper } from '../../../src/papers/paper.js';
import { fetchHfDay, papersFromHfItems } from '../../../src/papers/sources/hfDaily.js';
import { FakeSources, hfDays } from '../../support/fakeSources.js';

const ARRIVED = '2026-11-26T10:05:00.000Z';
// The last 40 days of the replay: only these are read and parsed (all of it is 50 MB of JSON).
const days = hfDays(40);

describe('papersFromHfItems', () => {
  test('every item of 40 real days becomes a valid paper', () => {
    const items = days.flatMap((day) => day.items);
    const { papers, skipped } = papersFromHfItems(items, ARRIVED);
    expect(skipped).toEqual([]);
    expect(papers).toHaveLength(items.length);
    for (const paper of papers) expect(Paper.safeParse(paper).error?.issues ?? []).toEqual([]);
  });

  test('maps the fields: HF page, arXiv PDF, repository, project page, upvotes, thumbnail', () => {
    const item = {
      paper: {
        id: '2405.13729',
        title: 'ComboStoc:\n  Combinatorial Stochasticity',
        summary: 'We study diffusion.  Code: https://github.com/Xrvitd/ComboStoc',
        authors: [{ _id: 'x', name: 'Rui Xu', hidden: false }],
        publishedAt: '2026-04-29T00:00:00.000Z',
        upvotes: 5,
        githubRepo: 'https://github.com/Xrvitd/ComboStoc',
        githubStars: 31,
        projectPage: 'https://ruixu.me/html/ComboStoc/index.html',
        ai_summary: 'Combining stochastic processes\n with diffusion models.',
        ai_keywords: [
          'diffusion generative models',
          ' combinatorial  complexity',
          'diffusion generative models',
        ],
      },
      thumbnail: 'https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2405.13729.png',
      numComments: 1,
    };
    expect(papersFromHfItems([item], ARRIVED).papers[0]).toEqual({
      id: '2405.13729',
      arxivId: '2405.13729',
      title: 'ComboStoc: Combinatorial Stochasticity',
      abstract: 'We study diffusion. Code: https://github.com/Xrvitd/ComboStoc',
      authors: ['Rui Xu'],
      published: '2026-04-29',
      arrivedAt: ARRIVED,
      links: {
        page: 'https://huggingface.co/papers/2405.13729',
        pdf: 'https://arxiv.org/pdf/2405.13729',
        code: ['https://github.com/Xrvitd/ComboStoc'],
        project: ['https://ruixu.me/html/ComboStoc/index.html'],
      },
      source: 'hf-daily-papers',
      upvotes: 5,
      githubStars: 31,
      thumbnail: 'https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2405.13729.png',
      aiKeywords: ['diffusion generative models', 'combinatorial complexity'],
      aiSummary: 'Combining stochastic processes with diffusion models.',
    });
  });

  test('model-written keywords and summary are optional: absent, null or malformed, the paper stays', () => {
    const base = { id: '2405.13729', title: 'ComboStoc', summary: 'We study diffusion.' };
    const papers = papersFromHfItems(
      [
        { paper: base },
        { paper: { ...base, ai_summary: null, ai_keywords: [] } },
        { paper: { ...base, ai_summary: 42, ai_keywords: 'diffusion' } },
      ],
      ARRIVED,
    ).papers;
    expect(papers).toHaveLength(3);
    for (const paper of papers) {
      expect(paper.aiKeywords).toBeUndefined();
      expect(paper.aiSummary).toBeUndefined();
    }
  });

  test('an unusable item is skipped with the reason; the others are kept', () => {
    const good = days[0]?.items[0];
    const { papers, skipped } = papersFromHfItems(
      [{ paper: { id: 'not-arxiv', title: 'X' } }, good, 'junk'],
      ARRIVED,
    );
    expect(papers).toHaveLength(1);
    expect(skipped.map((s) => s.reason)).toEqual([
      'HF item: paper.id: not an arXiv id',
      'HF item: : Invalid input: expected object, received string',
    ]);
  });
});

describe('fetchHfDay against a fake Hugging Face API', () => {
  let sources: FakeSources;
  const day = days[days.length - 1];
  beforeAll(async () => {
    sources = await new FakeSources().start();
    if (day) sources.hfDays.set(day.date, day.items);
  });
  afterAll(async () => sources.stop());

  test('reads one day', async () => {
    const batch = await fetchHfDay(sources.hfUrl, day?.date ?? '', ARRIVED);
    expect(batch.papers.map((p) => p.id)).toEqual(day?.items.map((item) => item.paper.id));
    expect(sources.requests.at(-1)).toBe(`/hf/daily_papers?date=${day?.date}`);
  });

  test('an empty day is no papers, not an error', async () => {
    expect(await fetchHfDay(sources.hfUrl, '2020-01-01', ARRIVED)).toEqual({ papers: [], skipped: [] });
  });

  test.each([
    ['http-500', /daily_papers\?date=.*: HTTP 500 Internal Server Error$/],
    ['timeout', /daily_papers\?date=.*: no answer within 300 ms$/],
    [
      'truncated',
      /daily_papers\?date=.*: (the body was cut short|the answer is not JSON|the connection failed) \(.+\)$/,
    ],
    ['html', /daily_papers\?date=.*: the answer is not JSON \(.+\)$/],
  ] as const)('%s fails with a source error that names the URL', async (fault, message) => {
    sources.faults.push(fault);
    const error = await fetchHfDay(sources.hfUrl, day?.date ?? '', ARRIVED, { timeoutMs: 300 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PaperbotError);
    expect((error as PaperbotError).code).toBe('paperbot_source_error');
    expect((error as Error).message).toMatch(message);
  });
});
