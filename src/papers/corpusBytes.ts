import { createHash, type Hash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';

/*
 * The corpus file's bytes: read line by line a chunk at a time, written whole, and fingerprinted
 * (a position in the file is an offset and the fingerprint of the bytes before it).
 */

/** Bytes read (or written) at a time when going through a whole corpus file. */
export const CHUNK = 8 * 1024 * 1024;

/** A newline, as the one byte every corpus line ends with. */
export const NEWLINE = Buffer.from('\n');

/** Whether a line holds only white space. */
export function isBlank(line: Buffer): boolean {
  for (const byte of line) if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0d) return false;
  return true;
}

/** Writes all of `bytes` at `position` (a single write may take only part of them). */
export async function writeAll(handle: FileHandle, bytes: Buffer, position: number): Promise<void> {
  for (let done = 0; done < bytes.length; ) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, position + done);
    done += bytesWritten;
  }
}

/** The block of the corpus file's fingerprint chain (see {@link ChainHash}). */
export const BLOCK = 1024 * 1024;

/**
 * The fingerprint of a file's first bytes, made so that it can be checked and continued without
 * reading them all again: the file is cut into blocks of {@link BLOCK} bytes, each block's link
 * is the sha256 of the link before it and the block's bytes, and the fingerprint at an offset is
 * the sha256 of the last link before it and the bytes since. A reader that kept the links (the
 * catalog does) continues from the last one, reading at most a block; one that kept a fingerprint
 * only can be checked against the links and the bytes of its last block.
 */
export class ChainHash {
  /** The links of the complete blocks: 32 bytes each, block `i`'s at `32 * i`. */
  private links: Buffer[];
  private tail: Hash;
  /** Bytes of the block under way. */
  private tailBytes = 0;

  private constructor(links: Buffer[], tail: Hash) {
    this.links = links;
    this.tail = tail;
  }

  /** The chain of no bytes. */
  static empty(): ChainHash {
    return new ChainHash([], createHash('sha256'));
  }

  /**
   * The chain of a file's first `offset` bytes from the links a catalog kept (32 bytes each, in
   * order, at least `floor(offset / BLOCK)` of them): the last `rehash` complete blocks and the
   * incomplete one after them are read and hashed again, and their links must be the kept ones
   * (`rehash` Infinity: every block). Undefined when they are not, or the file is shorter.
   */
  static async resume(
    handle: FileHandle,
    links: Uint8Array,
    offset: number,
    rehash: number,
  ): Promise<ChainHash | undefined> {
    const blocks = Math.floor(offset / BLOCK);
    if (links.length < blocks * 32) return undefined;
    const kept = Array.from({ length: blocks }, (_, i) => Buffer.from(links.subarray(i * 32, (i + 1) * 32)));
    const trusted = Math.max(0, blocks - rehash);
    const chain = new ChainHash(kept.slice(0, trusted), startLink(kept[trusted - 1]));
    try {
      await chain.updateFrom(handle, trusted * BLOCK, offset);
    } catch {
      return undefined;
    }
    for (let i = trusted; i < blocks; i++) if (!chain.links[i]?.equals(kept[i] as Buffer)) return undefined;
    return chain;
  }

  /** The chain of a file's first `offset` bytes, every one of them read and hashed. */
  static async of(handle: FileHandle, offset: number): Promise<ChainHash> {
    const chain = ChainHash.empty();
    await chain.updateFrom(handle, 0, offset);
    return chain;
  }

  /** Bytes hashed. */
  get length(): number {
    return this.links.length * BLOCK + this.tailBytes;
  }

  /** The links of the complete blocks, one after the other (what the catalog keeps). */
  get blockLinks(): Uint8Array {
    const links = Buffer.concat(this.links);
    // A plain Uint8Array, as a section file keeps it.
    return new Uint8Array(links.buffer, links.byteOffset, links.length);
  }

