import { link, mkdir, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { PaperbotError } from './errors.js';

/** Which paperbot process holds a data folder. */
export type HolderKind = 'bot' | 'console';

/** What a lock file says of its holder. */
export interface LockHolder {
  pid: number;
  kind: HolderKind;
  /** ISO instant the holder started. */
  startedAt: string;
  host: string;
}

/** A lock file's name: `paperbot.<generation>.lock`. */
const LOCK_NAME = /^paperbot\.(\d+)\.lock$/;
const lockName = (generation: number) => `paperbot.${generation}.lock`;
/** How often a holder touches its lock file, so that a process on another machine can tell it lives. */
const HEARTBEAT_MS = 10_000;
/** A lock file of another machine untouched this long is a holder that is gone. */
const STALE_MS = 6 * HEARTBEAT_MS;
/** The lock files this process holds: a second take in the same process is refused too. */
const heldHere = new Set<string>();

/**
 * One writer per data folder: the bot or the console holds the folder's lowdb files (subscriptions,
 * discussions, installations, the refresh state) in memory and writes them whole, so a second
 * process on the same files would write over the first one's changes. `paperbot ingest` does not
 * take this lock (the corpus has its own, shared with the bot); with PostgreSQL the state is the
 * database's, and replicas share it without this lock.
 *
 * The lock is the newest of the folder's `paperbot.<n>.lock` files. A lock file is made whole and
 * at once (written aside, then hard-linked into place, which fails when the name is taken), so a
 * reader never sees half of one. A holder that is gone (killed, crashed) is replaced by making the
 * next generation, never by deleting its file: of the processes that found the same dead holder,
 * only one can create the next name. A process that made a generation checks that it is still the
 * newest (one that had looked at an older generation can make a name below a live holder's) and
 * gives it up otherwise; older generations are then removed.
 */
export class DataFolderLock {
  private readonly heartbeat: NodeJS.Timeout;

  private constructor(
    private readonly file: string,
    readonly holder: LockHolder,
  ) {
    heldHere.add(file);
    this.heartbeat = setInterval(() => {
      const now = new Date();
      utimes(file, now, now).catch(() => {});
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /**
   * Takes the data folder for this process, or refuses with a {@link PaperbotError} that says
   * which process holds it (pid, kind, start time) and what to do.
   */
  static async acquire(dataDir: string, kind: HolderKind, now = new Date()): Promise<DataFolderLock> {
    await mkdir(dataDir, { recursive: true });
    const holder: LockHolder = { pid: process.pid, kind, startedAt: now.toISOString(), host: hostname() };
    const draft = join(dataDir, `.paperbot.${process.pid}.${now.getTime()}.lock.tmp`);
    await writeFile(draft, `${JSON.stringify(holder)}\n`);
    try {
      for (let attempt = 0; attempt < 50; attempt++) {
        const newest = await newestLock(dataDir);
        if (newest?.holder && (await isHeld(newest.holder, newest.file)))
          throw heldBy(dataDir, newest.holder, newest.file);
        // An empty or broken newest file is a holder that died while writing; it is passed over too.
        const generation = (newest?.generation ?? 0) + 1;
        const file = join(dataDir, lockName(generation));
        try {
          await link(draft, file);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue; // another process was first
          throw error;
        }
        const after = await newestLock(dataDir);
        if (after && after.generation !== generation) {
          // Made from an old look at the folder: a newer generation exists; look again.
          await rm(file, { force: true });
          continue;
        }
        await removeOlder(dataDir, generation);
        return new DataFolderLock(file, holder);
      }
      throw new PaperbotError(
        'paperbot_store_error',
        `Could not take the data folder ${dataDir}: other processes keep taking it at the same moment.`,
      );
    } finally {
      await rm(draft, { force: true });
    }
  }

  /** Gives the folder up (at shutdown). */
  async release(): Promise<void> {
    clearInterval(this.heartbeat);
    heldHere.delete(this.file);
    await rm(this.file, { force: true });
  }
}

/** The newest lock file of a folder, with its holder (undefined when unreadable). */
async function newestLock(
  dataDir: string,
): Promise<{ generation: number; file: string; holder: LockHolder | undefined } | undefined> {
  const generations = (await readdir(dataDir))
    .map((name) => LOCK_NAME.exec(name)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number);
  if (generations.length === 0) return undefined;
  const generation = Math.max(...generations);
  const file = join(dataDir, lockName(generation));
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return { generation, file, holder: undefined };
  try {
    return { generation, file, holder: JSON.parse(text) as LockHolder };
  } catch {
    return { generation, file, holder: undefined };
  }
}

/** Removes the lock files of generations before this one (their holders are gone). */
async function removeOlder(dataDir: string, generation: number): Promise<void> {
  for (const name of await readdir(dataDir)) {
    const older = LOCK_NAME.exec(name)?.[1];
    if (older !== undefined && Number(older) < generation) await rm(join(dataDir, name), { force: true });
  }
}

/**
 * Whether the holder still runs: on this machine, whether its process does (this process's own pid
 * in a file it does not hold is an earlier run's, as in a container where every run is pid 1); on
 * another machine (a shared folder), whether it touched its lock file lately.
 */
async function isHeld(holder: LockHolder, file: string): Promise<boolean> {
  if (holder.host !== hostname()) {
    const touched = await stat(file).then(
      (info) => info.mtimeMs,
      () => 0,
    );
    return Date.now() - touched < STALE_MS;
  }
  if (holder.pid === process.pid) return heldHere.has(file);
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function heldBy(dataDir: string, holder: LockHolder, file: string): PaperbotError {
  const where =
    holder.host === hostname() ? `process ${holder.pid}` : `process ${holder.pid} on ${holder.host}`;
  const what = holder.kind === 'bot' ? 'the bot' : 'a console';
  return new PaperbotError(
    'paperbot_store_error',
    `The data folder ${dataDir} is in use by ${what} (${where}, started ${holder.startedAt.replace('T', ' ').slice(0, 19)} UTC): ` +
      "two processes on one folder would write over each other's subscriptions. Stop that one first, or give this one " +
      `another PAPERBOT_DATA_DIR (replicas share their state through PAPERBOT_DATABASE_URL). If no such process runs, remove ${file}.`,
  );
}
