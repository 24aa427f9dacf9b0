import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, test } from '@jest/globals';
import { spawnBot } from '../support/botProcess.js';
import { FakeSlack, TEST_TOKEN } from '../support/fakeSlack.js';
import { indexedDataDir } from '../support/indexedDataDir.js';
import { freePort } from '../support/ports.js';
import { runMain, startMainConsole } from '../support/programs.js';
import { postSigned, SIGNING_SECRET, slashCommandBody } from '../support/signing.js';

// Real processes of the compiled program on one data folder (`npm test` builds dist/ first): the
// holder of the folder, killed, racing or a bot stopped by SIGTERM, is one. Whoever only comes
// after it (refused, or taking over), and a holder that is none of those, runs the same main() in
// this process (test/support/programs.ts).
const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

const children: ChildProcessWithoutNullStreams[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

/** A data folder with the bundled corpus indexed: the tests are about its lock, not a first start. */
function dataFolder(): string {
  return indexedDataDir('paperbot-folder-');
}

/** The settings of a console on `dir`. */
const consoleSettings = (dir: string) => ({ PAPERBOT_DATA_DIR: dir, PAPERBOT_BACKFILL_DAYS: '0' });

/** A console process on `dir`, its input left open: lines are typed into it one at a time. */
function startConsole(dir: string) {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', ...consoleSettings(dir) },
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
  // Neither killed nor racing: the first console runs in this process too (its pid is the test's).
  const first = startMainConsole(consoleSettings(dir));
  const [, id] = await first.type('/paper subscribe diffusion models tz UTC', SUBSCRIBED);

  // The second console, already given its line: it never opens the folder's files.
  const second = await runMain(consoleSettings(dir), '/paper subscriptions\n');
  expect(second.code).toBe(1);
  expect(second.stderr).toMatch(
    new RegExp(
      `^The data folder ${dir} is in use by a console \\(process ${process.pid}, started \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC\\): `,
    ),
  );
  expect(second.stdout).toBe('');

  // The first one still has the folder, and its subscription.
  await first.type(`/paper digest now ${id}`, /diffusion models/);
  expect(await first.end()).toBe(0);
  expect(lockFiles(dir)).toEqual([]);

  const third = startMainConsole(consoleSettings(dir));
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

  const next = startMainConsole(consoleSettings(dir));
  await next.type('/paper subscriptions', new RegExp(`\`${id}\``));
  expect(lockFiles(dir)).toHaveLength(1);
  expect(await next.end()).toBe(0);
  expect(lockFiles(dir)).toEqual([]);
}, 60_000);

/** A bot process (HTTP mode, against the fake Slack) on `dir`; resolves once it listens. */
async function startBot(dir: string, slack: FakeSlack) {
  const port = await freePort();
  const bot = spawnBot({
    SLACK_BOT_TOKEN: TEST_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    PORT: String(port),
    SLACK_API_URL: slack.apiUrl,
    PAPERBOT_DATA_DIR: dir,
    PAPERBOT_BACKFILL_DAYS: '0',
    PAPERBOT_REFRESH_HF: 'off',
    PAPERBOT_REFRESH_ARXIV: 'off',
  });
  await bot.logged('paperbot is listening');
  return { ...bot, eventsUrl: `http://127.0.0.1:${port}/slack/events` };
}

test('a bot holds its folder: a console or a second bot on it refuses, naming the bot; the subscription it confirmed stays', async () => {
  const dir = dataFolder();
  const slack = await new FakeSlack().start();
  try {
    const bot = await startBot(dir, slack);
    const response = await postSigned(
      bot.eventsUrl,
      slashCommandBody('subscribe diffusion models tz UTC', slack.responseUrl('sub')),
      'application/x-www-form-urlencoded',
    );
    expect(response.status).toBe(200);
    await slack.waitFor(() => slack.responses.find((r) => r.id === 'sub'));
    const answer = JSON.stringify(slack.responses.find((r) => r.id === 'sub')?.body);
    const id = /Subscribed this channel to diffusion models \(([a-z0-9]{6})\)\./.exec(answer)?.[1];
    expect(id).toBeDefined();

    const console = await runMain(consoleSettings(dir));
    expect(console.code).toBe(1);
    expect(console.stderr).toContain(
      `The data folder ${dir} is in use by the bot (process ${bot.pid}, started `,
    );
    await expect(startBot(dir, slack)).rejects.toThrow(`is in use by the bot (process ${bot.pid}, started `);

    bot.child.kill('SIGTERM');
    expect((await bot.exited).code).toBe(0);
    expect(lockFiles(dir)).toEqual([]);
    expect(readFileSync(join(dir, 'subscriptions.json'), 'utf8')).toContain(`"id": "${id}"`);
  } finally {
    await slack.stop();
  }
}, 90_000);
