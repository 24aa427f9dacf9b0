import { statSync } from 'node:fs';
import { describe, expect, test } from '@jest/globals';
import { bundleCorpus, samplePapers } from '../../src/papers/bundle.js';
import { Paper } from '../../src/papers/paper.js';
import { BUNDLED_CORPUS, bundledPapers, makePaper, shippedPapers } from '../support/papers.js';

const hf = (id: string, published: string, upvotes: number, authors: string[] = []) =>
  makePaper({
    id,
    arxivId: id,
    title: `Paper ${id}`,
    published,
    upvotes,
    authors,
    source: 'hf-daily-papers',
  });

describe('the sample of a large set', () => {
  const set = [
    hf('2608.00001', '2026-08-20', 1),
    hf('2608.00002', '2026-08-14', 2),
    hf('2608.00003', '2026-08-13', 3),
    hf('2401.00001', '2024-01-02', 500),
    hf('2401.00002', '2024-01-03', 4, ['Yann LeCun']),
    hf('2401.00003', '2024-01-04', 5),
    hf('2401.00004', '2024-01-05', 6),
  ];

  test('takes the last days, the most upvoted, the named ids and authors, newest first', () => {
    const sample = samplePapers(set, { days: 7, top: 1, ids: ['2401.00003'], authors: ['lecun'] });
    expect(sample.map((paper) => paper.id)).toEqual([
      '2608.00001',
      '2608.00002',
      '2401.00003',
      '2401.00002',
      '2401.00001',
    ]);
  });
});

describe('the bundled corpus', () => {
  const arrivedAt = '2026-11-26T00:00:00.000Z';

  test('a seed paper learns its arXiv id, authors and date; a sample paper with its title merges into it', () => {
    const seed = [
      makePaper({ title: 'Reward Model Ensembles Help Mitigate Overoptimization', abstract: 'seed' }),
    ];
    const sample = [
      hf('2608.00001', '2026-08-20', 7),
      {
        ...hf('2401.09999', '2024-01-02', 3),
        title: 'Reward model ensembles help mitigate overoptimization',
      },
    ];
    const identities = [
      {
        title: 'Reward Model Ensembles Help Mitigate Overoptimization',
        arxivId: '2310.02743',
        authors: ['Thomas Coste'],
        published: '2023-10-04',
      },
    ];
    const corpus = bundleCorpus(seed, sample, identities, arrivedAt);
    expect(corpus).toHaveLength(2);
    expect(corpus[0]).toMatchObject({
      arxivId: '2310.02743',
      authors: ['Thomas Coste'],
      published: '2023-10-04',
      upvotes: 3,
      arrivedAt,
      links: { page: 'https://arxiv.org/abs/2310.02743' },
    });
    expect(corpus[1]).toMatchObject({ id: '2608.00001', arrivedAt });
  });

  test('the shipped file: valid papers, the seed first, the examples in it, a few MB', () => {
    const papers = shippedPapers().map((row) => Paper.parse(row));
    const seed = bundledPapers();
    expect(papers.slice(0, seed.length).map((paper) => paper.title)).toEqual(
      seed.map((paper) => paper.title),
    );
    const arxivIds = new Set(papers.map((paper) => paper.arxivId));
    for (const id of ['2310.02743', '2501.12948', '2505.09388']) expect(arxivIds).toContain(id);
    expect(papers.filter((paper) => (paper.upvotes ?? 0) > 0).length).toBeGreaterThan(500);
    expect(papers.filter((paper) => paper.links.code.length > 0).length).toBeGreaterThan(200);
    expect(statSync(BUNDLED_CORPUS).size).toBeLessThan(4_000_000);
  });
});
