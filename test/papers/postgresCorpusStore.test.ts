import { describe, expect, test } from '@jest/globals';
import type { Database } from '../../src/db/database.js';
import { CorpusMoved, type CorpusPosition } from '../../src/papers/corpusStore.js';
import { PostgresCorpusStore } from '../../src/papers/postgresStore.js';
import { makePaper } from '../support/papers.js';
import { suiteDatabase } from '../support/postgres.js';
import { corpusStoreContract } from './corpusStoreContract.js';

let db: Database;
suiteDatabase((opened) => {
  db = opened;
});

/** An empty corpus: no papers, no changes, and a new corpus id (positions from before are another corpus's). */
async function emptyCorpus(): Promise<void> {
  await db.query('TRUNCATE papers');
  await db.query('UPDATE corpus SET sequence = 0, corpus_id = gen_random_uuid()');
}

corpusStoreContract(
  'PostgreSQL',
  async () => {
    await emptyCorpus();
    return { store: new PostgresCorpusStore(db), again: () => new PostgresCorpusStore(db) };
  },
  { shared: true },
);

const papers = (count: number, from = 0) =>
  Array.from({ length: count }, (_, i) =>
    makePaper({
      title: `Paper number ${from + i}`,
      arrivedAt: new Date(Date.UTC(2026, 10, 1) + i).toISOString(),
    }),
  );

describe('PostgreSQL corpus store', () => {
  test('writers racing from one position: exactly one stores, the others are told the corpus moved', async () => {
    await emptyCorpus();
    const stores = Array.from({ length: 4 }, () => new PostgresCorpusStore(db));
    // Connections ready for every writer, so that their transactions overlap.
    await Promise.all(stores.map(() => db.query('SELECT pg_sleep(0.02)')));
    const start = (await stores[0]?.open())?.position as CorpusPosition;
    const results = await Promise.allSettled(
      stores.map((store, i) => store.append(papers(3, i * 10), start)),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const result of results.filter((r) => r.status === 'rejected'))
      expect((result as PromiseRejectedResult).reason).toBeInstanceOf(CorpusMoved);
    expect((await stores[1]?.open())?.catalog.ids.toArray()).toHaveLength(3);
  });

  test('a reader polling while writers store never misses a change and never sees one twice', async () => {
    await emptyCorpus();
    const writer = new PostgresCorpusStore(db);
    const reader = new PostgresCorpusStore(db);
    let position = (await reader.open()).position;
    const seen: string[] = [];
    let writing = true;
    const polling = (async () => {
      while (writing) {
        const changes = await reader.changesSince(position);
        if (!changes) throw new Error('lost track of the corpus');
        seen.push(...changes.papers.map((paper) => paper.id));
        position = changes.position;
      }
    })();
    let at = (await writer.open()).position;
    for (let round = 0; round < 20; round++) at = await writer.append(papers(7, round * 7), at);
    writing = false;
    await polling;
    const rest = await reader.changesSince(position);
    seen.push(...(rest?.papers.map((paper) => paper.id) ?? []));
    expect(seen).toEqual(papers(140).map((paper) => paper.id));
    expect(rest?.position).toEqual(at);
  });

  test('a big append is stored in one transaction, in batches, and read back in pages by first arrival', async () => {
    await emptyCorpus();
    const store = new PostgresCorpusStore(db);
    const many = papers(4500);
    const after = await store.append(many, (await store.open()).position);
    expect(after).toMatchObject({ sequence: 4500 });
    // Re-storing the first keeps its place in the catalog (its first store's), as the file store does.
    await store.append([{ ...(many[0] as (typeof many)[0]), abstract: 'Revised.' }], after);
    const batches: number[] = [];
    const ids: string[] = [];
    for await (const batch of store.readAll()) {
      batches.push(batch.length);
      ids.push(...batch.map((paper) => paper.id));
    }
    expect(batches).toEqual([2000, 2000, 500]);
    expect(ids).toEqual(many.map((paper) => paper.id));
    const { catalog } = await store.open();
    expect(catalog.ids.toArray()).toEqual(ids);
    expect(catalog.arrivals[4499]).toBe(Date.parse((many[4499] as (typeof many)[0]).arrivedAt));
  });

  test('a position from another database, or past the corpus (restored from a backup), reads it all again', async () => {
    await emptyCorpus();
    const store = new PostgresCorpusStore(db);
    const { position } = await store.open();
    const now = await store.append(papers(2), position);
    expect(await store.changesSince({ ...now, corpus: '00000000-0000-0000-0000-000000000000' })).toBe(
      undefined,
    );
    expect(await store.changesSince({ ...now, sequence: 3 })).toBe(undefined);
    await expect(store.append(papers(1, 5), { ...now, corpus: 'elsewhere' })).rejects.toBeInstanceOf(
      CorpusMoved,
    );
  });
});
