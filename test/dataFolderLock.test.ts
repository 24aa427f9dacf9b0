import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from '@jest/globals';
import { DataFolderLock } from '../src/dataFolderLock.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'paperbot-lock-'));
  dirs.push(dir);
  return dir;
}
const locks = (dir: string) =>
  readdirSync(dir)
    .filter((name) => name.endsWith('.lock'))
    .sort();
/** The pid of a process that has exited. */
const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid as number;

test('a folder is taken once: a second take, even in the same process, is refused; a release frees it', async () => {
  const dir = folder();
  const lock = await DataFolderLock.acquire(dir, 'console', new Date('2026-12-07T20:30:00Z'));
  await expect(DataFolderLock.acquire(dir, 'bot')).rejects.toThrow(
    `The data folder ${dir} is in use by a console (process ${process.pid}, started 2026-12-07 20:30:00 UTC)`,
  );
  await lock.release();
  expect(locks(dir)).toEqual([]);
  const again = await DataFolderLock.acquire(dir, 'bot');
  await again.release();
});

test('a dead holder is replaced by the next generation, and its file removed', async () => {
  const dir = folder();
  writeFileSync(
    join(dir, 'paperbot.7.lock'),
    JSON.stringify({ pid: deadPid(), kind: 'bot', startedAt: '2026-12-01T00:00:00.000Z', host: hostname() }),
  );
  const lock = await DataFolderLock.acquire(dir, 'console');
  expect(locks(dir)).toEqual(['paperbot.8.lock']);
  await lock.release();
});

test('a holder on another machine counts while it touches its file, and is gone once it stops', async () => {
  const dir = folder();
  const file = join(dir, 'paperbot.1.lock');
  writeFileSync(
    file,
    JSON.stringify({ pid: 1, kind: 'bot', startedAt: '2026-12-01T00:00:00.000Z', host: 'elsewhere' }),
  );
  await expect(DataFolderLock.acquire(dir, 'console')).rejects.toThrow('(process 1 on elsewhere, started');
  const anHourAgo = new Date(Date.now() - 3600_000);
  utimesSync(file, anHourAgo, anHourAgo);
  const lock = await DataFolderLock.acquire(dir, 'console');
  expect(locks(dir)).toEqual(['paperbot.2.lock']);
  await lock.release();
});

test('a lock file left empty (its holder died while making it) is passed over', async () => {
  const dir = folder();
  writeFileSync(join(dir, 'paperbot.3.lock'), '');
  const lock = await DataFolderLock.acquire(dir, 'bot');
  expect(locks(dir)).toEqual(['paperbot.4.lock']);
  await lock.release();
});
