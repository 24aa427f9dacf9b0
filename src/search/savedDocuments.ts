import { PackedStrings } from '../packedStrings.js';
import type { SavedMiniSearch } from './miniSearchIndex.js';

/**
 * The documents of a restored index as saved (ids packed, in a sorted order, and field lengths in
 * one array), read in place: minisearch's three per-document maps (number → id, id → number,
 * number → field lengths) stand on these, so that a restore makes no map entry per document (at
 * 80k papers that was a good part of a start). Documents added since live in the maps themselves;
 * `removed` marks the saved ones removed since, shared by the three maps (minisearch removes a
 * document from all three together).
 */
class SavedDocuments {
  readonly ids: PackedStrings;
  readonly order: Int32Array;
  readonly lengths: Int32Array;
  readonly removed: Uint8Array;
  live: number;

  constructor(
    saved: SavedMiniSearch,
    readonly fieldCount: number,
  ) {
    this.ids = new PackedStrings(saved.documentIds);
    this.order = saved.documentIdOrder;
    this.lengths = saved.fieldLengths;
    this.removed = new Uint8Array(this.ids.length);
    this.live = this.ids.length;
  }

  /** Whether `n` is a saved document still in the index. */
  holds(n: unknown): n is number {
    return typeof n === 'number' && n >= 0 && n < this.removed.length && this.removed[n] === 0;
  }

  remove(n: number): boolean {
    if (!this.holds(n)) return false;
    this.removed[n] = 1;
    this.live--;
    return true;
  }

  /** The saved documents still in the index, by number. */
  *numbers(): IterableIterator<number> {
    for (let n = 0; n < this.removed.length; n++) if (this.removed[n] === 0) yield n;
  }

  fieldLengths(n: number): number[] {
    return Array.from(this.lengths.subarray(n * this.fieldCount, (n + 1) * this.fieldCount));
  }
}

/**
 * A Map whose entries are the saved documents' (read through `entryOf`) and then its own; what
 * changes after the restore is kept in its own entries. `keyOf` finds a saved document's number
 * by key.
 */
abstract class OverSaved<K, V> extends Map<K, V> {
  constructor(protected readonly saved: SavedDocuments) {
    super();
  }

  protected abstract numberOf(key: K): number | undefined;
  protected abstract entryOf(n: number): [K, V];

  override get(key: K): V | undefined {
    const own = super.get(key);
    if (own !== undefined || super.has(key)) return own;
    const n = this.numberOf(key);
    return n === undefined ? undefined : this.entryOf(n)[1];
  }

  override has(key: K): boolean {
    return super.has(key) || this.numberOf(key) !== undefined;
  }

  override set(key: K, value: V): this {
    // A saved document given a new value is its own entry from now on (minisearch never does this).
    const n = this.numberOf(key);
    if (n !== undefined) this.saved.remove(n);
    return super.set(key, value);
  }

  override delete(key: K): boolean {
    const n = this.numberOf(key);
    return super.delete(key) || (n !== undefined && this.saved.remove(n));
  }

  override clear(): void {
    for (const n of [...this.saved.numbers()]) this.saved.remove(n);
    super.clear();
  }

  override get size(): number {
    return this.saved.live + super.size;
  }

  override *entries(): MapIterator<[K, V]> {
    for (const n of this.saved.numbers()) yield this.entryOf(n);
    yield* super.entries();
  }

  override *keys(): MapIterator<K> {
    for (const [key] of this.entries()) yield key;
  }

  override *values(): MapIterator<V> {
    for (const [, value] of this.entries()) yield value;
  }

  override forEach(visit: (value: V, key: K, map: Map<K, V>) => void): void {
    for (const [key, value] of this.entries()) visit(value, key, this);
  }

  override [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }
}

/** minisearch's document number → id, over the saved documents. */
class DocumentIds extends OverSaved<number, string> {
  protected numberOf(key: number): number | undefined {
    return this.saved.holds(key) ? key : undefined;
  }

  protected entryOf(n: number): [number, string] {
    return [n, this.saved.ids.get(n)];
  }
}

/** minisearch's id → document number, over the saved documents (found by binary search). */
class DocumentNumbers extends OverSaved<string, number> {
  protected numberOf(key: string): number | undefined {
    const n = this.saved.ids.find(this.saved.order, key);
    return this.saved.holds(n) ? n : undefined;
  }

  protected entryOf(n: number): [string, number] {
    return [this.saved.ids.get(n), n];
  }
}

/** minisearch's document number → its fields' lengths, over the saved documents (a copy each read). */
class FieldLengths extends OverSaved<number, number[]> {
  protected numberOf(key: number): number | undefined {
    return this.saved.holds(key) ? key : undefined;
  }

  protected entryOf(n: number): [number, number[]] {
    return [n, this.saved.fieldLengths(n)];
  }
}

/** minisearch's three per-document maps over a saved index's documents (see {@link SavedDocuments}). */
export function documentMaps(
  saved: SavedMiniSearch,
  fieldCount: number,
): {
  documentIds: Map<number, string>;
  idToShortId: Map<string, number>;
  fieldLength: Map<number, number[]>;
} {
  const documents = new SavedDocuments(saved, fieldCount);
  return {
    documentIds: new DocumentIds(documents),
    idToShortId: new DocumentNumbers(documents),
    fieldLength: new FieldLengths(documents),
  };
}
