import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, test } from '@jest/globals';
import { DataFolderLock } from '../../src/dataFolderLock.js';

// Two real processes of the compiled program on one data folder (`npm test` builds dist/ first).
const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

const folders: string[] = [];
const children: ChildProcessWithoutNullStreams[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function dataFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'paperbot-folder-'));
  folders.push(folder);
  return folder;
}

/** A console on `dir`, its input left open: lines are typed into it one at a time. */
function startConsole(dir: string) {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', PAPERBOT_DATA_DIR: dir, PAPERBOT_BACKFILL_DAYS: '0' },
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  const waiters: Array<() => void> = [];
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk;
    for (const waiter of waiters.splice(0)) waiter();
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return {
    pid: child.pid as number,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    exited,
    /** Types a line and resolves with the first match of `answer` in what is printed after it. */
    async type(line: string, answer: RegExp): Promise<RegExpExecArray> {
      const from = stdout.length;
      child.stdin.write(`${line}\n`);
      for (;;) {
        const match = answer.exec(stdout.slice(from));
        if (match) return match;
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
    /** Ends the input (the console exits as at the end of a piped file). */
    end(): Promise<number | null> {
      child.stdin.end();
      return exited;
    },
    kill(): Promise<number | null> {
      child.kill('SIGKILL');
      return exited;
    },
  };
}

const SUBSCRIBED = /✅ Subscribed this channel to diffusion models \(id `([a-z0-9]{6})`\)/;
const lockFiles = (dir: string) => readdirSync(dir).filter((name) => name.endsWith('.lock'));

test('a second console on the folder refuses to start, naming the first; no confirmed subscription is lost', async () => {
  const dir = dataFolder();
  const first = startConsole(dir);
  const [, id] = await first.type('/paper subscribe diffusion models tz UTC', SUBSCRIBED);

  // The second console, already given its line: it never opens the folder's files.
  const second = startConsole(dir);
  second.end();
  expect(await second.exited).toBe(1);
  expect(second.stderr).toMatch(
    new RegExp(
      `^The data folder ${dir} is in use by a console \\(process ${first.pid}, started \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC\\): `,
    ),
  );
  expect(second.stdout).toBe('');

  // The first one still has the folder, and its subscription.
  await first.type(`/paper digest now ${id}`, /diffusion models/);
  expect(await first.end()).toBe(0);
  expect(lockFiles(dir)).toEqual([]);

  const third = startConsole(dir);
  const listed = await third.type('/paper subscriptions', /This channel's subscriptions \((\d+)\)/);
  expect(listed[1]).toBe('1');
  expect(third.stdout).toContain(id);
  expect(await third.end()).toBe(0);
  expect(readFileSync(join(dir, 'subscriptions.json'), 'utf8')).toContain(`"id": "${id}"`);
}, 60_000);

test('two consoles started at the same moment: exactly one runs', async () => {
  const dir = dataFolder();
  const consoles = [startConsole(dir), startConsole(dir)];
  const loser = await Promise.race(consoles.map((c) => c.exited.then(() => c)));
  expect(await loser.exited).toBe(1);
  expect(loser.stderr).toContain(`The data folder ${dir} is in use by a console`);
  const winner = consoles.find((c) => c !== loser) as (typeof consoles)[number];
  await winner.type('/paper subscribe diffusion models tz UTC', SUBSCRIBED);
  expect(await winner.end()).toBe(0);
}, 60_000);

test('the lock of a killed console is taken over, with everything it confirmed', async () => {
  const dir = dataFolder();
  const killed = startConsole(dir);
  const [, id] = await killed.type('/paper subscribe diffusion models tz UTC', SUBSCRIBED);
  await killed.kill();
  expect(lockFiles(dir)).toHaveLength(1); // left behind by the kill

  const next = startConsole(dir);
  await next.type('/paper subscriptions', new RegExp(`\`${id}\``));
  expect(lockFiles(dir)).toHaveLength(1);
  expect(await next.end()).toBe(0);
  expect(lockFiles(dir)).toEqual([]);
}, 60_000);

test('a console on a folder the bot holds refuses, naming the bot', async () => {
  const dir = dataFolder();
  // This test process plays the bot: it holds the folder as the bot does.
  const bot = await DataFolderLock.acquire(dir, 'bot');
  try {
    const console = startConsole(dir);
    expect(await console.end()).toBe(1);
    expect(console.stderr).toContain(`is in use by the bot (process ${process.pid}, started `);
    expect(existsSync(join(dir, 'subscriptions.json'))).toBe(false);
  } finally {
    await bot.release();
  }
}, 60_000);
