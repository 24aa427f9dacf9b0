import { deserialize, serialize } from 'node:v8';
import { describe, expect, test } from '@jest/globals';
import { MiniSearchIndex, type TermDocument } from '../../src/search/miniSearchIndex.js';
import { CompactPostings } from '../../src/search/postings.js';

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

describe('MiniSearchIndex', () => {
  const terms = ['reward', 'model', 'ensembl', 'robot', 'diffus'];

  test('its lists are compact after packing, and a term minisearch adds later becomes compact on first read', () => {
    const mini = new MiniSearchIndex(FIELDS);
    mini.addAll([
      doc('a', 'reward model reward', 'reward'),
      doc('b', 'model ensembl'),
      doc('c', 'robot model'),
    ]);
    mini.pack();
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

  test('remove takes a document out of every list, leaving nothing to vacuum', () => {
    const mini = new MiniSearchIndex(FIELDS);
    mini.addAll([doc('a', 'reward model reward'), doc('b', 'model ensembl')]);
    mini.pack();
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
    const mini = new MiniSearchIndex(FIELDS);
    mini.addAll([doc('a', 'reward model'), doc('b', 'model ensembl'), doc('c', 'robot model')]);
    mini.pack();
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

  test('save and restore give the same lists, ids and lengths', () => {
    const mini = new MiniSearchIndex(FIELDS);
    mini.addAll([doc('a', 'reward model', 'reward'), doc('b', 'model ensembl'), doc('c', 'robot model')]);
    mini.remove(doc('b', 'model ensembl'));
    const restored = MiniSearchIndex.restore(deserialize(serialize(mini.save())), FIELDS);
    expect(contents(restored, terms)).toEqual(contents(mini, terms));
    expect([restored.documentNumber('c'), restored.documentId(2), restored.documentId(1)]).toEqual([
      2,
      'c',
      undefined,
    ]);
    expect(restored.documentCount).toBe(2);
    expect(restored.documentNumbers).toBe(3);
    const { documentIds, fieldLengths, averageFieldLength } = mini.save();
    expect(restored.save()).toMatchObject({ documentIds, fieldLengths, averageFieldLength });
  });

  test('a snapshot of other fields is refused', () => {
    const saved = new MiniSearchIndex(['text']).save();
    expect(() => MiniSearchIndex.restore(saved, FIELDS)).toThrow(
      /^the snapshot's fields \{"text":0\} are not the index's$/,
    );
  });
});
