import { type PackedStringData, PackedStrings, packStrings, sortedOrderOf } from '../packedStrings.js';

/**
 * The index's terms by id, and each term's id. A restored vocabulary reads its saved terms in
 * place (packed, found by binary search over their sorted order), so that restoring a snapshot
 * decodes no term and builds no map of them; the terms added since (with the ids after the saved
 * ones) and the saved terms looked up so far are in a map, so that indexing papers looks each term
 * up in the saved ones once.
 */
export class Vocabulary {
  private readonly saved: PackedStrings | undefined;
  private readonly order: Int32Array;
  private readonly savedCount: number;
  private readonly added: string[] = [];
  /** The ids of the terms added and of the saved terms looked up so far. */
  private readonly known = new Map<string, number>();

  constructor(saved?: { terms: PackedStringData; order: Int32Array }) {
    this.saved = saved && new PackedStrings(saved.terms);
    this.order = saved?.order ?? new Int32Array(0);
    this.savedCount = this.saved?.length ?? 0;
    if (this.order.length !== this.savedCount) throw new Error("the snapshot's terms do not add up");
  }

  /** A vocabulary of these terms as a restored one has them (packed, with their sorted order). */
  static of(terms: readonly string[]): Vocabulary {
    const packed = packStrings(terms);
    return new Vocabulary({ terms: packed, order: sortedOrderOf(packed) });
  }

  /** How many terms (one more than the largest id). */
  get size(): number {
    return this.savedCount + this.added.length;
  }

  /** The id of a term, if it has one. */
  id(term: string): number | undefined {
    const known = this.known.get(term);
    if (known !== undefined || !this.saved) return known;
    const id = this.saved.find(this.order, term);
    if (id < 0) return undefined;
    this.known.set(term, id);
    return id;
  }

  /** The term of an id. */
  term(id: number): string {
    return id < this.savedCount
      ? (this.saved as PackedStrings).get(id)
      : (this.added[id - this.savedCount] as string);
  }

  /** The id of a term, given a new one when it has none. */
  add(term: string): number {
    let id = this.id(term);
    if (id === undefined) {
      id = this.size;
      this.added.push(term);
      this.known.set(term, id);
    }
    return id;
  }

  /** Every term, by id. */
  toArray(): string[] {
    return [...(this.saved?.toArray() ?? []), ...this.added];
  }
}
