import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { Database } from '../../src/db/database.js';
import { checksum, type Migration, migrate } from '../../src/db/migrate.js';
import { MIGRATIONS } from '../../src/db/migrations/index.js';
import { PaperbotError } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';

const databases: TestDatabase[] = [];
async function fresh(): Promise<TestDatabase> {
  const database = await createTestDatabase();
  databases.push(database);
  return database;
}
afterAll(async () => {
  for (const database of databases) await database.drop();
});

/** A database handle that has not migrated anything (an empty list). */
const unmigrated = (url: string) => Database.open(url, { logger: silentLogger, migrations: [] });

const step = (version: number, sql: string): Migration => ({ version, name: `step ${version}`, sql });

describe('migrations', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await fresh();
  });

  test('opening a new database applies every migration once, in order, with its checksum', async () => {
    const db = await database.open();
    const rows = (await db.query('SELECT version, name, checksum FROM schema_migrations ORDER BY version'))
      .rows;
    expect(rows).toEqual(
      MIGRATIONS.map((m) => ({ version: m.version, name: m.name, checksum: checksum(m) })),
    );
    await db.close();
    const again = await database.open(); // a second start has nothing to do
    expect((await again.query('SELECT count(*)::int AS n FROM schema_migrations')).rows[0]).toEqual({
      n: MIGRATIONS.length,
    });
    await again.close();
  });

  test('six replicas starting at once on an empty database: one migrates, the others wait and find it done', async () => {
    const { url } = await fresh();
    const handles = await Promise.all(Array.from({ length: 6 }, () => unmigrated(url)));
    // CREATE TABLE without IF NOT EXISTS: two runs at once would fail, one of them on "already exists".
    const results = await Promise.all(handles.map((db) => migrate(db, MIGRATIONS, silentLogger)));
    const versions = MIGRATIONS.map((m) => m.version);
    expect(results.filter((applied) => applied.length > 0)).toEqual([versions]);
    expect(results.filter((applied) => applied.length === 0)).toHaveLength(5);
    await Promise.all(handles.map((db) => db.close()));
  });

  test('a migration changed after it was applied is refused, naming it', async () => {
    const { url } = await fresh();
    const db = await unmigrated(url);
    await migrate(db, [step(1, 'CREATE TABLE a (x int)')], silentLogger);
    const error = await migrate(db, [step(1, 'CREATE TABLE a (x bigint)')], silentLogger).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PaperbotError);
    expect((error as Error).message).toBe(
      `Migration 1 (step 1) of the database ${db.where} differs from this paperbot's. A released migration is never edited: add a new one instead.`,
    );
    await db.close();
  });

  test('a database migrated by a newer paperbot is refused', async () => {
    const { url } = await fresh();
    const db = await unmigrated(url);
    await migrate(db, [step(1, 'CREATE TABLE a (x int)'), step(2, 'CREATE TABLE b (x int)')], silentLogger);
    await expect(migrate(db, [step(1, 'CREATE TABLE a (x int)')], silentLogger)).rejects.toThrow(
      `The database ${db.where} is at schema version 2 (step 2), newer than this paperbot knows (1). Run the paperbot version that migrated it.`,
    );
    await db.close();
  });

  test('a migration that fails leaves nothing of itself, and the ones before it stay', async () => {
    const { url } = await fresh();
    const db = await unmigrated(url);
    const failing = step(2, 'CREATE TABLE b (x int); INSERT INTO b VALUES (1); SELECT 1/0');
    await expect(migrate(db, [step(1, 'CREATE TABLE a (x int)'), failing], silentLogger)).rejects.toThrow(
      'Migration 2 (step 2) failed on',
    );
    expect((await db.query('SELECT version FROM schema_migrations')).rows).toEqual([{ version: 1 }]);
    expect((await db.query(`SELECT to_regclass('b') AS b`)).rows).toEqual([{ b: null }]);
    await db.close();
  });
});

describe('opening a database', () => {
  test('a server that cannot be reached: the error says what to check, without the password', async () => {
    const error = await Database.open('postgres://bot:secret@127.0.0.1:1/paperbot', {
      logger: silentLogger,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PaperbotError);
    expect((error as Error).message).toMatch(
      /^paperbot cannot use the database postgres:\/\/bot:\*\*\*@127\.0\.0\.1:1\/paperbot: .*ECONNREFUSED.*\.\nCheck PAPERBOT_DATABASE_URL \(host, port, user, password, database name\) and that the server is running\.$/s,
    );
    expect((error as Error).message).not.toContain('secret');
  });

  test('a session ends with its holder: its advisory locks are free at once', async () => {
    const { url } = await fresh();
    const db = await unmigrated(url);
    const holder = await db.session();
    await holder.query('SELECT pg_advisory_lock(1, 2)');
    // Another session cannot take it while the holder lives…
    const other = await db.session();
    expect((await other.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(1, 2) AS ok')).rows[0]?.ok).toBe(
      false,
    );
    // …and the server ending the holder's session (as it does when its process dies) frees it.
    const pid = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
    await db.query('SELECT pg_terminate_backend($1)', [pid]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(holder.lost).toBe(true);
    expect((await other.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(1, 2) AS ok')).rows[0]?.ok).toBe(
      true,
    );
    await other.close();
    await db.close();
  });
});
