import { open, rm } from 'node:fs/promises';
import { CHUNK, ChainHash, NEWLINE, writeAll } from './corpusBytes.js';

/** A corpus file written with one line per paper, and where each paper's line is in it. */
export interface CompactedFile {
  /** Per slot: the offset of its line. */
  offsets: Float64Array<ArrayBuffer>;
  /** Per slot: its line's length, without the newline. */
  lengths: Uint32Array<ArrayBuffer>;
  /** The file's length. */
  end: number;
  /** The fingerprint chain of the whole file, to go on with later appends. */
  chain: ChainHash;
}

/**
 * Writes `file` (synced) with one line per slot, `lineOf(slot)` for each slot in `order` (a subset
 * of the `slots` slots numbered from 0), adjacent lines written together a chunk at a time. A
 * failure removes the half-written file.
 */
export async function writeCompacted(
  file: string,
  slots: number,
  order: readonly number[],
  lineOf: (slot: number) => Promise<Buffer>,
): Promise<CompactedFile> {
  const out = await open(file, 'w');
  const chain = ChainHash.empty();
  const offsets = new Float64Array(slots);
  const lengths = new Uint32Array(slots);
  let written = 0;
  try {
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const flush = async () => {
      const bytes = Buffer.concat(pending);
      chain.update(bytes);
      await writeAll(out, bytes, written);
      written += bytes.length;
      pending = [];
      pendingBytes = 0;
    };
    for (const slot of order) {
      const line = await lineOf(slot);
      offsets[slot] = written + pendingBytes;
      lengths[slot] = line.length;
      pending.push(line, NEWLINE);
      pendingBytes += line.length + 1;
      if (pendingBytes >= CHUNK) await flush();
    }
    await flush();
    await out.sync();
  } catch (error) {
    await out.close();
    await rm(file, { force: true });
    throw error;
  }
  await out.close();
  return { offsets, lengths, end: written, chain };
}
