import { createHash } from 'node:crypto';
import { PaperbotError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Database } from './database.js';
import { LOCK_CLASS } from './locks.js';

/** One step of the schema: SQL applied once, in version order, never edited after release. */
export interface Migration {
  /** 1, 2, 3…: the order they apply in. */
  version: number;
  name: string;
  sql: string;
}

/** The checksum recorded for an applied migration: editing a released one is refused. */
export function checksum(migration: Migration): string {
  return createHash('sha256').update(migration.sql).digest('hex').slice(0, 16);
}

/**
 * Brings the schema up to date: applies, in order, each migration the `schema_migrations` table
 * does not list, each in its own transaction with its row in that table. The whole run holds an
 * advisory lock, so replicas that start together migrate one after the other: the second waits,
 * then finds nothing left to do. A database that has a migration this code does not know (a newer
 * paperbot migrated it), or whose applied migration differs from the code's, is refused.
 * Resolves to the versions applied now.
 */
export async function migrate(
  database: Database,
  migrations: readonly Migration[],
  logger: Logger,
): Promise<number[]> {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1)
      throw new Error(`migration ${migration.name} has version ${migration.version}, expected ${index + 1}`);
  });
  const session = await database.session();
  try {
    await session.query('SELECT pg_advisory_lock($1, 0)', [LOCK_CLASS.migrations]);
    await session.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         version integer PRIMARY KEY,
         name text NOT NULL,
         checksum text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const applied = (
      await session.query<{ version: number; name: string; checksum: string }>(
        'SELECT version, name, checksum FROM schema_migrations ORDER BY version',
      )
    ).rows;
    for (const row of applied) {
      const known = migrations[row.version - 1];
      if (!known) {
        throw new PaperbotError(
          'paperbot_database_error',
          `The database ${database.where} is at schema version ${row.version} (${row.name}), newer than this ` +
            `paperbot knows (${migrations.length}). Run the paperbot version that migrated it.`,
        );
      }
      if (checksum(known) !== row.checksum) {
        throw new PaperbotError(
          'paperbot_database_error',
          `Migration ${row.version} (${row.name}) of the database ${database.where} differs from this paperbot's. ` +
            'A released migration is never edited: add a new one instead.',
        );
      }
    }
    const done: number[] = [];
    for (const migration of migrations.slice(applied.length)) {
      await session.query('BEGIN');
      try {
        await session.query(migration.sql);
        await session.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
          migration.version,
          migration.name,
          checksum(migration),
        ]);
        await session.query('COMMIT');
      } catch (error) {
        await session.query('ROLLBACK').catch(() => undefined);
        throw new PaperbotError(
          'paperbot_database_error',
          `Migration ${migration.version} (${migration.name}) failed on ${database.where}: ${(error as Error).message}. ` +
            'Nothing of it was applied.',
          { cause: error },
        );
      }
      logger.info(`Database migrated to version ${migration.version} (${migration.name}).`);
      done.push(migration.version);
    }
    return done;
  } finally {
    // Closing the session releases the lock, also when a statement above failed.
    await session.close();
  }
}
