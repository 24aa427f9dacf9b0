import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import MiniSearch, { type Options } from 'minisearch';

/**
 * What a snapshot keeps of an index, for `v8.serialize`: the postings flattened into typed arrays
 * (which serialise as bytes), the rest as minisearch has it. Term `t` has `fieldCounts[t]` fields;
 * its fields, in order, take the next entries of `fieldIds` and `postingCounts`, and each field's
 * postings the next entries of `documents` and `frequencies`.
 */
export interface SavedIndex {
  terms: string[];
  fieldCounts: Uint8Array;
  fieldIds: Uint8Array;
  postingCounts: Int32Array;
  documents: Int32Array;
  frequencies: Int32Array;
  fieldIdsByName: Record<string, number>;
  documentIds: Map<number, unknown>;
  fieldLength: Map<number, number[]>;
  averageFieldLength: number[];
  documentCount: number;
  nextId: number;
  dirtCount: number;
}

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
 * minisearch with typed access to its index. minisearch offers no public way to ask how often one
 * term occurs in one paper (which exact pruning needs, see TermScores) nor to save its index except
 * as JSON (whose parse and re-load cost seconds at 80k papers, see {@link MiniSearchIndex.restore}).
 * Its state is `protected`, so this subclass is the one place that reads it, type-checked: a rename
 * in minisearch fails the build, and the pruning and snapshot tests compare against minisearch's own
 * results, so a change of meaning fails CI rather than a search.
 */
export class MiniSearchIndex<T> extends MiniSearch<T> {
  /** The postings of a term, by field id (document number → frequency), if the term is indexed. */
  termData(term: string): ReadonlyMap<number, Map<number, number>> | undefined {
    return this._index.get(term);
  }

  /** Field name → field id. */
  get fieldIds(): Readonly<Record<string, number>> {
    return this._fieldIds;
  }

  /** The average length of each field, by field id. */
  get averageFieldLengths(): readonly number[] {
    return this._avgFieldLength;
  }

  /** The length of each field of a document, by its document number. */
  fieldLengths(documentNumber: number): readonly number[] | undefined {
    return this._fieldLength.get(documentNumber);
  }

  /** minisearch's number for the document with this id. */
  documentNumber(id: unknown): number | undefined {
    return this._idToShortId.get(id);
  }

  /** The index's state, copied into a {@link SavedIndex}. */
  save(): SavedIndex {
    const terms: string[] = [];
    let fields = 0;
    let postings = 0;
    for (const [term, byField] of this._index) {
      terms.push(term);
      fields += byField.size;
      for (const papers of byField.values()) postings += papers.size;
    }
    const saved: SavedIndex = {
      terms,
      fieldCounts: new Uint8Array(terms.length),
      fieldIds: new Uint8Array(fields),
      postingCounts: new Int32Array(fields),
      documents: new Int32Array(postings),
      frequencies: new Int32Array(postings),
      fieldIdsByName: this._fieldIds,
      documentIds: this._documentIds,
      fieldLength: this._fieldLength,
      averageFieldLength: this._avgFieldLength,
      documentCount: this._documentCount,
      nextId: this._nextId,
      dirtCount: this._dirtCount,
    };
    let field = 0;
    let posting = 0;
    terms.forEach((term, t) => {
      const byField = this._index.get(term) as Map<number, Map<number, number>>;
      saved.fieldCounts[t] = byField.size;
      for (const [fieldId, papers] of byField) {
        saved.fieldIds[field] = fieldId;
        saved.postingCounts[field++] = papers.size;
        if (papers instanceof LazyPostings)
          posting = papers.copyInto(saved.documents, saved.frequencies, posting);
        else {
          for (const [document, frequency] of papers) {
            saved.documents[posting] = document;
            saved.frequencies[posting++] = frequency;
          }
        }
      }
    });
    return saved;
  }

