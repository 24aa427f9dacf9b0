import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import MiniSearch from 'minisearch';
import { type PackedStringData, packStrings, sortedOrderOf } from '../packedStrings.js';
import { CompactPostings } from './postings.js';
import { documentMaps } from './savedDocuments.js';
import { type ListView, TermIndex } from './termIndex.js';
import type { Vocabulary } from './vocabulary.js';

/** The minisearch package's version: a snapshot holds the internals of one version only. */
export const MINISEARCH_VERSION: string = (
  JSON.parse(
    readFileSync(
      join(dirname(createRequire(import.meta.url).resolve('minisearch')), '..', '..', 'package.json'),
      'utf8',
    ),
  ) as { version: string }
).version;

/**
 * A document as minisearch indexes it: its id and, for each field, its index terms (already
 * tokenised, stemmed and stop-worded, see text.ts) joined by single spaces.
 */
export interface TermDocument {
  id: string;
  /** Field name → its terms joined by spaces. */
  fields: Readonly<Record<string, string>>;
}

/**
 * What a snapshot keeps of minisearch's index, as typed arrays (written as their bytes) and plain
 * values, for a vocabulary given beside it (term id → term, see DocumentTable): term `t` has
 * `fieldCounts[t]` fields (0 for a term no document has any more); its fields, in order, take the
 * next entries of `fieldIds` and `postingCounts`, and each field's postings the next entries of
 * `documents` and `frequencies`, in document order. Document number `n` has the id
 * `documentIds[n]` (packed; `documentIdOrder` is their sorted order, to find a number by id) and
 * its field lengths at `fieldLengths[n * fields + f]`. Documents are numbered without gaps: a saved
 * index leaves out the numbers of removed documents.
 */
export interface SavedMiniSearch {
  fieldCounts: Uint8Array;
  fieldIds: Uint8Array;
  postingCounts: Int32Array;
  documents: Int32Array;
  frequencies: Int32Array;
  fieldIdsByName: Record<string, number>;
  documentIds: PackedStringData;
  documentIdOrder: Int32Array;
  fieldLengths: Int32Array;
  averageFieldLength: number[];
}

/**
 * minisearch with its postings kept compact and read directly. minisearch offers no public way to
 * read a term's postings (which a ranking of its own needs) nor to save its index except as JSON
 * (whose parse and re-load cost seconds at 80k papers, see {@link MiniSearchIndex.restore}). Its
 * state is `protected`, so this subclass is the one place that reads it (TermIndex reads only its
 * tree's class), type-checked: a rename in minisearch fails the build. Documents go in and out through minisearch's own `add` and `remove`;
 * every posting list is a {@link CompactPostings}, which minisearch changes through the Map
 * interface and the ranking reads as arrays.
 *
 * Auto-vacuuming is off on purpose: paperbot replaces a document with `remove` (the terms it was
 * indexed with are kept, see DocumentTable), never `discard`, so there is nothing to vacuum; and a
 * vacuum walks every posting list of the index.
 */
export class MiniSearchIndex extends MiniSearch<TermDocument> {
  constructor(fields: readonly string[]) {
    super({
      idField: 'id',
      fields: [...fields],
      storeFields: [],
      extractField: (document, field) => (field === 'id' ? document.id : (document.fields[field] ?? '')),
      // The terms are processed already: minisearch must not process them again (Porter stemming is
      // not idempotent).
      tokenize: (text) => text.split(' '),
      processTerm: (term) => term || null,
      autoVacuum: false,
    });
    this.useTerms(new TermIndex());
  }

  /** The term map minisearch works with (see TermIndex). */
  private terms!: TermIndex;

  private useTerms(terms: TermIndex): void {
    this.terms = terms;
    this._index = terms;
  }

  /** The id of each field. */
  get fieldIds(): Readonly<Record<string, number>> {
    return this._fieldIds;
  }

  /** The postings of a term in one field, if it occurs there. */
  postings(term: string, fieldId: number): CompactPostings | undefined {
    const byField = this._index.get(term);
    const postings = byField?.get(fieldId);
    if (postings === undefined || postings instanceof CompactPostings) return postings;
    // minisearch makes a plain Map for a term or field it has not seen before: made compact here.
    const compact = CompactPostings.from(postings);
    byField?.set(fieldId, compact);
    return compact;
  }

  /** minisearch's number for the document with this id. */
  documentNumber(id: string): number | undefined {
    return this._idToShortId.get(id);
  }

  /** The id of the document with this number, if it is indexed. */
  documentId(documentNumber: number): string | undefined {
    return this._documentIds.get(documentNumber) as string | undefined;
  }

  /** One more than the largest document number given so far. */
  get documentNumbers(): number {
    return this._nextId;
  }

