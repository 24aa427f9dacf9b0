import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from '@jest/globals';
import { silentLogger } from '../../src/logger.js';
import { FileCorpusStore } from '../../src/papers/corpusFile.js';
import { CorpusMoved, type CorpusStore, MemoryCorpusStore } from '../../src/papers/corpusStore.js';
import type { Paper } from '../../src/papers/paper.js';
import { makePaper } from '../support/papers.js';

// The contract every corpus store keeps (the file store and the in-memory twin; a PostgreSQL store
// would run the same tests).
const a = makePaper({ title: 'Graph Networks', arrivedAt: '2026-11-01T00:00:00.000Z' });
const b = makePaper({
  title: 'Protein Folding',
  arxivId: '2401.00002',
  arrivedAt: '2026-11-02T00:00:00.000Z',
});

const opened: CorpusStore[] = [];
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
});

/** A file store on a fresh data directory whose bundled corpus is empty; `again` opens another on it. */
function fileStores(): { again: () => FileCorpusStore } {
  const dir = mkdtempSync(join(tmpdir(), 'paperbot-store-'));
  const bundled = join(dir, 'bundled.jsonl');
  writeFileSync(bundled, '');
  return {
    again: () => {
      const store = new FileCorpusStore(dir, silentLogger, { bundledFile: bundled });
      opened.push(store);
      return store;
    },
  };
}

const kinds: Array<[string, () => { store: CorpusStore }]> = [
  ['memory', () => ({ store: new MemoryCorpusStore() })],
  ['file', () => ({ store: fileStores().again() })],
];

describe.each(kinds)('%s corpus store', (_kind, make) => {
  test('stores papers, reads them by id, and lists them in the catalog', async () => {
    const { store } = make();
    const { catalog, position } = await store.open();
    expect(catalog.ids).toEqual([]);
    await store.append([a, b], position);
    expect(await store.read([b.id, 'nope', a.id])).toEqual([b, undefined, a]);
    const reopened = await store.open();
    expect(reopened.catalog.ids).toEqual([a.id, b.id]);
    expect(reopened.catalog.arxivIds).toEqual(['', '2401.00002']);
    expect(reopened.catalog.titles).toEqual(['graph networks', 'protein folding']);
    expect([...reopened.catalog.arrivals]).toEqual([Date.parse(a.arrivedAt), Date.parse(b.arrivedAt)]);
    const all: Paper[] = [];
    for await (const batch of store.readAll()) all.push(...batch);
    expect(all).toEqual([a, b]);
  });

  test('a paper stored again replaces the earlier one', async () => {
    const { store } = make();
    let { position } = await store.open();
    position = await store.append([a, b], position);
    const revised = { ...a, abstract: 'Revised.' };
    await store.append([revised], position);
    expect(await store.read([a.id])).toEqual([revised]);
    const all: Paper[] = [];
    for await (const batch of store.readAll()) all.push(...batch);
    expect(all.sort((x, y) => x.id.localeCompare(y.id))).toEqual([revised, b]);
  });

  test('changesSince gives each paper stored after a position, as last stored', async () => {
    const { store } = make();
    const start = (await store.open()).position;
    const afterA = await store.append([a], start);
    const revised = { ...a, abstract: 'Revised.' };
    const now = await store.append([b, revised], afterA);
    const since = await store.changesSince(afterA);
    expect(since?.papers.sort((x, y) => x.id.localeCompare(y.id))).toEqual([revised, b]);
    expect(since?.position).toEqual(now);
    expect((await store.changesSince(now))?.papers).toEqual([]);
    expect((await store.changesSince(start))?.papers).toHaveLength(2);
  });

  test('an append from a stale position is refused: another writer stored papers meanwhile', async () => {
    const { store } = make();
    const start = (await store.open()).position;
    await store.append([a], start);
    await expect(store.append([b], start)).rejects.toBeInstanceOf(CorpusMoved);
  });

  test('an unknown position is not caught up from', async () => {
    const { store } = make();
    await store.open();
    expect(await store.changesSince({ offset: 5, fingerprint: 'elsewhere', generation: 9, changes: 1 })).toBe(
      undefined,
    );
  });
});

describe('two file stores on one data directory (the bot and paperbot ingest)', () => {
  test('each sees what the other stored, and neither overwrites it', async () => {
    const { again } = fileStores();
    const bot = again();
    const cli = again();
    const botAt = (await bot.open()).position;
    const cliAt = (await cli.open()).position;
    await cli.append([b], cliAt);
    await expect(bot.append([a], botAt)).rejects.toBeInstanceOf(CorpusMoved);
    const caughtUp = await bot.changesSince(botAt);
    expect(caughtUp?.papers).toEqual([b]);
    await bot.append([a], caughtUp?.position ?? botAt);
    expect((await again().open()).catalog.ids).toEqual([b.id, a.id]);
  });
});
