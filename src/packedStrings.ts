/**
 * Many strings as one block of UTF-8 bytes and where each one starts: string `i` is
 * `bytes[offsets[i]…offsets[i + 1]]`. Plain typed arrays, so that a file of sections holds them as
 * they are (read back as views, nothing parsed) and a structured clone copies them whole.
 */
export interface PackedStringData {
  /** `length + 1` offsets into `bytes`, ascending. */
  offsets: Uint32Array;
  bytes: Uint8Array;
}

/** Packs strings (see {@link PackedStringData}). */
export function packStrings(strings: readonly string[]): PackedStringData {
  const offsets = new Uint32Array(strings.length + 1);
  let total = 0;
  for (let i = 0; i < strings.length; i++) {
    offsets[i] = total;
    total += Buffer.byteLength(strings[i] as string);
  }
  offsets[strings.length] = total;
  const bytes = Buffer.allocUnsafe(total);
  for (let i = 0; i < strings.length; i++) bytes.write(strings[i] as string, offsets[i] as number, 'utf8');
  return { offsets, bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, total) };
}

/** The positions of strings in ascending order (JavaScript's `<` on strings), for {@link PackedStrings.find}. */
export function sortedOrder(strings: readonly string[]): Int32Array {
  const order = Int32Array.from(strings.keys());
  // biome-ignore lint/style/noNonNullAssertion: the keys index the array.
  order.sort((a, b) => (strings[a]! < strings[b]! ? -1 : strings[a]! > strings[b]! ? 1 : a - b));
  return order;
}

/**
 * Read access to {@link PackedStringData}: a string is decoded when it is asked for, so that
 * opening a file of a million strings makes none of them. With a sorted order
 * ({@link sortedOrder}) beside it, a string is found by binary search, no hash map built first.
 */
export class PackedStrings {
  private readonly text: Buffer;
  private readonly offsets: Uint32Array;

  constructor(data: PackedStringData) {
    this.offsets = data.offsets;
    this.text = Buffer.from(data.bytes.buffer, data.bytes.byteOffset, data.bytes.byteLength);
  }

  get length(): number {
    return this.offsets.length - 1;
  }

  /** String `i`. */
  get(i: number): string {
    return this.text.toString('utf8', this.offsets[i] as number, this.offsets[i + 1] as number);
  }

  /** Every string, in order. */
  toArray(): string[] {
    const strings: string[] = [];
    for (let i = 0; i < this.length; i++) strings.push(this.get(i));
    return strings;
  }

  /**
   * The position of `key` (the first one, when it is there more than once), by binary search over
   * `order`, the strings' {@link sortedOrder}; -1 when absent.
   */
  find(order: Int32Array, key: string): number {
    let low = 0;
    let high = order.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.get(order[middle] as number) < key) low = middle + 1;
      else high = middle;
    }
    const at = order[low];
    return at !== undefined && this.get(at) === key ? at : -1;
  }
}

/** Whether a value is {@link PackedStringData} with offsets that fit its bytes. */
export function isPackedStringData(value: unknown): value is PackedStringData {
  if (typeof value !== 'object' || value === null) return false;
  const { offsets, bytes } = value as Partial<PackedStringData>;
  return (
    offsets instanceof Uint32Array &&
    bytes instanceof Uint8Array &&
    offsets.length > 0 &&
    offsets[0] === 0 &&
    offsets[offsets.length - 1] === bytes.length
  );
}

/**
 * A column of strings by position: those read from a file stay packed where they are (decoded when
 * asked for), those added or changed since are kept in memory. What a catalog holds per paper.
 */
export class StringColumn {
  private readonly saved: PackedStrings | undefined;
  private readonly savedData: PackedStringData | undefined;
  private readonly savedCount: number;
  private changed = new Map<number, string>();
  private later: string[] = [];

  constructor(saved?: PackedStringData) {
    this.savedData = saved;
    this.saved = saved && new PackedStrings(saved);
    this.savedCount = this.saved?.length ?? 0;
  }

  /** A column of these strings, in memory. */
  static of(strings: Iterable<string>): StringColumn {
    const column = new StringColumn();
    for (const value of strings) column.later.push(value);
    return column;
  }

  get length(): number {
    return this.savedCount + this.later.length;
  }

  /** The string at a position ('' beyond the end). */
  get(i: number): string {
    if (i >= this.savedCount) return this.later[i - this.savedCount] ?? '';
    return this.changed.get(i) ?? (this.saved as PackedStrings).get(i);
  }

