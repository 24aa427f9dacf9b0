import { describe, expect, test } from '@jest/globals';
import { mergePaper, PaperCollection } from '../../src/papers/merge.js';
import { makePaper } from '../support/papers.js';

const seed = makePaper({
  title: 'Self-Improving Robust Preference Optimization',
  abstract: 'Short.',
  arrivedAt: '2026-11-01T00:00:00.000Z',
  links: { code: ['https://github.com/a/b'], project: [] },
  source: 'hf-papers-page',
});
const fromHf = makePaper({
  id: '2406.01660',
  arxivId: '2406.01660',
  title: 'Self-Improving Robust  Preference Optimization',
  abstract: 'A much longer abstract from the API.',
  authors: ['Eugene Choi', 'Arash Ahmadian'],
  published: '2024-06-03',
  arrivedAt: '2026-11-20T00:00:00.000Z',
  links: {
    page: 'https://huggingface.co/papers/2406.01660',
    code: ['https://github.com/A/B/', 'https://github.com/c/d'],
    project: [],
  },
  upvotes: 12,
  source: 'hf-daily-papers',
});

describe('mergePaper', () => {
  test('keeps the id and first arrival, takes the richer fields, unites links', () => {
    expect(mergePaper(seed, fromHf)).toEqual({
      ...seed,
      arxivId: '2406.01660',
      abstract: 'A much longer abstract from the API.',
      authors: ['Eugene Choi', 'Arash Ahmadian'],
      published: '2024-06-03',
      links: {
        page: 'https://huggingface.co/papers/2406.01660',
        code: ['https://github.com/a/b', 'https://github.com/c/d'],
        project: [],
      },
      upvotes: 12,
    });
  });

  test('model-written keywords and summary come from the newer record, or stay when it has none', () => {
    const older = { ...fromHf, aiKeywords: ['reward models'], aiSummary: 'Old summary.' };
    const newer = { ...fromHf, aiKeywords: ['preference optimization'], aiSummary: 'New summary.' };
    expect(mergePaper(older, newer)).toMatchObject({
      aiKeywords: ['preference optimization'],
      aiSummary: 'New summary.',
    });
    expect(mergePaper(older, fromHf)).toMatchObject({
      aiKeywords: ['reward models'],
      aiSummary: 'Old summary.',
    });
    expect(mergePaper(seed, fromHf)).not.toHaveProperty('aiKeywords');
  });

  test('the earlier arrival wins whichever side it is on', () => {
    expect(mergePaper(fromHf, seed).arrivedAt).toBe('2026-11-01T00:00:00.000Z');
  });
});

describe('PaperCollection', () => {
  test('the same paper by normalised title (no arXiv id yet) merges; then its arXiv id finds it', () => {
    const collection = new PaperCollection([seed]);
    expect(collection.upsert(fromHf).outcome).toBe('updated');
    const laterFromArxiv = makePaper({
      id: '2406.01660',
      arxivId: '2406.01660',
      title: 'A renamed v2 title',
      source: 'arxiv',
    });
    expect(collection.upsert(laterFromArxiv)).toMatchObject({ outcome: 'unchanged', paper: { id: seed.id } });
    expect(collection.size).toBe(1);
  });

  test('new, updated and unchanged', () => {
    const collection = new PaperCollection();
    expect(collection.upsert(fromHf).outcome).toBe('new');
    expect(collection.upsert(fromHf).outcome).toBe('unchanged');
    expect(collection.upsert({ ...fromHf, upvotes: 40 }).outcome).toBe('updated');
    expect([...collection.papers()].map((p) => p.upvotes)).toEqual([40]);
  });
});
