import { describe, expect, test } from '@jest/globals';
import { PackedStrings } from '../../src/packedStrings.js';
import { MiniSearchIndex, type TermDocument } from '../../src/search/miniSearchIndex.js';
import { CompactPostings } from '../../src/search/postings.js';
import { Vocabulary } from '../../src/search/vocabulary.js';

const FIELDS = ['text', 'title'];
const doc = (id: string, text: string, title = ''): TermDocument => ({ id, fields: { text, title } });

/** Every term's postings in every field, as plain entries, and whether each list is compact. */
function contents(mini: MiniSearchIndex, terms: string[]) {
  return terms.flatMap((term) =>
    FIELDS.flatMap((field) => {
      const postings = mini.postings(term, mini.fieldIds[field] as number);
      return postings
        ? [{ term, field, entries: [...postings], compact: postings instanceof CompactPostings }]
        : [];
    }),
  );
}

/** The index as a snapshot would restore it: saved (numbered without gaps) and restored over the saved arrays. */
function saveAndRestore(mini: MiniSearchIndex, vocabulary: string[]): MiniSearchIndex {
  const numbers = new Int32Array(mini.documentNumbers);
  let count = 0;
  for (let n = 0; n < numbers.length; n++) numbers[n] = mini.documentId(n) === undefined ? -1 : count++;
  return MiniSearchIndex.restore(mini.save(vocabulary, numbers, count), Vocabulary.of(vocabulary), FIELDS);
}