  /**
   * The index's state, copied into a {@link SavedMiniSearch}: the lists of `vocabulary`'s terms in
   * its order (every term the index has must be in it), and its documents renumbered by `numbers`
   * (old number → new, −1 for one that was removed; new numbers keep the old order, so that every
   * list stays sorted), `count` of them.
   */
  save(vocabulary: readonly string[], numbers: Int32Array, count: number): SavedMiniSearch {
    let fields = 0;
    let postings = 0;
    const terms = this.terms.forEachList(vocabulary, (_, __, list) => {
      fields++;
      postings += list.size;
    });
    if (terms !== this.terms.size) throw new Error('the index has terms its vocabulary lacks');
    const fieldCount = Object.keys(this._fieldIds).length;
    const saved: SavedMiniSearch = {
      fieldCounts: new Uint8Array(vocabulary.length),
      fieldIds: new Uint8Array(fields),
      postingCounts: new Int32Array(fields),
      documents: new Int32Array(postings),
      frequencies: new Int32Array(postings),
      fieldIdsByName: { ...this._fieldIds },
      documentIds: packStrings([]),
      documentIdOrder: new Int32Array(0),
      fieldLengths: new Int32Array(count * fieldCount),
      averageFieldLength: [...this._avgFieldLength],
    };
    const documentIds: string[] = [];
    for (const [documentNumber, id] of this._documentIds) {
      const to = numbers[documentNumber] as number;
      documentIds[to] = id as string;
      this._fieldLength.get(documentNumber)?.forEach((length, fieldId) => {
        saved.fieldLengths[to * fieldCount + fieldId] = length;
      });
    }
    if (documentIds.length !== count || this._documentIds.size !== count)
      throw new Error('the index and its numbering disagree');
    saved.documentIds = packStrings(documentIds);
    saved.documentIdOrder = sortedOrderOf(saved.documentIds);
    const renumber = count !== numbers.length;
    let field = 0;
    let posting = 0;
    this.terms.forEachList(vocabulary, (t, fieldId, list) => {
      saved.fieldCounts[t] = (saved.fieldCounts[t] as number) + 1;
      saved.fieldIds[field] = fieldId;
      saved.postingCounts[field++] = list.size;
      const start = posting;
      posting =
        list instanceof Map && !(list instanceof CompactPostings)
          ? copyMap(list, saved.documents, saved.frequencies, posting)
          : copyList(list, saved.documents, saved.frequencies, posting);
      if (renumber)
        for (let i = start; i < posting; i++)
          saved.documents[i] = numbers[saved.documents[i] as number] as number;
    });
    return saved;
  }

  /**
   * An index from a {@link SavedMiniSearch} and its vocabulary: the lists stay in the saved arrays
   * (see TermIndex), each read as a {@link CompactPostings} over them once looked up, and the
   * documents' ids and lengths in theirs (see savedDocuments.ts), so that restoring builds no Map
   * per list or per document. This is also how an index is built (see DocumentIndex.build):
   * postings laid out, then restored.
   */
  static restore(saved: SavedMiniSearch, vocabulary: Vocabulary, fields: readonly string[]): MiniSearchIndex {
    const mini = new MiniSearchIndex(fields);
    if (JSON.stringify(saved.fieldIdsByName) !== JSON.stringify(mini._fieldIds)) {
      throw new Error(`the snapshot's fields ${JSON.stringify(saved.fieldIdsByName)} are not the index's`);
    }
    const count = saved.documentIds.offsets.length - 1;
    const fieldCount = fields.length;
    if (saved.fieldLengths.length !== count * fieldCount || saved.documentIdOrder.length !== count)
      throw new Error("the snapshot's index does not add up");
    mini.useTerms(TermIndex.over(saved, vocabulary));
    const maps = documentMaps(saved, fieldCount);
    mini._documentIds = maps.documentIds;
    mini._idToShortId = maps.idToShortId;
    mini._fieldLength = maps.fieldLength;
    mini._avgFieldLength = [...saved.averageFieldLength];
    mini._documentCount = count;
    mini._nextId = count;
    return mini;
  }
}

/** Copies a stored list into the arrays from `at`; returns the next free index. */
function copyList(list: ListView, documents: Int32Array, frequencies: Int32Array, at: number): number {
  documents.set(list.documents.subarray(list.start, list.start + list.size), at);
  frequencies.set(list.frequencies.subarray(list.start, list.start + list.size), at);
  return at + list.size;
}

/**
 * Copies one of minisearch's own posting Maps into the arrays from `at`, in document order (it adds
 * documents in that order, so the Map already is, unless a caller re-added an old number).
 */
function copyMap(
  postings: Map<number, number>,
  documents: Int32Array,
  frequencies: Int32Array,
  at: number,
): number {
  let next = at;
  let sorted = true;
  for (const [document, frequency] of postings) {
    if (next > at && (documents[next - 1] as number) > document) sorted = false;
    documents[next] = document;
    frequencies[next++] = frequency;
  }
  if (!sorted) {
    const entries = [...postings].sort((a, b) => a[0] - b[0]);
    entries.forEach(([document, frequency], i) => {
      documents[at + i] = document;
      frequencies[at + i] = frequency;
    });
  }
  return next;
}
