import { open, readFile, rm } from 'node:fs/promises';

/** How long a writer waits for another process's lock before giving up. */
const WAIT_MS = 10_000;

/**
 * Runs `write` holding `lockFile` (created exclusively, holding this process's id), which every
 * paperbot process writing to the same files takes first. A lock left by a process that is gone
 * (killed mid-write) is taken over; one held by a live process is waited for, then `busy` (given
 * the holder's process id) is thrown.
 */
export async function withLockFile<T>(
  lockFile: string,
  busy: (holder: number) => Error,
  write: () => Promise<T>,
): Promise<T> {
  const started = Date.now();
  for (;;) {
    try {
      const lock = await open(lockFile, 'wx');
      await lock.write(`${process.pid}\n`);
      await lock.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number.parseInt(await readFile(lockFile, 'utf8').catch(() => ''), 10);
      if (!Number.isInteger(holder) || !isAlive(holder)) {
        await rm(lockFile, { force: true });
        continue;
      }
      if (Date.now() - started > WAIT_MS) throw busy(holder);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  try {
    return await write();
  } finally {
    await rm(lockFile, { force: true });
  }
}

/** Whether a process with this id exists (one of another user's counts: EPERM). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