  /** Adds bytes that follow. */
  update(bytes: Uint8Array): this {
    for (let at = 0; at < bytes.length; ) {
      const take = Math.min(BLOCK - this.tailBytes, bytes.length - at);
      this.tail.update(bytes.subarray(at, at + take));
      this.tailBytes += take;
      at += take;
      if (this.tailBytes === BLOCK) {
        const link = this.tail.digest();
        this.links.push(link);
        this.tail = startLink(link);
        this.tailBytes = 0;
      }
    }
    return this;
  }

  /** The fingerprint of the bytes hashed so far (hex). */
  digest(): string {
    return this.tail.copy().digest('hex');
  }

  /**
   * The fingerprint at an earlier offset (from its block's link and the bytes since, read now);
   * undefined beyond what was hashed.
   */
  async digestAt(handle: FileHandle, offset: number): Promise<string | undefined> {
    if (offset > this.length || offset < 0) return undefined;
    if (offset === this.length) return this.digest();
    const block = Math.floor(offset / BLOCK);
    const chain = new ChainHash(this.links.slice(0, block), startLink(this.links[block - 1]));
    await chain.updateFrom(handle, block * BLOCK, offset);
    return chain.digest();
  }

  /** A chain that goes on from here on its own. */
  copy(): ChainHash {
    const copy = new ChainHash([...this.links], this.tail.copy());
    copy.tailBytes = this.tailBytes;
    return copy;
  }

  private async updateFrom(handle: FileHandle, from: number, to: number): Promise<void> {
    const buffer = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(to - from, 1)));
    for (let at = from; at < to; ) {
      const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, to - at), at);
      if (bytesRead === 0) throw new Error('the file ended before the fingerprinted bytes');
      this.update(buffer.subarray(0, bytesRead));
      at += bytesRead;
    }
  }
}

/** The hash a block starts with: the link of the block before (none for the first). */
function startLink(previous: Buffer | undefined): Hash {
  const hash = createHash('sha256');
  if (previous) hash.update(previous);
  return hash;
}

/** One chunk of a file, cut after its last complete line. */
export interface LineChunk {
  /** The bytes: the previous chunk's incomplete line, then this chunk's. Valid until the next read. */
  data: Buffer;
  /** File offset of `data[0]`. */
  base: number;
  /** The complete lines, as [start, end) in `data`, without their newline. */
  lines: Array<[number, number]>;
  /** Bytes of `data` up to the end of its last complete line (newline included). */
  complete: number;
}

/**
 * Reads a range of a file a chunk at a time, line by line: one pass, a chunk's lines handed out
 * before the next is read. After the last chunk, `end` is where the complete lines end and `rest`
 * the bytes after them (a last line without a newline).
 */
export class LineReader {
  private readonly buffer = Buffer.allocUnsafe(CHUNK);
  private at: number;
  /** Where the complete lines read so far end. */
  end: number;
  /** The incomplete line after them. */
  rest: Buffer = Buffer.alloc(0);

  constructor(
    private readonly handle: FileHandle,
    from: number,
    private readonly to: number,
  ) {
    this.at = from;
    this.end = from;
  }

  async next(): Promise<LineChunk | undefined> {
    if (this.at >= this.to) return undefined;
    const { bytesRead } = await this.handle.read(this.buffer, 0, Math.min(CHUNK, this.to - this.at), this.at);
    if (bytesRead === 0) {
      this.at = this.to;
      return undefined;
    }
    this.at += bytesRead;
    const read = this.buffer.subarray(0, bytesRead);
    const data = this.rest.length > 0 ? Buffer.concat([this.rest, read]) : read;
    const lines: Array<[number, number]> = [];
    let start = 0;
    for (let newline = data.indexOf(10); newline !== -1; newline = data.indexOf(10, start)) {
      lines.push([start, newline]);
      start = newline + 1;
    }
    const chunk: LineChunk = { data, base: this.end, lines, complete: start };
    // Copied: `buffer` is read into again.
    this.rest = Buffer.from(data.subarray(start));
    this.end += start;
    return chunk;
  }
}
