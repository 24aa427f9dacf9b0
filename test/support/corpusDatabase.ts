import { copyFileSync, existsSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Database } from '../../src/db/database.js';
import { Library } from '../../src/library.js';
import { silentLogger } from '../../src/logger.js';
import { admin, createTestDatabase, type TestDatabase } from './postgres.js';
import { tempDir } from './tmp.js';

/** The run's database holding the bundled corpus, copied for each test that starts from it. */
const TEMPLATE = 'paperbot_fixture_corpus';
/** Its index snapshot, in the run's temp folder (kept until the run ends, see globalTeardown.js). */
const SNAPSHOT_DIR = join(tmpdir(), 'paperbot-fixture-corpus-index');
/** Any 64-bit number the run's suites agree on: the lock that makes the template once. */
const TEMPLATE_LOCK = 7_220_431_113;

/**
 * A database holding what a first start on a new database stores (the bundled corpus), and a
 * data folder whose index snapshot is at its position: a replica opened on the two loads its
 * index from the snapshot instead of indexing every paper again. For tests about something
 * other than the first start. Both are copies (the database by CREATE DATABASE … TEMPLATE) of
 * what one Library made once per run; the data folder is removed like {@link tempDir}'s.
 */
export async function corpusDatabase(): Promise<{ database: TestDatabase; indexedDir: () => string }> {
  const database = await underTemplateLock(async () => {
    await makeTemplateUnlessMade();
    return createTestDatabase(TEMPLATE);
  });
  const indexedDir = (): string => {
    const dir = tempDir('paperbot-replica-');
    for (const file of readdirSync(SNAPSHOT_DIR)) copyFileSync(join(SNAPSHOT_DIR, file), join(dir, file));
    return dir;
  };
  return { database, indexedDir };
}

/**
 * Makes the run's corpus database and its index snapshot unless they are made: seconds on a
 * loaded machine, which a suite may spend in a hook with a longer timeout than its tests'.
 */
export function corpusTemplate(): Promise<void> {
  return underTemplateLock(makeTemplateUnlessMade);
}

/** The work of {@link corpusTemplate}, for a caller that holds the lock. */
async function makeTemplateUnlessMade(): Promise<void> {
  const made = await admin((client) =>
    client.query('SELECT 1 FROM pg_database WHERE datname = $1', [TEMPLATE]),
  );
  if (made.rowCount === 0 || !existsSync(SNAPSHOT_DIR)) await makeTemplate();
}

/** Runs `work` under an advisory lock on the run's server: the suites of both workers may ask at once. */
async function underTemplateLock<T>(work: () => Promise<T>): Promise<T> {
  return admin(async (client) => {
    await client.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK]);
    try {
      return await work();
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK]);
    }
  });
}

/** Stores the bundled corpus in a new database and writes its index snapshot, as a first start does. */
async function makeTemplate(): Promise<void> {
  const building = await createTestDatabase();
  const dir = mkdtempSync(join(tmpdir(), 'paperbot-indexing-'));
  try {
    const db = await Database.open(building.url, { logger: silentLogger });
    try {
      const library = await Library.open(dir, silentLogger, { database: db });
      await library.close();
    } finally {
      await db.close();
    }
    await admin((client) => client.query(`DROP DATABASE IF EXISTS ${TEMPLATE}`));
    await admin((client) =>
      client.query(`ALTER DATABASE ${new URL(building.url).pathname.slice(1)} RENAME TO ${TEMPLATE}`),
    );
    rmSync(SNAPSHOT_DIR, { recursive: true, force: true });
    renameSync(dir, SNAPSHOT_DIR);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await building.drop();
  }
}
