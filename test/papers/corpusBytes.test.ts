import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { BLOCK, ChainHash } from '../../src/papers/corpusBytes.js';
import { closedAfter } from '../support/cleanup.js';
import { tempDir } from '../support/tmp.js';

/** A file of these bytes, open for reading (closed after the test). */
async function fileOf(bytes: Buffer) {
  const file = join(tempDir('paperbot-chain-'), 'papers.jsonl');
  writeFileSync(file, bytes);
  return closedAfter(await open(file, 'r'));
}

describe('the fingerprint chain', () => {
  const bytes = randomBytes(3 * BLOCK + 12_345);

  test('is the same however the bytes come: in pieces, read whole, resumed from the links, asked for at an offset', async () => {
    const handle = await fileOf(bytes);
    const pieces = ChainHash.empty();
    for (let at = 0; at < bytes.length; at += 700_001) pieces.update(bytes.subarray(at, at + 700_001));
    const whole = await ChainHash.of(handle, bytes.length);
    expect(whole.digest()).toBe(pieces.digest());
    expect(whole.blockLinks).toHaveLength(3 * 32);
    const resumed = await ChainHash.resume(handle, whole.blockLinks, bytes.length, 1);
    expect(resumed?.digest()).toBe(whole.digest());
    for (const offset of [0, 10, BLOCK, BLOCK + 1, 2 * BLOCK + 5])
      expect(await whole.digestAt(handle, offset)).toBe((await ChainHash.of(handle, offset)).digest());
    // Going on from a resumed chain is going on from the whole one.
    const more = randomBytes(BLOCK);
    expect(resumed?.update(more).digest()).toBe(whole.copy().update(more).digest());
  });

  test('a changed byte in the blocks read again is found; every block is read again when asked', async () => {
    const original = await ChainHash.of(await fileOf(bytes), bytes.length);
    const links = original.blockLinks;
    const changed = (at: number) => {
      const copy = Buffer.from(bytes);
      copy[at] = (copy[at] as number) ^ 1;
      return fileOf(copy);
    };
    // The last block and what follows it are read again: a change there is another fingerprint.
    const tail = await ChainHash.resume(await changed(bytes.length - 1), links, bytes.length, 1);
    expect(tail?.digest()).not.toBe(original.digest());
    expect(await ChainHash.resume(await changed(2 * BLOCK + 7), links, bytes.length, 1)).toBeUndefined();
    // An early block is trusted by its link unless every block is read.
    expect((await ChainHash.resume(await changed(5), links, bytes.length, 1))?.digest()).toBe(
      original.digest(),
    );
    expect(
      await ChainHash.resume(await changed(5), links, bytes.length, Number.POSITIVE_INFINITY),
    ).toBeUndefined();
  });
});
