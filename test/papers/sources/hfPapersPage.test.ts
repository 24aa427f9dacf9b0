import { readFileSync } from 'node:fs';
import { describe, expect, test } from '@jest/globals';
import { serialiseCorpus } from '../../../src/papers/corpus.js';
import { Paper } from '../../../src/papers/paper.js';
import { parseHfPapersPage } from '../../../src/papers/sources/hfPapersPage.js';
import { SEED_CORPUS, SEED_PAGE } from '../../support/papers.js';

const ARRIVED = '2026-11-26T00:00:00.000Z';
const CHROME = [
  'new',
  'Get trending papers in your email inbox!',
  'Subscribe',
  'byAK and the research community',
  'May 8',
];

describe('parseHfPapersPage on the seed page', () => {
  const page = readFileSync(SEED_PAGE, 'utf8');
  const papers = parseHfPapersPage(page, ARRIVED);
  // Independent reading of the page: after 5 chrome lines, title and abstract lines alternate.
  const lines = page.split('\n').filter((line) => line.trim());

  test('finds the 80 papers with exact titles and whole abstracts', () => {
    expect(lines.slice(0, 5)).toEqual(CHROME);
    expect(papers).toHaveLength(80);
    expect(papers.map((p) => p.title)).toEqual(lines.slice(5).filter((_, i) => i % 2 === 0));
    expect(papers.map((p) => p.abstract)).toEqual(lines.slice(5).filter((_, i) => i % 2 === 1));
  });

  test('never takes page chrome for a paper', () => {
    const titles = new Set(papers.map((p) => p.title));
    for (const chrome of CHROME) expect(titles.has(chrome)).toBe(false);
  });

  test('gives title slugs as ids, no invented page links, and the code links of the abstract', () => {
    const rlhf = papers.find((p) => p.title === 'RLHF Workflow: From Reward Modeling to Online RLHF');
    expect(rlhf).toMatchObject({
      id: 'rlhf-workflow-from-reward-modeling-to-online-rlhf',
      source: 'hf-papers-page',
      authors: [],
      arrivedAt: ARRIVED,
      links: {
        code: ['https://github.com/RLHFlow/RLHF-Reward-Modeling', 'https://github.com/RLHFlow/Online-RLHF'],
        project: [],
      },
    });
    expect(papers.every((p) => p.links.page === undefined && p.links.pdf === undefined)).toBe(true);
    expect(papers.filter((p) => p.links.code.length > 0)).toHaveLength(19);
    expect(papers.filter((p) => p.links.project.length > 0)).toHaveLength(6);
  });

  test('data/seed-papers.jsonl is exactly this parse (regenerate with npm run seed)', () => {
    const shipped = readFileSync(SEED_CORPUS, 'utf8');
    expect(shipped).toBe(serialiseCorpus(papers).toString());
    // Every row is a valid paper (start-up trusts the bundled corpus only once it checked it).
    const rows = shipped.split('\n').filter(Boolean);
    expect(rows.map((row) => Paper.parse(JSON.parse(row)))).toHaveLength(80);
  });
});

describe('parseHfPapersPage on other page shapes', () => {
  const abstract = (topic: string) =>
    `We study ${topic}. ${'It matters a great deal for many reasons. '.repeat(6)}`;

  test('handles CRLF, navigation after the list, and a paper listed twice', () => {
    const page = [
      'Subscribe',
      'Jan 12, 2025',
      'A First Paper',
      abstract('first things'),
      'A Second Paper',
      abstract('second things'),
      'A First Paper',
      abstract('first things'),
      'Previous',
      'Load more',
    ].join('\r\n');
    expect(parseHfPapersPage(page, ARRIVED).map((p) => p.title)).toEqual(['A First Paper', 'A Second Paper']);
  });

  test('a title without an abstract is skipped, not glued to the next paper', () => {
    const page = ['Orphan Title', 'Real Title', abstract('real things')].join('\n');
    expect(parseHfPapersPage(page, ARRIVED).map((p) => p.title)).toEqual(['Real Title']);
  });

  test('an empty page has no papers', () => {
    expect(parseHfPapersPage('', ARRIVED)).toEqual([]);
  });
});
