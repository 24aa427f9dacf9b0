import { describe, expect, test } from '@jest/globals';
import { MemoryCorpusStore } from '../../src/papers/corpusStore.js';
import { mergePaper, PaperCollection } from '../../src/papers/merge.js';
import type { Paper } from '../../src/papers/paper.js';
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

/** A collection over papers kept in memory; `reads` counts the papers read from the store. */
async function collectionOf(papers: Paper[]) {
  const store = new MemoryCorpusStore(papers);
  const reads = { count: 0 };
  const collection = new PaperCollection(async (ids) => {
    reads.count += ids.length;
    return store.read(ids);
  });
  collection.load((await store.open()).catalog);
  /** Merges one paper and stores the outcome, as an ingest does. */
  const upsert = async (paper: Paper) => {
    const { outcomes, changed } = await collection.merge([paper]);
    collection.put(changed);
    return { outcome: outcomes[0], stored: changed[0] };
  };
  return { collection, upsert, reads };
}

describe('PaperCollection', () => {
  test('the same paper by normalised title (no arXiv id yet) merges; then its arXiv id finds it', async () => {
    const { collection, upsert } = await collectionOf([seed]);
    expect((await upsert(fromHf)).outcome).toBe('updated');
    const laterFromArxiv = makePaper({
      id: '2406.01660',
      arxivId: '2406.01660',
      title: 'A renamed v2 title',
      source: 'arxiv',
    });
    expect((await upsert(laterFromArxiv)).outcome).toBe('unchanged');
    expect((await collection.getByArxivId('2406.01660'))?.id).toBe(seed.id);
    expect(collection.size).toBe(1);
  });

  test('new, updated and unchanged', async () => {
    const { collection, upsert } = await collectionOf([]);
    expect((await upsert(fromHf)).outcome).toBe('new');
    expect((await upsert(fromHf)).outcome).toBe('unchanged');
    expect((await upsert({ ...fromHf, upvotes: 40 })).outcome).toBe('updated');
    expect((await collection.get(fromHf.id))?.upvotes).toBe(40);
  });

  test('a batch merges a paper with one earlier in the same batch, and stores it once', async () => {
    const { collection } = await collectionOf([]);
    const { outcomes, changed } = await collection.merge([seed, fromHf, { ...fromHf, upvotes: 50 }]);
    expect(outcomes).toEqual(['new', 'updated', 'updated']);
    expect(changed).toHaveLength(1);
    expect(changed[0]).toMatchObject({ id: seed.id, upvotes: 50, abstract: fromHf.abstract });
    expect(collection.size).toBe(0); // nothing applied until put
  });

  test('papers are read from the store when asked for, once, and newest goes by arrival', async () => {
    const papers = ['A', 'B', 'C'].map((title, i) =>
      makePaper({ title, arrivedAt: `2026-11-0${3 - i}T00:00:00.000Z` }),
    );
    const { collection, reads } = await collectionOf(papers);
    expect(reads.count).toBe(0);
    expect((await collection.newest(2)).map((paper) => paper.title)).toEqual(['A', 'B']);
    expect((await collection.getMany(['a', 'b', 'nope'])).map((paper) => paper?.title)).toEqual([
      'A',
      'B',
      undefined,
    ]);
    expect(reads.count).toBe(2);
  });
});
