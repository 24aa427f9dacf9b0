import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll } from '@jest/globals';
import pg from 'pg';
import { Database } from '../../src/db/database.js';
import { silentLogger } from '../../src/logger.js';

/** Set by globalSetup.js to the run's server. */
const ADMIN_URL_VARIABLE = 'PAPERBOT_TEST_POSTGRES_URL';
/** Set by globalSetup.js: a file that appears once the server is up, empty, or holding why it did not start. */
const READY_VARIABLE = 'PAPERBOT_TEST_POSTGRES_READY';

let serverReady: Promise<void> | undefined;

/** Resolves once the run's server accepts connections: globalSetup.js starts it while the first suites load. */
function untilServerReady(): Promise<void> {
  serverReady ??= (async () => {
    const ready = process.env[READY_VARIABLE];
    if (!ready) return;
    for (const deadline = Date.now() + 120_000; !existsSync(ready); ) {
      if (Date.now() > deadline)
        throw new Error('The PostgreSQL server of the test run did not start in 120 s.');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const failure = readFileSync(ready, 'utf8');
    if (failure) throw new Error(`The PostgreSQL server of the test run did not start: ${failure}`);
  })();
  return serverReady;
}

let sequence = 0;
/** This suite's part of its database names (each suite has its own copy of this module). */
const SUITE = randomBytes(4).toString('hex');

/** A database of its own on the run's PostgreSQL server: its URL, and how to drop it. */
export interface TestDatabase {
  url: string;
  /** Opens (and migrates) it as paperbot does. */
  open(options?: { poolSize?: number }): Promise<Database>;
  drop(): Promise<void>;
}

/** Runs `work` on a connection to the run's server, as its administrator. */
export async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const url = process.env[ADMIN_URL_VARIABLE];
  if (!url)
    throw new Error(
      `${ADMIN_URL_VARIABLE} is not set: run the tests with jest (globalSetup starts the server).`,
    );
  await untilServerReady();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Creates an empty database for one suite (or one test) on the run's server, or a copy of
 * `template` (a database no session is connected to).
 */
export async function createTestDatabase(template?: string): Promise<TestDatabase> {
  // Unique per suite too: a suite that failed before dropping its databases leaves them to the run.
  const name = `paperbot_test_${process.pid}_${SUITE}_${++sequence}`;
  await admin((client) => client.query(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`));
  const url = new URL(process.env[ADMIN_URL_VARIABLE] as string);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    open: (options = {}) => Database.open(url.toString(), { logger: silentLogger, ...options }),
    // FORCE: sessions a test left open (a killed bot's) must not keep the database alive.
    drop: () =>
      admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

/**
 * A database of its own for the calling suite: created and opened (migrated) before its tests,
 * handed to `use`, closed and dropped after them.
 */
export function suiteDatabase(use: (db: Database) => void): void {
  let database: TestDatabase | undefined;
  let db: Database | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
    db = await database.open();
    use(db);
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });
}
