import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { type SavedLists, type TermData, TermIndex } from '../../src/search/termIndex.js';
import { Vocabulary } from '../../src/search/vocabulary.js';

/** A term's lists as plain values: field id → [document, frequency] pairs. */
const plain = (data: TermData | undefined) =>
  data === undefined ? undefined : [...data].map(([field, postings]) => [field, [...postings]]);

/** Saved lists for a vocabulary: each term's lists (field id → postings), laid out as a snapshot has them. */
function saved(lists: Array<Array<[number, Array<[number, number]>]>>): SavedLists {
  const flat = lists.flat();
  const postings = flat.flatMap(([, entries]) => entries);
  return {
    fieldCounts: Uint8Array.from(lists.map((fields) => fields.length)),
    fieldIds: Uint8Array.from(flat.map(([field]) => field)),
    postingCounts: Int32Array.from(flat.map(([, entries]) => entries.length)),
    documents: Int32Array.from(postings.map(([document]) => document)),
    frequencies: Int32Array.from(postings.map(([, frequency]) => frequency)),
  };
}

describe('TermIndex (property: it behaves as a Map of its terms)', () => {
  const vocabulary = ['a', 'b', 'c', 'd', 'e', 'f'];
  const postings = fc.uniqueArray(fc.tuple(fc.nat(20), fc.integer({ min: 1, max: 5 })), {
    selector: ([document]) => document,
    maxLength: 4,
  });
  const listsOfTerm = fc.uniqueArray(
    fc.tuple(
      fc.nat(3),
      postings.filter((p) => p.length > 0),
    ),
    {
      selector: ([field]) => field,
      maxLength: 3,
    },
  );
  const operation = fc.oneof(
    fc.record({ kind: fc.constant('get' as const), term: fc.constantFrom(...vocabulary, 'g') }),
    fc.record({ kind: fc.constant('has' as const), term: fc.constantFrom(...vocabulary, 'g') }),
    fc.record({ kind: fc.constant('delete' as const), term: fc.constantFrom(...vocabulary, 'g') }),
    fc.record({
      kind: fc.constant('set' as const),
      term: fc.constantFrom(...vocabulary, 'g'),
      lists: listsOfTerm,
    }),
  );

  test('get, has, set, delete, size and iteration agree with a Map; saving reads the same lists', () => {
    fc.assert(
      fc.property(
        fc.array(listsOfTerm, { minLength: vocabulary.length, maxLength: vocabulary.length }),
        fc.array(operation, { maxLength: 30 }),
        (lists, operations) => {
          const sorted = lists.map((fields) =>
            fields.map(
              ([field, entries]) =>
                [field, [...entries].sort((x, y) => x[0] - y[0])] as [number, Array<[number, number]>],
            ),
          );
          const index = TermIndex.over(saved(sorted), Vocabulary.of(vocabulary));
          const model = new Map<string, TermData>();
          sorted.forEach((fields, t) => {
            if (fields.length > 0)
              model.set(
                vocabulary[t] as string,
                new Map(fields.map(([field, entries]) => [field, new Map(entries)])),
              );
          });
          for (const op of operations) {
            if (op.kind === 'get') expect(plain(index.get(op.term))).toEqual(plain(model.get(op.term)));
            if (op.kind === 'has') expect(index.has(op.term)).toBe(model.has(op.term));
            if (op.kind === 'delete') {
              index.delete(op.term);
              model.delete(op.term);
            }
            if (op.kind === 'set') {
              const data = (): TermData =>
                new Map(op.lists.map(([field, entries]) => [field, new Map(entries)]));
              index.set(op.term, data());
              model.set(op.term, data());
            }
            expect(index.size).toBe(model.size);
          }
          const seen: Array<[string, number, number[]]> = [];
          const everyTerm = [...vocabulary, 'g'];
          const terms = index.forEachList(everyTerm, (t, field, list) => {
            const entries =
              list instanceof Map
                ? [...list.keys()]
                : [...list.documents.subarray(list.start, list.start + list.size)];
            seen.push([everyTerm[t] as string, field, entries]);
          });
          expect(terms).toBe(model.size);
          const expected = everyTerm.flatMap((term) =>
            [...(model.get(term) ?? [])].map(([field, p]) => [term, field, [...p.keys()]]),
          );
          expect(seen).toEqual(expected);
          expect(new Map([...index].map(([term, data]) => [term, plain(data)]))).toEqual(
            new Map([...model].map(([term, data]) => [term, plain(data)])),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  test('every method of minisearch’s term tree is its own: none reads the empty tree it inherits', () => {
    const tree = Object.getPrototypeOf(TermIndex.prototype) as object;
    const own = new Set(Reflect.ownKeys(TermIndex.prototype));
    const inherited = Reflect.ownKeys(tree).filter((key) => key !== 'constructor' && !own.has(key));
    expect(Reflect.ownKeys(tree)).toEqual(expect.arrayContaining(['get', 'set', 'fetch', 'size']));
    expect(inherited).toEqual([]);
  });

  test('prefix and fuzzy lookups (minisearch’s own search) see every term', () => {
    const index = TermIndex.over(
      saved([[[0, [[1, 1]]]], [[0, [[2, 1]]]], []]),
      Vocabulary.of(['model', 'modal', 'graph']),
    );
    index.set('models', new Map([[0, new Map([[3, 1]])]]));
    expect([...index.atPrefix('mode').keys()].sort()).toEqual(['model', 'models']);
    expect([...index.fuzzyGet('modol', 1).keys()].sort()).toEqual(['modal', 'model']);
  });
});
