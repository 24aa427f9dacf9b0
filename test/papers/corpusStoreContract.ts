import { describe, expect, test } from '@jest/globals';
import { CorpusMoved, type CorpusStore } from '../../src/papers/corpusStore.js';
import type { Paper } from '../../src/papers/paper.js';
import { makePaper } from '../support/papers.js';

const a = makePaper({ title: 'Graph Networks', arrivedAt: '2026-11-01T00:00:00.000Z' });
const b = makePaper({
  title: 'Protein Folding',
  arxivId: '2401.00002',
  arrivedAt: '2026-11-02T00:00:00.000Z',
});

/** An empty store of one kind; `again`, for a kind whose storage outlives a store, another store on it. */
export type MakeCorpusStore = () =>
  | Promise<{ store: CorpusStore; again?: () => CorpusStore }>
  | { store: CorpusStore; again?: () => CorpusStore };

/**
 * The contract every corpus store keeps (the in-memory twin, the file store, PostgreSQL). The
 * last test runs for kinds whose `make` gives `again`.
 */
export function corpusStoreContract(
  kind: string,
  make: MakeCorpusStore,
  options: { shared?: boolean } = {},
): void {
  describe(`${kind} corpus store`, () => {
    test('stores papers, reads them by id, and lists them in the catalog', async () => {
      const { store } = await make();
      const { catalog, position } = await store.open();
      expect(catalog.ids.toArray()).toEqual([]);
      await store.append([a, b], position);
      expect(await store.read([b.id, 'nope', a.id])).toEqual([b, undefined, a]);
      const reopened = await store.open();
      expect(reopened.catalog.ids.toArray()).toEqual([a.id, b.id]);
      expect(reopened.catalog.arxivIds.toArray()).toEqual(['', '2401.00002']);
      expect(reopened.catalog.titles.toArray()).toEqual(['graph networks', 'protein folding']);
      expect([...reopened.catalog.arrivals]).toEqual([Date.parse(a.arrivedAt), Date.parse(b.arrivedAt)]);
      const all: Paper[] = [];
      for await (const batch of store.readAll()) all.push(...batch);
      expect(all).toEqual([a, b]);
    });

    test('a paper stored again replaces the earlier one', async () => {
      const { store } = await make();
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
      const { store } = await make();
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
      const { store } = await make();
      const start = (await store.open()).position;
      await store.append([a], start);
      await expect(store.append([b], start)).rejects.toBeInstanceOf(CorpusMoved);
    });

    test('an unknown position is not caught up from', async () => {
      const { store } = await make();
      await store.open();
      expect(
        await store.changesSince({ offset: 5, fingerprint: 'elsewhere', generation: 9, changes: 1 }),
      ).toBe(undefined);
    });

    test('remove deletes papers; positions before it are not caught up from, nor appended at', async () => {
      const { store } = await make();
      const start = (await store.open()).position;
      const stored = await store.append([a, b], start);
      await expect(store.remove([a.id], start)).rejects.toBeInstanceOf(CorpusMoved);
      const after = await store.remove([a.id, 'not-stored'], stored);
      expect(await store.read([a.id, b.id])).toEqual([undefined, b]);
      const all: Paper[] = [];
      for await (const batch of store.readAll()) all.push(...batch);
      expect(all).toEqual([b]);
      const reopened = await store.open();
      expect(reopened.catalog.ids.toArray()).toEqual([b.id]);
      expect(reopened.position).toEqual(after);
      // A reader from before the removal cannot learn it from a list of changes: it reads the corpus again.
      expect(await store.changesSince(stored)).toBe(undefined);
      await expect(store.append([a], stored)).rejects.toBeInstanceOf(CorpusMoved);
      expect((await store.changesSince(after))?.papers).toEqual([]);
      // Removing what is not there changes nothing.
      expect(await store.remove(['not-stored'], after)).toEqual(after);
      await store.append([a], after);
      expect((await store.open()).catalog.ids.toArray().sort()).toEqual([a.id, b.id].sort());
    });

    if (!options.shared) return;
    test('two stores on the same storage (the bot and paperbot ingest) see what the other stored', async () => {
      const made = await make();
      const again = made.again;
      if (!again) throw new Error(`the ${kind} store's make gives no again()`);
      const bot = made.store;
      const cli = again();
      const botAt = (await bot.open()).position;
      const cliAt = (await cli.open()).position;
      await cli.append([b], cliAt);
      await expect(bot.append([a], botAt)).rejects.toBeInstanceOf(CorpusMoved);
      const caughtUp = await bot.changesSince(botAt);
      expect(caughtUp?.papers).toEqual([b]);
      await bot.append([a], caughtUp?.position ?? botAt);
      expect((await again().open()).catalog.ids.toArray()).toEqual([b.id, a.id]);
    });

    test('a removal by one store (paperbot remove) sends the other (the bot) to read the corpus again', async () => {
      const made = await make();
      const again = made.again;
      if (!again) throw new Error(`the ${kind} store's make gives no again()`);
      const bot = made.store;
      const cli = again();
      const botAt = await bot.append([a, b], (await bot.open()).position);
      const { position: cliAt } = await cli.open();
      await cli.remove([b.id], cliAt);
      expect(await bot.changesSince(botAt)).toBe(undefined);
      const reread = await bot.open();
      expect(reread.catalog.ids.toArray()).toEqual([a.id]);
      expect(await bot.read([b.id])).toEqual([undefined]);
    });
  });
}
