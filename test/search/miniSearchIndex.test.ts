import { describe, expect, test } from '@jest/globals';
import { LazyPostings } from '../../src/search/miniSearchIndex.js';

describe('LazyPostings', () => {
  const saved = () => ({
    documents: Int32Array.from([9, 3, 5, 7]),
    frequencies: Int32Array.from([1, 2, 3, 4]),
  });

  test('behaves as the Map of its slice of the saved arrays', () => {
    const { documents, frequencies } = saved();
    const postings = new LazyPostings(documents, frequencies, 1, 2);
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
    expect(postings.size).toBe(2);
  });

  test('every way of reading sees the saved postings', () => {
    const { documents, frequencies } = saved();
    expect([...new LazyPostings(documents, frequencies, 2, 2).keys()]).toEqual([5, 7]);
    expect([...new LazyPostings(documents, frequencies, 2, 2).values()]).toEqual([3, 4]);
    const seen: number[] = [];
    new LazyPostings(documents, frequencies, 0, 1).forEach((frequency, document) => {
      seen.push(document, frequency);
    });
    expect(seen).toEqual([9, 1]);
  });

  test('copies out the same postings whether or not they were read', () => {
    const { documents, frequencies } = saved();
    const unread = new LazyPostings(documents, frequencies, 1, 3);
    const read = new LazyPostings(documents, frequencies, 1, 3);
    read.get(3);
    for (const postings of [unread, read]) {
      const outDocuments = new Int32Array(5);
      const outFrequencies = new Int32Array(5);
      expect(postings.copyInto(outDocuments, outFrequencies, 1)).toBe(4);
      expect([...outDocuments]).toEqual([0, 3, 5, 7, 0]);
      expect([...outFrequencies]).toEqual([0, 2, 3, 4, 0]);
    }
  });
});
