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

/**
 * Compares two byte ranges as strings: UTF-8 byte order, which is the order of the strings' code
 * points. Packed strings are sorted and searched this way, so that neither decodes a string.
 */
function compareBytes(
  a: Uint8Array,
  aStart: number,
  aEnd: number,
  b: Uint8Array,
  bStart: number,
  bEnd: number,
): number {
  const aLength = aEnd - aStart;
  const bLength = bEnd - bStart;
  for (let i = 0; i < aLength && i < bLength; i++) {
    const difference = (a[aStart + i] as number) - (b[bStart + i] as number);
    if (difference !== 0) return difference;
  }
  return aLength - bLength;
}

/** The positions of packed strings in ascending order (ties by position), for {@link PackedStrings.find}. */
export function sortedOrderOf({ offsets, bytes }: PackedStringData): Int32Array {
  const order = Int32Array.from({ length: offsets.length - 1 }, (_, i) => i);
  order.sort(
    (a, b) =>
      compareBytes(
        bytes,
        offsets[a] as number,
        offsets[a + 1] as number,
        bytes,
        offsets[b] as number,
        offsets[b + 1] as number,
      ) || a - b,
  );
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
   * `order`, the strings' {@link sortedOrderOf}; -1 when absent. Compares bytes: nothing is decoded.
   */
  find(order: Int32Array, key: string): number {
    const wanted = Buffer.from(key);
    const compare = (i: number) =>
      compareBytes(
        this.text,
        this.offsets[i] as number,
        this.offsets[i + 1] as number,
        wanted,
        0,
        wanted.length,
      );
    let low = 0;
    let high = order.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (compare(order[middle] as number) < 0) low = middle + 1;
      else high = middle;
    }
    const at = order[low];
    return at !== undefined && compare(at) === 0 ? at : -1;
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

  /**
   * The column packed, for a file: the saved bytes copied a run at a time between the changed
   * strings (nothing decoded), then the later ones. A checkpoint does this on the thread that
   * answers Slack, so it must stay cheap at a million papers.
   */
  pack(): PackedStringData {
    const saved = this.savedData;
    if (!saved) return packStrings(this.later);
    if (this.changed.size === 0 && this.later.length === 0) return saved;
    const changes = [...this.changed.keys()].sort((a, b) => a - b);
    const replaced = packStrings(changes.map((i) => this.changed.get(i) as string));
    const added = packStrings(this.later);
    let total = added.bytes.length + replaced.bytes.length + saved.bytes.length;
    for (const i of changes) total -= (saved.offsets[i + 1] as number) - (saved.offsets[i] as number);
    const offsets = new Uint32Array(this.length + 1);
    const bytes = new Uint8Array(total);
    let written = 0;
    let from = 0;
    /** Copies the saved strings [from, to) whole, their offsets moved by how far their bytes moved. */
    const copyRun = (to: number) => {
      const start = saved.offsets[from] as number;
      const end = saved.offsets[to] as number;
      bytes.set(saved.bytes.subarray(start, end), written);
      const shift = written - start;
      for (let i = from; i < to; i++) offsets[i] = (saved.offsets[i] as number) + shift;
      written += end - start;
    };
    changes.forEach((i, c) => {
      copyRun(i);
      offsets[i] = written;
      const value = replaced.bytes.subarray(replaced.offsets[c], replaced.offsets[c + 1]);
      bytes.set(value, written);
      written += value.length;
      from = i + 1;
    });
    copyRun(this.savedCount);
    for (let i = 0; i < this.later.length; i++)
      offsets[this.savedCount + i] = written + (added.offsets[i] as number);
    bytes.set(added.bytes, written);
    offsets[this.length] = total;
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
    if (saved === 0) return { strings, order: sortedOrderOf(strings) };
    // The saved keys are in order already: the later ones, sorted, are merged in (bytes compared).
    const later = packStrings(
      Array.from({ length: this.length - saved }, (_, i) => this.keys.get(saved + i)),
    );
    const laterOrder = sortedOrderOf(later);
    const { offsets, bytes } = strings;
    const order = new Int32Array(this.length);
    let s = 0;
    let l = 0;
    for (let o = 0; o < order.length; o++) {
      const a = this.order[s];
      const b = laterOrder[l];
      const savedFirst =
        b === undefined ||
        (a !== undefined &&
          compareBytes(
            bytes,
            offsets[a] as number,
            offsets[a + 1] as number,
            later.bytes,
            later.offsets[b] as number,
            later.offsets[b + 1] as number,
          ) <= 0);
      if (savedFirst) order[o] = this.order[s++] as number;
      else order[o] = saved + (laterOrder[l++] as number);
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
