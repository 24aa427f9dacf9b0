import { describe, expect, test } from '@jest/globals';
import { Library } from '../../src/library.js';
import { parseQuery } from '../../src/search/query.js';
import { makePaper } from '../support/papers.js';

/** A small hand-made corpus; each test says why its expected order is the right one. */
const corpus = [
  makePaper({
    title: 'Reward Model Ensembles Help Mitigate Overoptimization',
    abstract: 'We study ensembles of reward models for RLHF and show they reduce overoptimization.',
    authors: ['Thomas Coste', 'Usman Anwar'],
    published: '2023-10-04',
  }),
  makePaper({
    title: 'Secrets of RLHF Part II: Reward Modeling',
    abstract: 'Reward models are trained as proxies for human preferences. We improve reward modeling.',
    authors: ['Binghai Wang'],
    published: '2024-01-11',
    links: { code: ['https://github.com/OpenLMLab/MOSS-RLHF'], project: [] },
  }),
  makePaper({
    title: 'Contrastive Preference Learning: Learning from Human Feedback without RL',
    abstract: 'We learn policies directly from human feedback preferences without a reward model.',
    authors: ['Joey Hejna', 'Dorsa Sadigh'],
    published: '2023-10-20',
  }),
  makePaper({
    title: 'A Survey of Direct Preference Optimization',
    abstract: 'This survey reviews direct preference optimization methods and the human feedback they use.',
    authors: ['Shunyu Liu'],
    published: '2025-03-01',
    links: { code: ['https://github.com/liushunyu/awesome-direct-preference-optimization'], project: [] },
  }),
  makePaper({
    title: 'Hyperbolic One Class Classification for Face Anti-Spoofing',
    abstract: 'Face recognition systems are vulnerable to spoofing attacks. We classify in hyperbolic space.',
    authors: ['Kartik Narayan', 'Vishal M. Patel'],
  }),
];
// The PaperSearch the bot uses (the Library), over the papers in memory, its index in this thread.
const index = await Library.inMemory(corpus);
const titles = async (text: string, limit = 10) =>
  (await index.search(parseQuery(text).query, { limit })).hits.map((hit) => hit.paper.title);

describe('PaperSearch ranking', () => {
  test('all query words in the title beat some words in the abstract', async () => {
    // "reward", "model" and "ensembl" are all in the first title; the second has two of them.
    expect((await titles('reward model ensembles')).slice(0, 2)).toEqual([
      'Reward Model Ensembles Help Mitigate Overoptimization',
      'Secrets of RLHF Part II: Reward Modeling',
    ]);
  });

  test('stemming matches other forms of a word', async () => {
    // "optimizing" and "optimization" share the stem "optim".
    expect((await titles('optimizing preferences'))[0]).toBe('A Survey of Direct Preference Optimization');
  });

  test('stop words do not match: "the papers about" finds nothing on its own', async () => {
    expect(await titles('the papers about')).toEqual([]);
  });

  test('authors are searchable as words', async () => {
    expect(await titles('sadigh')).toEqual([
      'Contrastive Preference Learning: Learning from Human Feedback without RL',
    ]);
  });

  test('an accent-free query finds the accented spelling and vice versa', async () => {
    const accented = await Library.inMemory([
      makePaper({ title: 'Réseaux de neurones', abstract: 'Über alles' }),
    ]);
    expect((await accented.search(parseQuery('reseaux uber').query)).hits).toHaveLength(1);
  });
});

