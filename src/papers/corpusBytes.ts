import { createHash, type Hash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';

/*
 * The corpus file's bytes: read line by line a chunk at a time, written whole, and fingerprinted
 * (a position in the file is an offset and the sha256 of the bytes before it).
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

/** The sha256 of a file's first `offset` bytes (read now), to go on hashing what follows. */
export async function hashOfFirst(handle: FileHandle, offset: number): Promise<Hash> {
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(offset, 1)));
  for (let at = 0; at < offset; ) {
    const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, offset - at), at);
    if (bytesRead === 0) break;
    hash.update(buffer.subarray(0, bytesRead));
    at += bytesRead;
  }
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