  /**
   * An index from a {@link SavedIndex}. Each term's postings stay in the saved typed arrays until a
   * search first reads them ({@link LazyPostings}): most of the 9.3M postings of 80k papers are
   * never read between two restarts, and turning all of them into Maps took seconds.
   */
  static restore<T>(saved: SavedIndex, options: Options<T>): MiniSearchIndex<T> {
    const mini = new MiniSearchIndex<T>(options);
    if (JSON.stringify(saved.fieldIdsByName) !== JSON.stringify(mini._fieldIds)) {
      throw new Error(`the snapshot's fields ${JSON.stringify(saved.fieldIdsByName)} are not the index's`);
    }
    let field = 0;
    let posting = 0;
    saved.terms.forEach((term, t) => {
      const byField = new Map<number, Map<number, number>>();
      for (let f = 0; f < (saved.fieldCounts[t] as number); f++, field++) {
        const count = saved.postingCounts[field] as number;
        byField.set(
          saved.fieldIds[field] as number,
          new LazyPostings(saved.documents, saved.frequencies, posting, count),
        );
        posting += count;
      }
      mini._index.set(term, byField);
    });
    if (posting !== saved.documents.length) throw new Error("the snapshot's postings do not add up");
    mini._documentIds = saved.documentIds;
    mini._idToShortId = new Map([...saved.documentIds].map(([shortId, id]) => [id, shortId]));
    mini._fieldLength = saved.fieldLength;
    mini._avgFieldLength = saved.averageFieldLength;
    mini._documentCount = saved.documentCount;
    mini._nextId = saved.nextId;
    mini._dirtCount = saved.dirtCount;
    return mini;
  }
}

/**
 * One term's postings in one field (document number → frequency) that become a real Map only when
 * first read or changed. `size` answers from the saved count, so document frequencies (IDF) cost
 * nothing.
 */
export class LazyPostings extends Map<number, number> {
  private saved?: { documents: Int32Array; frequencies: Int32Array; start: number; count: number };

  constructor(documents: Int32Array, frequencies: Int32Array, start: number, count: number) {
    super();
    this.saved = { documents, frequencies, start, count };
  }

  override get size(): number {
    return this.saved ? this.saved.count : super.size;
  }

  override get(document: number): number | undefined {
    this.load();
    return super.get(document);
  }

  override has(document: number): boolean {
    this.load();
    return super.has(document);
  }

  override set(document: number, frequency: number): this {
    this.load();
    return super.set(document, frequency);
  }

  override delete(document: number): boolean {
    this.load();
    return super.delete(document);
  }

  override clear(): void {
    this.saved = undefined;
    super.clear();
  }

  override forEach(
    callback: (value: number, key: number, map: Map<number, number>) => void,
    thisArg?: unknown,
  ): void {
    this.load();
    super.forEach(callback, thisArg);
  }

  override keys(): MapIterator<number> {
    this.load();
    return super.keys();
  }

  override values(): MapIterator<number> {
    this.load();
    return super.values();
  }

  override entries(): MapIterator<[number, number]> {
    this.load();
    return super.entries();
  }

  override [Symbol.iterator](): MapIterator<[number, number]> {
    return this.entries();
  }

  /** Writes the postings into the arrays from `at`, without turning them into a Map; returns the next free index. */
  copyInto(documents: Int32Array, frequencies: Int32Array, at: number): number {
    if (!this.saved) {
      let next = at;
      for (const [document, frequency] of super.entries()) {
        documents[next] = document;
        frequencies[next++] = frequency;
      }
      return next;
    }
    const { start, count } = this.saved;
    documents.set(this.saved.documents.subarray(start, start + count), at);
    frequencies.set(this.saved.frequencies.subarray(start, start + count), at);
    return at + count;
  }

  private load(): void {
    const saved = this.saved;
    if (!saved) return;
    this.saved = undefined;
    for (let i = saved.start; i < saved.start + saved.count; i++) {
      super.set(saved.documents[i] as number, saved.frequencies[i] as number);
    }
  }
}
