import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import type { Paper } from '../../src/papers/paper.js';
import { PaperIndex, type SearchResults } from '../../src/search/paperIndex.js';
import { parseQuery } from '../../src/search/query.js';
import { makePaper } from '../support/papers.js';

// PaperIndex.search skips long posting lists (MaxScore) and must still rank exactly as a full
// search does. Each corpus is indexed twice: pruning nearly everything, and pruning nothing.

/** Same papers in the same order, and the same scores up to floating-point summation order. */
function expectSameRanking(pruned: SearchResults, full: SearchResults): void {
  expect(pruned.hits.map((hit) => hit.paper.id)).toEqual(full.hits.map((hit) => hit.paper.id));
  pruned.hits.forEach((hit, i) => {
    const other = full.hits[i] as (typeof full.hits)[number];
    expect(hit.score).toBeCloseTo(other.score, 9);
    expect([...hit.matchedTerms].sort()).toEqual([...other.matchedTerms].sort());
  });
}

const SCIFACT = fileURLToPath(new URL('../../../shared/data/scifact/', import.meta.url));

describe('pruned ranking on SciFact (real abstracts and questions)', () => {
  const papers: Paper[] = readFileSync(`${SCIFACT}corpus.jsonl`, 'utf8')
    .split('\n')
    .filter(Boolean)
    .slice(0, 1500)
    .map((line) => {
      const doc = JSON.parse(line) as { _id: string; title: string; text: string };
      return makePaper({ id: doc._id, title: doc.title, abstract: doc.text });
    });
  const queries = readFileSync(`${SCIFACT}queries.jsonl`, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { text: string }).text)
    .slice(0, 400);
  const pruning = PaperIndex.build(papers, { longPostings: 20 });
  const full = PaperIndex.build(papers, { longPostings: Number.POSITIVE_INFINITY });

  test('400 claims: the top 10 equals the full search', () => {
    for (const text of queries) {
      const { query } = parseQuery(text);
      expectSameRanking(pruning.search(query, { limit: 10 }), full.search(query, { limit: 10 }));
    }
  });

  test('later pages equal the full search too', () => {
    for (const text of queries.slice(0, 100)) {
      const { query } = parseQuery(text);
      expectSameRanking(
        pruning.search(query, { limit: 5, offset: 20 }),
        full.search(query, { limit: 5, offset: 20 }),
      );
    }
  });

  test('only the short lists are searched: a common word does not count every paper', () => {
    // "cells" is in hundreds of these abstracts; the total counts the papers with the rarer word.
    const { query } = parseQuery('cells apoptosis');
    const pruned = pruning.search(query);
    expect(pruned.total).toBeLessThan(full.search(query).total);
    expect(pruned.total).toBeGreaterThanOrEqual(pruned.hits.length);
  });
});

describe('pruned ranking with filters, exclusions and paging (property)', () => {
  // A Zipfian vocabulary, so that a few words are in most papers and many in few.
  const vocabulary = Array.from({ length: 60 }, (_, i) => `w${i}x`);
  const paperArbitrary = fc.record({
    title: fc.array(fc.integer({ min: 0, max: 59 }), { minLength: 1, maxLength: 8 }),
    abstract: fc.array(fc.integer({ min: 0, max: 59 }), { maxLength: 40 }),
    zipf: fc.array(fc.nat(7), { maxLength: 30 }),
    author: fc.constantFrom('Ada Lovelace', 'Alan Turing', 'Grace Hopper'),
    code: fc.boolean(),
    day: fc.integer({ min: 1, max: 28 }),
  });
  const corpusArbitrary = fc.array(paperArbitrary, { minLength: 5, maxLength: 60 }).map((rows) =>
    rows.map((row, i) =>
      makePaper({
        id: `p${i}`,
        title: row.title.map((w) => vocabulary[w]).join(' '),
        abstract: [...row.abstract, ...row.zipf].map((w) => vocabulary[w]).join(' '),
        authors: [row.author],
        published: `2025-02-${String(row.day).padStart(2, '0')}`,
        links: { code: row.code ? ['https://github.com/a/b'] : [], project: [] },
      }),
    ),
  );
  const queryArbitrary = fc
    .record({
      words: fc.array(fc.integer({ min: 0, max: 59 }), { minLength: 1, maxLength: 6 }),
      excluded: fc.option(fc.integer({ min: 0, max: 59 }), { nil: undefined }),
      filter: fc.constantFrom('', 'has:code', 'author:turing', 'after:2025-02-10', 'before:2025-02-20'),
    })
    .map(({ words, excluded, filter }) =>
      [
        ...words.map((w) => vocabulary[w]),
        excluded === undefined ? '' : `-${vocabulary[excluded]}`,
        filter,
      ].join(' '),
    );

  test('any query, any page: the same papers in the same order as the full search', () => {
    fc.assert(
      fc.property(
        corpusArbitrary,
        fc.array(queryArbitrary, { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 6 }),
        fc.nat(4),
        (papers, texts, limit, offset) => {
          const pruning = PaperIndex.build(papers, { longPostings: 2 });
          const full = PaperIndex.build(papers, { longPostings: Number.POSITIVE_INFINITY });
          for (const text of texts) {
            const { query } = parseQuery(text);
            expectSameRanking(
              pruning.search(query, { limit, offset }),
              full.search(query, { limit, offset }),
            );
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
