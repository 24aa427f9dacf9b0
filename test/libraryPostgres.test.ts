import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import type { Database } from '../src/db/database.js';
import { Library } from '../src/library.js';
import { silentLogger } from '../src/logger.js';
import { parseQuery } from '../src/search/query.js';
import { closedAfter } from './support/cleanup.js';
import { corpusDatabase, corpusTemplate } from './support/corpusDatabase.js';
import { BUNDLED_SIZE, makePaper } from './support/papers.js';
import { createTestDatabase, type TestDatabase } from './support/postgres.js';
import { tempDir } from './support/tmp.js';

// The corpus in PostgreSQL as replicas see it: several Libraries (each a replica's, with its own
// database pool and data directory) on one database, and `paperbot ingest` writing into it.
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BUNDLED = BUNDLED_SIZE;

let database: TestDatabase;
/** A data folder whose index snapshot is at the database's position, when the test has one. */
let indexedDir: (() => string) | undefined;
const handles: Database[] = [];
const libraries: Library[] = [];
// The first suite to ask stores and indexes the corpus the tests copy (seconds on a loaded machine).
beforeAll(corpusTemplate, 60_000);
afterEach(async () => {
  for (const library of libraries.splice(0)) await library.close();
  for (const db of handles.splice(0)) await db.close();
  await database.drop();
  indexedDir = undefined;
});

/** Each test on a database of its own: a new one, empty. */
async function newDatabase(): Promise<void> {
  database = await createTestDatabase();
}

/**
 * Each test on a database of its own: one holding the bundled corpus, as a first start left it.
 * Returns how to make a data folder whose index snapshot is at its position.
 */
async function storedCorpus(): Promise<() => string> {
  const stored = await corpusDatabase();
  database = stored.database;
  indexedDir = stored.indexedDir;
  return stored.indexedDir;
}

/**
 * A replica's library: a database pool of its own and a data directory of its own (its index
 * snapshot, at the database's position when the test started from a stored corpus).
 */
async function replica(dataDir = indexedDir?.() ?? tempDir('paperbot-replica-')): Promise<Library> {
  const db = await database.open({ poolSize: 3 });
  handles.push(db);
  const library = closedAfter(await Library.open(dataDir, silentLogger, { database: db }));
  libraries.push(library);
  return library;
}

const titles = async (library: Library, text: string) =>
  (await library.search(parseQuery(text).query)).hits.map((hit) => hit.paper.title);

