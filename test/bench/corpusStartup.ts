import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Database } from '../../src/db/database.js';
import { silentLogger } from '../../src/logger.js';
import { FileCorpusStore } from '../../src/papers/corpusFile.js';
import type { CorpusStore } from '../../src/papers/corpusStore.js';
import type { Paper } from '../../src/papers/paper.js';
import { PostgresCorpusStore } from '../../src/papers/postgresStore.js';
import { snapshotFile } from '../../src/search/snapshot.js';
import { startPostgres } from '../support/embeddedPostgres.js';
import { loadRealCorpus } from './scale.js';
import { timeToConsole } from './startup.js';
import { quantile } from './stats.js';

const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));
const QUIET = { PAPERBOT_REFRESH_HF: 'off', PAPERBOT_REFRESH_ARXIV: 'off', LOG_LEVEL: 'warn' };

/** Stores `papers` in one append, in ms. */
async function storeAll(store: CorpusStore, papers: readonly Paper[]): Promise<number> {
  const started = performance.now();
  await store.append(papers, (await store.open()).position);
  return performance.now() - started;
}

/**
 * `npm run bench` section `corpus-start`: start-up of a replica (`node dist/main.js` to the
 * console's ready line, as the start-up section measures it) whose corpus is the ~85k real papers
 * in PostgreSQL (one embedded server, as the replicas section's), beside the same papers in the
 * data directory's file. "No snapshot": a new replica (empty data directory) reads the catalog and
 * every paper, builds the index and writes its snapshot; "snapshot": a restart, which restores the
 * snapshot and catches up from its position. `runs` of each, median and every run.
 */
export async function benchCorpusStartup(runs: number): Promise<Record<string, string | number>[]> {
  const papers = await loadRealCorpus();
  const server = await startPostgres();
  const admin = new pg.Client({ connectionString: server.adminUrl });
  await admin.connect();
  await admin.query('CREATE DATABASE paperbot_corpus_bench');
  await admin.end();
  const url = server.adminUrl.replace(/\/postgres$/, '/paperbot_corpus_bench');
  const db = await Database.open(url, { logger: silentLogger });
  const fileDir = mkdtempSync(join(tmpdir(), 'paperbot-bench-corpus-file-'));
  const rows: Record<string, string | number>[] = [];
  const dirs: string[] = [fileDir];
  try {
    const storedPg = await storeAll(new PostgresCorpusStore(db), papers);
    await db.query('VACUUM ANALYZE papers');
    const tableMb = Number(
      (await db.query<{ bytes: string }>("SELECT pg_total_relation_size('papers') AS bytes")).rows[0]?.bytes,
    );
    // Without the bundled papers (a data directory's first append copies them): the same papers as the database's.
    const noBundled = join(fileDir, 'no-bundled.jsonl');
    writeFileSync(noBundled, '');
    const fileStore = new FileCorpusStore(fileDir, silentLogger, { bundledFile: noBundled });
    const storedFile = await storeAll(fileStore, papers);
    await fileStore.checkpoint(); // its catalog, as a running bot writes it
    await fileStore.close();

    // In this process, the store alone: the catalog a replica opens with, and every paper (what
    // indexing from scratch reads).
    const reads: Record<string, { catalogMs: number; readAllMs: number }> = {};
    for (const [kind, store] of [
      ['PostgreSQL', new PostgresCorpusStore(db)],
      ['file', new FileCorpusStore(fileDir, silentLogger)],
    ] as const) {
      let started = performance.now();
      await store.open();
      const catalogMs = performance.now() - started;
      started = performance.now();
      let count = 0;
      for await (const batch of store.readAll()) count += batch.length;
      if (count !== papers.length) throw new Error(`${kind}: read ${count} papers of ${papers.length}`);
      reads[kind] = { catalogMs, readAllMs: performance.now() - started };
      await store.close();
    }

    const kinds: Array<[string, Record<string, string>, () => string]> = [
      [
        'PostgreSQL',
        { PAPERBOT_DATABASE_URL: url },
        () => mkdtempSync(join(tmpdir(), 'paperbot-bench-replica-')),
      ],
      // The file's data directory is the corpus: each new replica gets a copy without a snapshot.
      ['file', {}, () => fileDir],
    ];
    for (const [kind, env, newDir] of kinds) {
      const cold: Array<{ ms: number; peakRssMb: number }> = [];
      const warm: Array<{ ms: number; peakRssMb: number }> = [];
      for (let run = 0; run < runs; run++) {
        const dir = newDir();
        if (dir !== fileDir) dirs.push(dir);
        else rmSync(snapshotFile(dir), { force: true });
        cold.push(await timeToConsole(process.execPath, [MAIN], dir, { ...QUIET, ...env }));
        warm.push(await timeToConsole(process.execPath, [MAIN], dir, { ...QUIET, ...env }));
      }
      for (const [start, samples] of [
        ['no snapshot (new replica)', cold],
        ['snapshot (restart)', warm],
      ] as const) {
        rows.push({
          corpus: kind,
          papers: papers.length,
          start,
          'to console (s), median': (
            quantile(
              samples.map((s) => s.ms),
              0.5,
            ) / 1000
          ).toFixed(2),
          'runs (s)': samples.map((s) => (s.ms / 1000).toFixed(2)).join(', '),
          'peak RSS (MB), median': quantile(
            samples.map((s) => s.peakRssMb),
            0.5,
          ),
          'open: catalog (ms)': Math.round(reads[kind]?.catalogMs ?? Number.NaN),
          'read every paper (s)': ((reads[kind]?.readAllMs ?? Number.NaN) / 1000).toFixed(2),
          'storing them (s)': ((kind === 'file' ? storedFile : storedPg) / 1000).toFixed(1),
          ...(kind === 'file' ? {} : { 'papers table (MB)': Math.round(tableMb / 1e6) }),
        });
      }
    }
  } finally {
    await db.close();
    await server.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