  /** Replaces the string at a position (one past the end adds it). */
  set(i: number, value: string): void {
    if (i >= this.savedCount) {
      if (i > this.length) throw new RangeError(`position ${i} is beyond the column's end`);
      this.later[i - this.savedCount] = value;
    } else if (this.get(i) !== value) this.changed.set(i, value);
  }

  /** Adds a string at the end; returns its position. */
  push(value: string): number {
    this.later.push(value);
    return this.length - 1;
  }

  /** Every string, in order. */
  toArray(): string[] {
    const strings: string[] = [];
    for (let i = 0; i < this.length; i++) strings.push(this.get(i));
    return strings;
  }

  /** The column packed, for a file: the saved bytes as they are when none of them changed. */
  pack(): PackedStringData {
    if (!this.savedData || this.changed.size > 0) return packStrings(this.toArray());
    if (this.later.length === 0) return this.savedData;
    const added = packStrings(this.later);
    const base = this.savedData.bytes.length;
    const offsets = new Uint32Array(this.length + 1);
    offsets.set(this.savedData.offsets);
    for (let i = 1; i < added.offsets.length; i++)
      offsets[this.savedCount + i] = base + (added.offsets[i] as number);
    const bytes = new Uint8Array(base + added.bytes.length);
    bytes.set(this.savedData.bytes);
    bytes.set(added.bytes, base);
    return { offsets, bytes };
  }

  /** A column that goes on on its own from here (the saved strings shared: they never change). */
  copy(): StringColumn {
    const copy = new StringColumn(this.savedData);
    copy.changed = new Map(this.changed);
    copy.later = this.later.slice();
    return copy;
  }
}

/**
 * A column of distinct keys (paper ids) and each one's position: the saved keys found by binary
 * search over their sorted order, so that opening a catalog builds no map of them; the keys added
 * since, and the saved ones looked up so far, are in a map.
 */
export class KeyColumn {
  private keys: StringColumn;
  private readonly order: Int32Array;
  private readonly savedStrings: PackedStrings | undefined;
  private positions = new Map<string, number>();

  constructor(saved?: { strings: PackedStringData; order: Int32Array }) {
    this.keys = new StringColumn(saved?.strings);
    this.savedStrings = saved && new PackedStrings(saved.strings);
    this.order = saved?.order ?? new Int32Array(0);
    if (this.order.length !== (this.savedStrings?.length ?? 0))
      throw new Error('the keys and their order differ');
  }

  /** A column of these keys (distinct), in memory. */
  static of(keys: Iterable<string>): KeyColumn {
    const column = new KeyColumn();
    for (const key of keys) column.push(key);
    return column;
  }

  get length(): number {
    return this.keys.length;
  }

  /** The key at a position. */
  get(i: number): string {
    return this.keys.get(i);
  }

  /** Where a key is, if it is in the column. */
  positionOf(key: string): number | undefined {
    const known = this.positions.get(key);
    if (known !== undefined || !this.savedStrings) return known;
    const at = this.savedStrings.find(this.order, key);
    if (at < 0) return undefined;
    this.positions.set(key, at);
    return at;
  }

  /** Adds a key that is not in the column; returns its position. */
  push(key: string): number {
    const at = this.keys.push(key);
    this.positions.set(key, at);
    return at;
  }

  /** Every key, in order. */
  toArray(): string[] {
    return this.keys.toArray();
  }

  /** The keys packed with their sorted order, for a file. */
  pack(): { strings: PackedStringData; order: Int32Array } {
    const strings = this.keys.pack();
    const saved = this.order.length;
    if (saved === this.length) return { strings, order: this.order };
    if (saved === 0) return { strings, order: sortedOrder(this.toArray()) };
    // The saved keys are in order already: the later ones, sorted, are merged in.
    const later = Int32Array.from({ length: this.length - saved }, (_, i) => saved + i);
    const key = (i: number) => this.keys.get(i);
    later.sort((a, b) => (key(a) < key(b) ? -1 : 1));
    const order = new Int32Array(this.length);
    let s = 0;
    let l = 0;
    for (let o = 0; o < order.length; o++) {
      const a = this.order[s];
      const b = later[l];
      order[o] = (b === undefined || (a !== undefined && key(a) <= key(b)) ? a : b) as number;
      if (order[o] === a && a !== undefined) s++;
      else l++;
    }
    return { strings, order };
  }

  /** A column that goes on on its own from here (the saved keys shared). */
  copy(): KeyColumn {
    const copy = Object.create(KeyColumn.prototype) as KeyColumn;
    Object.assign(copy, {
      keys: this.keys.copy(),
      order: this.order,
      savedStrings: this.savedStrings,
      positions: new Map(this.positions),
    });
    return copy;
  }
}
