import { describe, expect, test } from '@jest/globals';
import { PackedStrings } from '../../src/packedStrings.js';
import { DocumentIndex } from '../../src/search/documentIndex.js';
import type { SearchDocument } from '../../src/search/documentTable.js';
import { parseQuery } from '../../src/search/query.js';

const document = (id: string, title: string, more: Partial<SearchDocument> = {}): SearchDocument => ({
  id,
  title,
  abstract: `An abstract about ${title.toLowerCase()}.`,
  authors: ['Ada Lovelace'],
  keywords: [],
  arrivedAt: '2026-11-01T00:00:00.000Z',
  published: '2026-10-30',
  hasCode: false,
  ...more,
});
const ids = (index: DocumentIndex, text: string) =>
  index.search({ query: parseQuery(text).query, limit: 10 }).hits.map((hit) => hit.id);

describe('DocumentIndex.add', () => {
  const base = [
    document('a', 'Reward Models'),
    document('b', 'Graph Networks'),
    document('c', 'Protein Folding'),
  ];

  test('a document indexed again with the same text and facts is left as it is', () => {
    const index = DocumentIndex.build(base);
    expect(index.add(base.map((d) => ({ ...d, authors: [...d.authors] })))).toBe(0);
    // Nothing was removed and added again: the saved index has no gap where a replaced document was.
    expect(new PackedStrings(index.save().mini.documentIds).toArray()).toEqual(['a', 'b', 'c']);
    expect(ids(index, 'graph')).toEqual(['b']);
  });

  test.each<[string, Partial<SearchDocument>]>([
    ['title', { title: 'Graph Transformers' }],
    ['abstract', { abstract: 'Transformers on graphs.' }],
    ['authors', { authors: ['Alan Turing'] }],
    ['keywords', { keywords: ['message passing'] }],
    ['publication day', { published: '2026-10-31' }],
    ['code', { hasCode: true }],
    ['arrival', { arrivedAt: '2026-11-02T00:00:00.000Z' }],
  ])('a changed %s is indexed again', (_name, change) => {
    const index = DocumentIndex.build(base);
    expect(index.add([{ ...document('b', 'Graph Networks'), ...change }])).toBe(1);
    expect(new PackedStrings(index.save().mini.documentIds).toArray()).toEqual(['a', 'c', 'b']);
  });

  test('bulk building and adding one at a time give the same postings', () => {
    const documents = [...base, document('d', 'Reward Hacking'), document('b', 'Graph Rewards')];
    const built = DocumentIndex.build(documents);
    const added = DocumentIndex.build([]);
    for (const one of documents) added.add([one]);
    for (const text of ['reward', 'graph', 'protein folding', 'author:lovelace reward', '"reward hacking"'])
      expect(added.search({ query: parseQuery(text).query })).toEqual(
        built.search({ query: parseQuery(text).query }),
      );
  });
});
