import type pg from 'pg';
import { PaperbotError } from '../errors.js';
import type { Logger } from '../logger.js';
import { type Migration, migrate } from './migrate.js';
import { MIGRATIONS } from './migrations/index.js';

/** What runs a statement: the pool, one transaction's connection, or a session's. */
export interface Queryable {
  query<R extends pg.QueryResultRow = Record<string, unknown>>(
    text: string,
    params?: unknown[],
  ): Promise<pg.QueryResult<R>>;
}

/**
 * One connection kept for as long as its holder needs it, for what lives in a database session:
 * advisory locks (the migration lock, a replica's claim key). `lost` is set when the server ended
 * the session (restart, network, `pg_terminate_backend`): whatever the session held is gone.
 */
export interface Session extends Queryable {
  readonly lost: boolean;
  /** Ends the session (its advisory locks go with it). */
  close(): Promise<void>;
}

/** How to open the database. */
export interface DatabaseOptions {
  logger: Logger;
  /** Connections in the pool (default 10). */
  poolSize?: number;
  /** Shown in `pg_stat_activity` (default `paperbot`). */
  applicationName?: string;
  /** The schema to migrate to (default: paperbot's, {@link MIGRATIONS}). */
  migrations?: readonly Migration[];
}

/**
 * A PostgreSQL database reached through node-postgres' pool, migrated to the schema this
 * paperbot knows when it is opened. Every statement goes through {@link Database.query} (or a
 * transaction's or session's `query`), which counts them: the benchmarks report queries per digest.
 */
export class Database implements Queryable {
  /** Statements sent so far, by this process. */
  queries = 0;

  /** The URL without its password, for messages. */
  readonly where: string;

  private constructor(
    private readonly driver: typeof pg,
    private readonly pool: pg.Pool,
    private readonly client: pg.ClientConfig,
  ) {
    this.where = redact(client.connectionString ?? '');
  }

  /**
   * Connects to `url` (postgres://…) and applies the migrations it lacks; safe when several
   * replicas start at once (see {@link migrate}). Throws a {@link PaperbotError} that says what to
   * check when the server cannot be reached or refuses the login.
   */
  static async open(url: string, options: DatabaseOptions): Promise<Database> {
    // node-postgres loads here, not at start-up: a bot on lowdb files never needs it.
    const { default: driver } = await import('pg');
    const client: pg.ClientConfig = {
      connectionString: url,
      application_name: options.applicationName ?? 'paperbot',
      connectionTimeoutMillis: 10_000,
    };
    const pool = new driver.Pool({ ...client, max: options.poolSize ?? 10 });
    // Without a handler, an idle connection that the server drops would crash the process.
    pool.on('error', (error) => options.logger.warn('A database connection was lost:', error.message));
    const database = new Database(driver, pool, client);
    try {
      await database.query('SELECT 1');
      await migrate(database, options.migrations ?? MIGRATIONS, options.logger);
    } catch (error) {
      await pool.end().catch(() => undefined);
      if (error instanceof PaperbotError) throw error;
      throw new PaperbotError(
        'paperbot_database_error',
        `paperbot cannot use the database ${database.where}: ${(error as Error).message}.\n` +
          'Check PAPERBOT_DATABASE_URL (host, port, user, password, database name) and that the server is running.',
        { cause: error },
      );
    }
    return database;
  }

  query<R extends pg.QueryResultRow = Record<string, unknown>>(
    text: string,
    params?: unknown[],
  ): Promise<pg.QueryResult<R>> {
    this.queries++;
    return this.pool.query<R>(text, params);
  }

  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    const tx: Queryable = {
      query: (text, params) => {
        this.queries++;
        return client.query(text, params);
      },
    };
    try {
      await tx.query('BEGIN');
      const result = await work(tx);
      await tx.query('COMMIT');
      return result;
    } catch (error) {
      await tx.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /**
   * A connection of its own, outside the pool: a session whose advisory locks last exactly as long
   * as it does, and end with the process that holds it, however it ends. `name` is its
   * application_name in `pg_stat_activity`.
   */
  async session(name?: string): Promise<Session> {
    const client = new this.driver.Client(name ? { ...this.client, application_name: name } : this.client);
    let lost = false;
    // The server ended the session: its locks are released, so its holder must stop relying on them.
    client.on('error', () => {
      lost = true;
    });
    client.on('end', () => {
      lost = true;
    });
    await client.connect();
    // One statement at a time: a connection answers in order, and node-postgres wants its caller to wait.
    let previous: Promise<unknown> = Promise.resolve();
    return {
      get lost() {
        return lost;
      },
      query: (text, params) => {
        this.queries++;
        const next = previous.then(() => client.query(text, params));
        previous = next.catch(() => undefined);
        return next;
      },
      close: async () => {
        lost = true;
        await client.end().catch(() => undefined);
      },
    };
  }

  /** Closes every connection (waits for the statements under way). */
  close(): Promise<void> {
    return this.pool.end();
  }
}

/** A postgres:// URL with its password hidden. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://…';
  }
}
