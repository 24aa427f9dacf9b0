import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { CompactPostings } from '../../src/search/postings.js';

describe('CompactPostings', () => {
  test('behaves as the Map of its slice of shared arrays, and leaves the shared arrays alone', () => {
    const documents = Int32Array.from([9, 3, 5, 7]);
    const frequencies = Int32Array.from([1, 2, 3, 4]);
    const postings = new CompactPostings(documents, frequencies, 1, 2);
    expect(postings.size).toBe(2);
    expect(postings.get(3)).toBe(2);
    expect(postings.has(9)).toBe(false);
    expect([...postings]).toEqual([
      [3, 2],
      [5, 3],
    ]);
    postings.set(11, 6).delete(3);
    expect([...postings.entries()]).toEqual([
      [5, 3],
      [11, 6],
    ]);
    expect([...postings.keys()]).toEqual([5, 11]);
    expect([...postings.values()]).toEqual([3, 6]);
    expect(postings.size).toBe(2);
    // Another list's postings in the same arrays are untouched.
    expect([...documents]).toEqual([9, 3, 5, 7]);
    expect([...frequencies]).toEqual([1, 2, 3, 4]);
  });

  test('any sequence of sets and deletes: the same as a Map, in document order', () => {
    const operation = fc.oneof(
      fc.record({ set: fc.integer({ min: 0, max: 40 }), frequency: fc.integer({ min: 1, max: 9 }) }),
      fc.record({ delete: fc.integer({ min: 0, max: 40 }) }),
    );
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 40 }), { maxLength: 20 }),
        fc.array(operation, { maxLength: 60 }),
        (initial, operations) => {
          const sorted = [...initial].sort((a, b) => a - b);
          const model = new Map(sorted.map((document) => [document, document + 1]));
          // Shared arrays with a foreign posting on each side, as in a restored index.
          const documents = Int32Array.from([-1, ...sorted, 99]);
          const frequencies = Int32Array.from([7, ...sorted.map((document) => document + 1), 7]);
          const postings = new CompactPostings(documents, frequencies, 1, sorted.length);
          for (const op of operations) {
            if ('set' in op) {
              model.set(op.set, op.frequency);
              postings.set(op.set, op.frequency);
            } else expect(postings.delete(op.delete)).toBe(model.delete(op.delete));
          }
          const expected = [...model].sort((a, b) => a[0] - b[0]);
          expect([...postings]).toEqual(expected);
          expect(postings.size).toBe(model.size);
          for (let document = 0; document <= 40; document++)
            expect(postings.get(document)).toBe(model.get(document));
          const copied = new Int32Array(model.size);
          postings.copyInto(copied, new Int32Array(model.size), 0);
          expect([...copied]).toEqual(expected.map(([document]) => document));
          expect([documents[0], documents.at(-1)]).toEqual([-1, 99]);
        },
      ),
      { numRuns: 300 },
    );
  });

  test('deleting while iterating (as minisearch vacuums) sees every posting once', () => {
    const postings = CompactPostings.from(
      new Map([
        [1, 1],
        [2, 1],
        [3, 1],
        [4, 1],
      ]),
    );
    const seen: number[] = [];
    for (const [document] of postings) {
      seen.push(document);
      if (document % 2 === 0) postings.delete(document);
    }
    expect(seen).toEqual([1, 2, 3, 4]);
    expect([...postings.keys()]).toEqual([1, 3]);
  });
});
