/**
 * One term's postings in one field (document number → frequency) kept as two sorted typed arrays
 * instead of a Map, inside minisearch's own index: minisearch reads and changes them through the
 * Map interface (adding, removing and vacuuming documents), the ranking reads the arrays directly
 * ({@link CompactPostings.documents} from `start`, `size` of them), so no search ever turns them
 * into Maps. A restored index shares one pair of arrays between all its lists; a list copies its
 * slice the first time it changes.
 *
 * Documents are kept in ascending order of their number. minisearch numbers documents in the
 * order they are added, so adding appends, the common case; the rest is a binary search.
 */
export class CompactPostings extends Map<number, number> {
  /** Document numbers, ascending, from `start`. */
  documents: Int32Array;
  /** The term's frequency in each of those documents. */
  frequencies: Int32Array;
  /** Where this list starts in the arrays. */
  start: number;
  private count: number;
  /** Whether the arrays are this list's own (else they are shared, and copied before a change). */
  private owned: boolean;

  constructor(documents: Int32Array, frequencies: Int32Array, start: number, count: number, owned = false) {
    super();
    this.documents = documents;
    this.frequencies = frequencies;
    this.start = start;
    this.count = count;
    this.owned = owned;
  }

  /** Postings copied from a Map (minisearch's own, for a term it has just added). */
  static from(postings: ReadonlyMap<number, number>): CompactPostings {
    const entries = [...postings].sort((a, b) => a[0] - b[0]);
    const documents = new Int32Array(Math.max(4, entries.length));
    const frequencies = new Int32Array(documents.length);
    entries.forEach(([document, frequency], i) => {
      documents[i] = document;
      frequencies[i] = frequency;
    });
    return new CompactPostings(documents, frequencies, 0, entries.length, true);
  }

  override get size(): number {
    return this.count;
  }

  override get(document: number): number | undefined {
    const at = this.find(document);
    return at < 0 ? undefined : (this.frequencies[at] as number);
  }

  override has(document: number): boolean {
    return this.find(document) >= 0;
  }

  override set(document: number, frequency: number): this {
    const at = this.find(document);
    if (at >= 0) {
      this.own(0);
      this.frequencies[this.find(document)] = frequency;
      return this;
    }
    // Not present: insert where the order puts it (at the end when minisearch adds a document).
    const position = -at - 1 - this.start;
    this.own(1);
    const index = this.start + position;
    const end = this.start + this.count;
    this.documents.copyWithin(index + 1, index, end);
    this.frequencies.copyWithin(index + 1, index, end);
    this.documents[index] = document;
    this.frequencies[index] = frequency;
    this.count++;
    return this;
  }

  override delete(document: number): boolean {
    const at = this.find(document);
    if (at < 0) return false;
    this.own(0);
    const index = this.find(document);
    const end = this.start + this.count;
    this.documents.copyWithin(index, index + 1, end);
    this.frequencies.copyWithin(index, index + 1, end);
    this.count--;
    return true;
  }

  override clear(): void {
    this.documents = new Int32Array(4);
    this.frequencies = new Int32Array(4);
    this.start = 0;
    this.count = 0;
    this.owned = true;
  }

  override forEach(
    callback: (value: number, key: number, map: Map<number, number>) => void,
    thisArg?: unknown,
  ): void {
    for (const [document, frequency] of this.entries()) callback.call(thisArg, frequency, document, this);
  }

  // The iterators walk a copy, so that minisearch may delete while it iterates (as vacuuming does).
  override *entries(): MapIterator<[number, number]> {
    const documents = this.documents.slice(this.start, this.start + this.count);
    const frequencies = this.frequencies.slice(this.start, this.start + this.count);
    for (let i = 0; i < documents.length; i++) yield [documents[i] as number, frequencies[i] as number];
  }

  override *keys(): MapIterator<number> {
    yield* this.documents.slice(this.start, this.start + this.count);
  }

  override *values(): MapIterator<number> {
    yield* this.frequencies.slice(this.start, this.start + this.count);
  }

  override [Symbol.iterator](): MapIterator<[number, number]> {
    return this.entries();
  }

  /** Writes the postings into the arrays from `at`; returns the next free index. */
  copyInto(documents: Int32Array, frequencies: Int32Array, at: number): number {
    documents.set(this.documents.subarray(this.start, this.start + this.count), at);
    frequencies.set(this.frequencies.subarray(this.start, this.start + this.count), at);
    return at + this.count;
  }

  /** The array index of `document`, or `-(insertion index) - 1` when absent. */
  private find(document: number): number {
    const documents = this.documents;
    let low = this.start;
    let high = this.start + this.count - 1;
    // Appending is the common case: check the end first.
    if (high < low || (documents[high] as number) < document) return -(high + 1) - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const value = documents[middle] as number;
      if (value < document) low = middle + 1;
      else if (value > document) high = middle - 1;
      else return middle;
    }
    return -low - 1;
  }

  /** Makes the arrays this list's own, with room for `extra` more postings. */
  private own(extra: number): void {
    if (this.owned && this.start + this.count + extra <= this.documents.length) return;
    // Room to grow: lists that change once (a paper added) usually change again at the next ingest.
    const capacity = Math.max(
      4,
      this.owned ? this.count * 2 : this.count + (this.count >> 3),
      this.count + extra,
    );
    const documents = new Int32Array(capacity);
    const frequencies = new Int32Array(capacity);
    documents.set(this.documents.subarray(this.start, this.start + this.count));
    frequencies.set(this.frequencies.subarray(this.start, this.start + this.count));
    this.documents = documents;
    this.frequencies = frequencies;
    this.start = 0;
    this.owned = true;
  }
}
