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