describe('MiniSearchIndex', () => {
  const terms = ['reward', 'model', 'ensembl', 'robot', 'diffus'];

  test('its lists are compact once restored, and a term minisearch adds later becomes compact on first read', () => {
    const built = new MiniSearchIndex(FIELDS);
    built.addAll([
      doc('a', 'reward model reward', 'reward'),
      doc('b', 'model ensembl'),
      doc('c', 'robot model'),
    ]);
    const mini = saveAndRestore(built, terms);
    mini.add(doc('d', 'diffus model'));
    expect(contents(mini, terms)).toEqual([
      { term: 'reward', field: 'text', entries: [[0, 2]], compact: true },
      { term: 'reward', field: 'title', entries: [[0, 1]], compact: true },
      {
        term: 'model',
        field: 'text',
        entries: [
          [0, 1],
          [1, 1],
          [2, 1],
          [3, 1],
        ],
        compact: true,
      },
      { term: 'ensembl', field: 'text', entries: [[1, 1]], compact: true },
      { term: 'robot', field: 'text', entries: [[2, 1]], compact: true },
      { term: 'diffus', field: 'text', entries: [[3, 1]], compact: true },
    ]);
  });

  test("minisearch's own search still answers over the restored lists: OR, AND, prefix, fuzzy, a field", () => {
    // paperbot ranks with its own BM25 (DocumentIndex.search), but the index stays a MiniSearch:
    // its query API and semantics work on the lists as restored from a snapshot and as added to since.
    const built = new MiniSearchIndex(FIELDS);
    built.addAll([
      doc('a', 'reward model reward', 'reward'),
      doc('b', 'model ensembl'),
      doc('c', 'robot model'),
    ]);
    const mini = saveAndRestore(built, terms);
    mini.add(doc('d', 'diffus model robot'));
    const ids = (results: { id: string }[]) => results.map((result) => result.id).sort();
    expect(ids(mini.search('reward robot'))).toEqual(['a', 'c', 'd']);
    expect(ids(mini.search('model robot', { combineWith: 'AND' }))).toEqual(['c', 'd']);
    expect(ids(mini.search('ensem', { prefix: true }))).toEqual(['b']);
    expect(ids(mini.search('robat', { fuzzy: 1 }))).toEqual(['c', 'd']);
    expect(ids(mini.search('reward', { fields: ['title'] }))).toEqual(['a']);
    // minisearch's own BM25+: the paper with "reward" twice in its text and in its title comes first.
    expect(mini.search('reward model')[0]?.id).toBe('a');
    mini.remove(doc('c', 'robot model'));
    expect(ids(mini.search('robot'))).toEqual(['d']);
  });

  test('remove takes a document out of every list, leaving nothing to vacuum', () => {
    const built = new MiniSearchIndex(FIELDS);
    built.addAll([doc('a', 'reward model reward'), doc('b', 'model ensembl')]);
    const mini = saveAndRestore(built, terms);
    mini.remove(doc('a', 'reward model reward'));
    mini.add(doc('a', 'robot model'));
    expect(mini.dirtCount).toBe(0);
    expect(mini.postings('reward', mini.fieldIds.text as number)).toBeUndefined();
    expect([...(mini.postings('model', mini.fieldIds.text as number) ?? [])]).toEqual([
      [1, 1],
      [2, 1],
    ]);
  });

  test('a vacuum, which walks every list, leaves every list compact and the same', async () => {
    // Auto-vacuum is off (paperbot never discards), but minisearch's vacuum must not undo the
    // compact lists when it runs: it reads and deletes through the Map interface.
    const built = new MiniSearchIndex(FIELDS);
    built.addAll([doc('a', 'reward model'), doc('b', 'model ensembl'), doc('c', 'robot model')]);
    const mini = saveAndRestore(built, terms);
    mini.discard('b');
    expect(mini.isVacuuming).toBe(false);
    await mini.vacuum({ batchWait: 0 });
    expect(mini.dirtCount).toBe(0);
    expect(contents(mini, terms)).toEqual([
      { term: 'reward', field: 'text', entries: [[0, 1]], compact: true },
      {
        term: 'model',
        field: 'text',
        entries: [
          [0, 1],
          [2, 1],
        ],
        compact: true,
      },
      { term: 'robot', field: 'text', entries: [[2, 1]], compact: true },
    ]);
  });

  test('save and restore give the same lists and lengths, without the numbers of removed documents', () => {
    const mini = new MiniSearchIndex(FIELDS);
    mini.addAll([doc('a', 'reward model', 'reward'), doc('b', 'model ensembl'), doc('c', 'robot model')]);
    mini.remove(doc('b', 'model ensembl'));
    const restored = saveAndRestore(mini, terms);
    // b's number (1) is gone: c is 1 now, so its postings are those of mini with 2 read as 1.
    const renumbered = contents(mini, terms).map((list) => ({
      ...list,
      entries: list.entries.map(([n, frequency]) => [n === 2 ? 1 : n, frequency]),
    }));
    expect(contents(restored, terms)).toEqual(renumbered);
    expect([restored.documentNumber('c'), restored.documentId(1), restored.documentId(2)]).toEqual([
      1,
      'c',
      undefined,
    ]);
    expect(restored.documentCount).toBe(2);
    expect(restored.documentNumbers).toBe(2);
    const identity = Int32Array.from([0, 1]);
    const { documentIds, fieldLengths, averageFieldLength } = restored.save(terms, identity, 2);
    expect(new PackedStrings(documentIds).toArray()).toEqual(['a', 'c']);
    expect(averageFieldLength).toEqual(mini.save(terms, Int32Array.from([0, -1, 1]), 2).averageFieldLength);
    // Distinct terms per field (text, title), an empty field counting one, as minisearch counts them.
    expect([...fieldLengths]).toEqual([2, 1, 2, 1]);
  });

  test('a vocabulary without one of its terms cannot save it', () => {
    const mini = new MiniSearchIndex(FIELDS);
    mini.add(doc('a', 'reward model'));
    expect(() => mini.save(['reward'], Int32Array.from([0]), 1)).toThrow(
      /^the index has terms its vocabulary lacks$/,
    );
  });

  test('a snapshot of other fields is refused', () => {
    const saved = new MiniSearchIndex(['text']).save([], new Int32Array(0), 0);
    expect(() => MiniSearchIndex.restore(saved, Vocabulary.of([]), FIELDS)).toThrow(
      /^the snapshot's fields \{"text":0\} are not the index's$/,
    );
  });
});
