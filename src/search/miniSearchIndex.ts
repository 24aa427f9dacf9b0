import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import MiniSearch from 'minisearch';
import { CompactPostings } from './postings.js';

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
 * What a snapshot keeps of minisearch's index, for `v8.serialize`: everything as typed arrays or
 * plain arrays (which serialise as bytes, or close to it). Term `t` has `fieldCounts[t]` fields; its
 * fields, in order, take the next entries of `fieldIds` and `postingCounts`, and each field's
 * postings the next entries of `documents` and `frequencies`. Document number `n` has the id
 * `documentIds[n]` (null once removed) and its field lengths at `fieldLengths[n * fields + f]`.
 */
export interface SavedMiniSearch {
  terms: string[];
  fieldCounts: Uint8Array;
  fieldIds: Uint8Array;
  postingCounts: Int32Array;
  documents: Int32Array;
  frequencies: Int32Array;
  fieldIdsByName: Record<string, number>;
  documentIds: (string | null)[];
  fieldLengths: Int32Array;
  averageFieldLength: number[];
  documentCount: number;
}

/**
 * minisearch with its postings kept compact and read directly. minisearch offers no public way to
 * read a term's postings (which a ranking of its own needs) nor to save its index except as JSON
 * (whose parse and re-load cost seconds at 80k papers, see {@link MiniSearchIndex.restore}). Its
 * state is `protected`, so this subclass is the one place that reads it, type-checked: a rename in
 * minisearch fails the build. Documents go in and out through minisearch's own `add` and `remove`;
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
   * Packs every posting list into one shared pair of arrays, as a restored index has them: after a
   * build, minisearch's Maps (one per term and field) take several times the memory.
   */
  pack(): void {
    const saved = this.save();
    this.restorePostings(saved);
  }

  /** The index's state, copied into a {@link SavedMiniSearch}. */
  save(): SavedMiniSearch {
    const terms: string[] = [];
    let fields = 0;
    let postings = 0;
    for (const [term, byField] of this._index) {
      terms.push(term);
      fields += byField.size;
      for (const papers of byField.values()) postings += papers.size;
    }
    const fieldCount = Object.keys(this._fieldIds).length;
    const saved: SavedMiniSearch = {
      terms,
      fieldCounts: new Uint8Array(terms.length),
      fieldIds: new Uint8Array(fields),
      postingCounts: new Int32Array(fields),
      documents: new Int32Array(postings),
      frequencies: new Int32Array(postings),
      fieldIdsByName: { ...this._fieldIds },
      documentIds: Array.from({ length: this._nextId }, (_, n) => this.documentId(n) ?? null),
      fieldLengths: new Int32Array(this._nextId * fieldCount),
      averageFieldLength: [...this._avgFieldLength],
      documentCount: this._documentCount,
    };
    for (const [documentNumber, lengths] of this._fieldLength) {
      lengths.forEach((length, fieldId) => {
        saved.fieldLengths[documentNumber * fieldCount + fieldId] = length;
      });
    }
    let field = 0;
    let posting = 0;
    terms.forEach((term, t) => {
      const byField = this._index.get(term) as Map<number, Map<number, number>>;
      saved.fieldCounts[t] = byField.size;
      for (const [fieldId, papers] of byField) {
        saved.fieldIds[field] = fieldId;
        saved.postingCounts[field++] = papers.size;
        if (papers instanceof CompactPostings)
          posting = papers.copyInto(saved.documents, saved.frequencies, posting);
        else posting = copyMap(papers, saved.documents, saved.frequencies, posting);
      }
    });
    return saved;
  }

  /**
   * An index from a {@link SavedMiniSearch}: each list a {@link CompactPostings} over the saved
   * arrays, so that restoring does not build 9.3M Map entries at 80k papers.
   */
  static restore(saved: SavedMiniSearch, fields: readonly string[]): MiniSearchIndex {
    const mini = new MiniSearchIndex(fields);
    if (JSON.stringify(saved.fieldIdsByName) !== JSON.stringify(mini._fieldIds)) {
      throw new Error(`the snapshot's fields ${JSON.stringify(saved.fieldIdsByName)} are not the index's`);
    }
    mini.restorePostings(saved);
    const fieldCount = fields.length;
    saved.documentIds.forEach((id, documentNumber) => {
      if (id === null) return;
      mini._documentIds.set(documentNumber, id);
      mini._idToShortId.set(id, documentNumber);
      const lengths: number[] = [];
      for (let f = 0; f < fieldCount; f++)
        lengths.push(saved.fieldLengths[documentNumber * fieldCount + f] as number);
      mini._fieldLength.set(documentNumber, lengths);
    });
    mini._avgFieldLength = [...saved.averageFieldLength];
    mini._documentCount = saved.documentCount;
    mini._nextId = saved.documentIds.length;
    if (mini._documentIds.size !== saved.documentCount)
      throw new Error("the snapshot's documents do not add up");
    return mini;
  }

  private restorePostings(saved: SavedMiniSearch): void {
    let field = 0;
    let posting = 0;
    saved.terms.forEach((term, t) => {
      const byField = new Map<number, Map<number, number>>();
      for (let f = 0; f < (saved.fieldCounts[t] as number); f++, field++) {
        const count = saved.postingCounts[field] as number;
        byField.set(
          saved.fieldIds[field] as number,
          new CompactPostings(saved.documents, saved.frequencies, posting, count),
        );
        posting += count;
      }
      this._index.set(term, byField);
    });
    if (posting !== saved.documents.length) throw new Error("the snapshot's postings do not add up");
  }
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