describe('PaperSearch filters and operators', () => {
  test('a phrase must appear in order', async () => {
    // Both contain "human" and "feedback"; only these have them next to each other.
    expect((await titles('"human feedback"')).sort()).toEqual([
      'A Survey of Direct Preference Optimization',
      'Contrastive Preference Learning: Learning from Human Feedback without RL',
    ]);
    expect(await titles('"feedback human"')).toEqual([]);
  });

  test('an excluded word removes papers that contain it anywhere', async () => {
    expect(await titles('preference -survey')).not.toContain('A Survey of Direct Preference Optimization');
    expect(await titles('preference -survey')).toContain(
      'Contrastive Preference Learning: Learning from Human Feedback without RL',
    );
  });

  test('has:code keeps papers with a repository', async () => {
    expect(await titles('reward has:code')).toEqual(['Secrets of RLHF Part II: Reward Modeling']);
  });

  test('author: matches a fragment of any author, case and accents ignored', async () => {
    expect(await titles('author:PATEL')).toEqual([
      'Hyperbolic One Class Classification for Face Anti-Spoofing',
    ]);
    expect(await titles('author:"thomas coste" reward')).toEqual([
      'Reward Model Ensembles Help Mitigate Overoptimization',
    ]);
  });

  test('after: is inclusive, before: exclusive, and undated papers are left out', async () => {
    expect(await titles('after:2024-01-11')).toEqual([
      'A Survey of Direct Preference Optimization',
      'Secrets of RLHF Part II: Reward Modeling',
    ]);
    expect(await titles('before:2023-10-20')).toEqual([
      'Reward Model Ensembles Help Mitigate Overoptimization',
    ]);
  });

  test('filters alone list matching papers newest first', async () => {
    expect(await titles('has:code')).toEqual([
      'A Survey of Direct Preference Optimization',
      'Secrets of RLHF Part II: Reward Modeling',
    ]);
  });

  test('limit and offset page through the results; total counts all of them', async () => {
    const all = await index.search(parseQuery('preference').query, { limit: 10 });
    const page2 = await index.search(parseQuery('preference').query, { limit: 2, offset: 2 });
    expect(page2.total).toBe(all.total);
    expect(page2.hits.map((h) => h.paper.id)).toEqual(all.hits.slice(2, 4).map((h) => h.paper.id));
  });

  test('hits carry the matched index terms and a positive score', async () => {
    const [hit] = (await index.search(parseQuery('hyperbolic spoofing').query)).hits;
    expect(hit?.matchedTerms.sort()).toEqual(['hyperbol', 'spoof']);
    expect(hit?.score).toBeGreaterThan(0);
  });
});

describe('PaperSearch lookups', () => {
  const at = (day: number) => `2026-11-${String(day).padStart(2, '0')}T00:00:00.000Z`;

  test('newest returns the latest arrivals, newest first, at most count', async () => {
    const days = [5, 1, 9, 3, 7, 2];
    const lookups = await Library.inMemory(
      days.map((day) => makePaper({ title: `Paper of day ${day}`, arrivedAt: at(day) })),
    );
    expect((await lookups.newest(3)).map((p) => p.title)).toEqual([
      'Paper of day 9',
      'Paper of day 7',
      'Paper of day 5',
    ]);
    expect(await lookups.newest(10)).toHaveLength(6);
    await lookups.ingest({
      papers: [makePaper({ title: 'Paper of day 10', arrivedAt: at(10) })],
      skipped: [],
    });
    expect((await lookups.newest(1)).map((p) => p.title)).toEqual(['Paper of day 10']);
  });

  test('getByArxivId finds a paper by its id, or a merged paper whose id is a title slug', async () => {
    const merged = makePaper({ title: 'Seed Paper', arxivId: '2406.01660' }); // id: seed-paper
    const lookups = await Library.inMemory([
      merged,
      makePaper({ id: '2310.02743', arxivId: '2310.02743', title: 'Direct' }),
    ]);
    expect((await lookups.getByArxivId('2406.01660'))?.id).toBe('seed-paper');
    expect((await lookups.getByArxivId('2310.02743'))?.title).toBe('Direct');
    expect(await lookups.getByArxivId('2999.00001')).toBeUndefined();
    await lookups.ingest({
      papers: [makePaper({ title: 'Added Later', arxivId: '2501.00002' })],
      skipped: [],
    });
    expect((await lookups.getByArxivId('2501.00002'))?.id).toBe('added-later');
  });
});
