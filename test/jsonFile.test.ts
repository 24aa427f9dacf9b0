import { describe, expect, test } from '@jest/globals';
import { JsonDocument } from '../src/jsonFile.js';

/** A document over a persistence that records each stored version and can be told to fail. */
function recordedDocument() {
  const stored: number[][] = [[]];
  const persistence = {
    failing: false,
    /** Resolves the write under way (writes wait for it, as a disk does). */
    release: [] as Array<() => void>,
    async persist(data: number[]) {
      await new Promise<void>((resolve) => persistence.release.push(resolve));
      if (persistence.failing) throw new Error('disk full');
      stored.push([...data]);
    },
    async reload() {
      return [...(stored.at(-1) as number[])];
    },
  };
  const document = new JsonDocument<number[]>([], persistence);
  /** Lets every write under way, and those they queue, finish. */
  const drain = async () => {
    for (let i = 0; i < 20; i++) {
      for (const release of persistence.release.splice(0)) release();
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  return { document, stored, persistence, drain };
}

describe('a JSON document', () => {
  test('changes made while a write is under way are applied in order and stored by one write', async () => {
    const { document, stored, persistence, drain } = recordedDocument();
    const first = document.change((data) => data.push(1));
    await new Promise((resolve) => setImmediate(resolve));
    expect(persistence.release).toHaveLength(1); // the first write is under way
    const burst = [2, 3, 4, 5].map((n) => document.change((data) => data.push(n)));
    const all = Promise.all([first, ...burst]);
    await drain();
    // push returns the new length: each change saw the ones before it.
    expect(await all).toEqual([1, 2, 3, 4, 5]);
    expect(stored).toEqual([[], [1], [1, 2, 3, 4, 5]]);
    expect(document.data).toEqual([1, 2, 3, 4, 5]);
  });

  test('a change resolves only once a write holding it is stored', async () => {
    const { document, stored, persistence } = recordedDocument();
    let resolved = false;
    const change = document
      .change((data) => data.push(7))
      .then(() => {
        resolved = true;
      });
    await new Promise((resolve) => setImmediate(resolve));
    expect(resolved).toBe(false);
    expect(stored).toEqual([[]]);
    for (const release of persistence.release.splice(0)) release();
    await change;
    expect(stored).toEqual([[], [7]]);
  });

  test('a failed write rejects every change it held and restores the data; the next write works', async () => {
    const { document, stored, persistence, drain } = recordedDocument();
    await Promise.all([document.change((data) => data.push(1)), drain()]);
    persistence.failing = true;
    const failed = Promise.allSettled([
      document.change((data) => data.push(2)),
      document.change((data) => data.push(3)),
    ]);
    await drain();
    expect((await failed).map((result) => result.status)).toEqual(['rejected', 'rejected']);
    expect(document.data).toEqual([1]);
    persistence.failing = false;
    await Promise.all([document.change((data) => data.push(4)), drain()]);
    expect(stored.at(-1)).toEqual([1, 4]);
  });

  test('a change that throws is refused alone: the others of its write are stored', async () => {
    const { document, stored, drain } = recordedDocument();
    const changes = Promise.allSettled([
      document.change((data) => data.push(1)),
      document.change(() => {
        throw new Error('not valid');
      }),
      document.change((data) => data.push(2)),
    ]);
    await drain();
    expect((await changes).map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(stored.at(-1)).toEqual([1, 2]);
  });
});