/** Resolves once `condition()` holds (checked every 20 ms), or rejects after `ms`. */
async function eventually(condition: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const sequence = async () => {
  const db = await database.open();
  try {
    return Number((await db.query<{ sequence: string }>('SELECT sequence FROM corpus')).rows[0]?.sequence);
  } finally {
    await db.close();
  }
};

describe('the corpus in PostgreSQL, shared by replicas', () => {
  test('a new database starts with the bundled papers, stored once though two replicas open it together', async () => {
    await newDatabase();
    const [a, b] = await Promise.all([replica(), replica()]);
    expect(a?.size).toBe(BUNDLED);
    expect(b?.size).toBe(BUNDLED);
    expect(await sequence()).toBe(BUNDLED);
    expect(await titles(b as Library, 'reward model ensembles')).toEqual(
      await titles(a as Library, 'reward model ensembles'),
    );
  });

  test("papers one replica ingests reach the other's index at its next catch-up, and so do revisions", async () => {
    await storedCorpus();
    const a = await replica();
    const b = await replica();
    b.start(50);
    const paper = makePaper({ title: 'Quasicrystal Lattice Transformers', abstract: 'Aperiodic tilings.' });
    expect(await a.ingest({ papers: [paper], skipped: [] })).toMatchObject({
      new: 1,
      corpusSize: BUNDLED + 1,
    });
    expect(await titles(a, 'quasicrystal')).toEqual([paper.title]);
    await eventually(async () => (await titles(b, 'quasicrystal')).length > 0, 5000, 'B finds the new paper');
    expect(b.size).toBe(BUNDLED + 1);

    await a.ingest({
      papers: [{ ...paper, abstract: 'Aperiodic tilings and penrose attention.' }],
      skipped: [],
    });
    await eventually(async () => (await titles(b, 'penrose')).length > 0, 5000, 'B finds the revision');
    expect((await b.get(paper.id))?.abstract).toBe('Aperiodic tilings and penrose attention.');
  });

  test("ingests racing on two replicas: each catches up and merges again, neither loses the other's papers", async () => {
    await storedCorpus();
    const a = await replica();
    const b = await replica();
    const fromA = Array.from({ length: 5 }, (_, i) => makePaper({ title: `Alpha study ${i}` }));
    const fromB = Array.from({ length: 5 }, (_, i) => makePaper({ title: `Beta study ${i}` }));
    // Both at the same moment, as replicas refreshing on the same cron do: one append finds the other's.
    for (let i = 0; i < 5; i++)
      await Promise.all([
        a.ingest({ papers: [fromA[i] as (typeof fromA)[0]], skipped: [] }),
        b.ingest({ papers: [fromB[i] as (typeof fromB)[0]], skipped: [] }),
      ]);
    await a.catchUp();
    await b.catchUp();
    expect(a.size).toBe(BUNDLED + 10);
    expect(b.size).toBe(BUNDLED + 10);
    expect(await sequence()).toBe(BUNDLED + 10);
    expect(await titles(a, '"Beta study 3"')).toContain('Beta study 3');
    expect(await titles(b, '"Alpha study 3"')).toContain('Alpha study 3');
  });

  test('a replica restarted on its data directory restores its index snapshot and catches up from it', async () => {
    await storedCorpus();
    const dir = tempDir('paperbot-replica-');
    const first = await replica(dir); // no snapshot yet: indexed from the rows, snapshot written
    expect(first.origin).toBe('built');
    const other = await replica();
    await other.ingest({ papers: [makePaper({ title: 'Holographic Tensor Sketches' })], skipped: [] });
    const again = await replica(dir);
    expect(again.origin).toBe('snapshot');
    expect(await titles(again, 'holographic')).toEqual(['Holographic Tensor Sketches']);
  });

  test('paperbot ingest writes into the database, and a running replica takes the papers in', async () => {
    const indexed = await storedCorpus();
    const running = await replica();
    running.start(50);
    const dir = indexed();
    const file = join(dir, 'papers.jsonl');
    const paper = makePaper({ title: 'Spectral Gardening of Neural Fields', source: 'paperbot' });
    writeFileSync(file, `${JSON.stringify(paper)}\n`);
    const { code, stdout, stderr } = await new Promise<{
      code: number | null;
      stdout: string;
      stderr: string;
    }>((resolve, reject) => {
      const child = spawn(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'ingest', 'file', file], {
        env: { PATH: process.env.PATH ?? '', PAPERBOT_DATA_DIR: dir, PAPERBOT_DATABASE_URL: database.url },
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk));
      child.stderr.on('data', (chunk: Buffer) => (err += chunk));
      child.on('error', reject);
      child.on('close', (exit) => resolve({ code: exit, stdout: out, stderr: err }));
    });
    expect({ code, stderr: stderr.replace(/read in \d+ ms/, 'read in N ms') }).toEqual({
      code: 0,
      stderr: `${file}: 1 papers (paperbot) read in N ms\nmerging 1/1: papers (1 new)\n`,
    });
    expect(stdout).toMatch(new RegExp(`^1 new, 0 updated, 0 unchanged; ${BUNDLED + 1} papers in the corpus`));
    await eventually(
      async () => (await titles(running, 'spectral gardening')).length > 0,
      5000,
      'the running replica finds the paper the CLI stored',
    );
  });

  test("a paper one replica removes leaves the other's index at its next catch-up, and stays gone after a restart", async () => {
    await storedCorpus();
    const [a, b] = [await replica(), await replica()];
    await a.ingest({
      papers: [makePaper({ id: 'junk-row', title: 'Zebrafish liveness probe' })],
      skipped: [],
    });
    await b.catchUp();
    expect(await titles(b, 'zebrafish')).toEqual(['Zebrafish liveness probe']);
    const outcome = await a.remove(['junk-row']);
    expect(outcome.removed.map((paper) => paper.id)).toEqual(['junk-row']);
    expect(await titles(a, 'zebrafish')).toEqual([]);
    await b.catchUp();
    expect(await titles(b, 'zebrafish')).toEqual([]);
    expect(b.size).toBe(BUNDLED);
    expect(await (await replica(tempDir('paperbot-replica-'))).get('junk-row')).toBeUndefined();
  });
});
