import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { FakeSlack, TEST_TOKEN } from '../support/fakeSlack.js';
import { makePaper } from '../support/papers.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { postSigned, SIGNING_SECRET, slashCommandBody } from '../support/signing.js';
import { tempDir } from '../support/tmp.js';

// Two compiled bots (as `npm start` runs them) on one database, and `paperbot ingest` (as `npx
// paperbot` runs it) storing a paper there: both bots answer /paper with it at their next catch-up.
const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));
const FORM = 'application/x-www-form-urlencoded';

let database: TestDatabase;
let slack: FakeSlack;
const children: ChildProcess[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  slack = await new FakeSlack().start();
});
afterAll(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await slack.stop();
  await database.drop();
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address ? address.port : 0;
}

/** Resolves once `condition()` holds (checked every 50 ms), or rejects with `failure()` after `ms`. */
async function until(condition: () => boolean, ms: number, failure: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(failure());
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A bot process on the shared database, catching up every second; resolves once it listens. */
async function bot(): Promise<{ eventsUrl: string; log: () => string }> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(DIST, 'main.js')], {
    env: {
      PATH: process.env.PATH ?? '',
      SLACK_BOT_TOKEN: TEST_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      PORT: String(port),
      SLACK_API_URL: slack.apiUrl,
      PAPERBOT_DATABASE_URL: database.url,
      PAPERBOT_DATA_DIR: tempDir('paperbot-corpus-replica-'),
      PAPERBOT_CORPUS_CATCH_UP: '1',
      PAPERBOT_REFRESH_HF: 'off',
      PAPERBOT_REFRESH_ARXIV: 'off',
      // No backfill: the first start would fetch days from huggingface.co, which tests never reach.
      PAPERBOT_BACKFILL_DAYS: '0',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk;
  });
  await until(
    () => stderr.includes('paperbot is listening'),
    30_000,
    () => `the bot did not start: ${stderr}`,
  );
  return { eventsUrl: `http://127.0.0.1:${port}/slack/events`, log: () => stderr };
}

/** What a bot answered to `/paper <text>` (the JSON it posted to the response URL). */
async function ask(eventsUrl: string, text: string, id: string): Promise<string> {
  const response = await postSigned(eventsUrl, slashCommandBody(text, slack.responseUrl(id)), FORM);
  expect(response.status).toBe(200);
  await until(
    () => slack.responses.some((r) => r.id === id),
    10_000,
    () => `no answer to ${id}`,
  );
  return JSON.stringify(slack.responses.find((r) => r.id === id)?.body);
}

test('a paper stored by paperbot ingest is in both running bots’ answers at their next catch-up', async () => {
  // Started together on a new database: the bundled papers are stored once, both index them.
  const [a, b] = await Promise.all([bot(), bot()]);
  const paper = makePaper({
    title: 'Tidal Resonance Networks for Ocean Sensor Fusion',
    abstract: 'Coupled oscillators fuse buoy readings.',
    source: 'paperbot',
  });
  expect(await ask(a.eventsUrl, 'tidal resonance ocean sensor fusion', 'before')).not.toContain(paper.title);

  const dir = tempDir('paperbot-corpus-cli-');
  const file = join(dir, 'papers.jsonl');
  writeFileSync(file, `${JSON.stringify(paper)}\n`);
  const code = await new Promise<number | null>((resolve, reject) => {
    const cli = spawn(process.execPath, [join(DIST, 'cli.js'), 'ingest', 'file', file], {
      env: { PATH: process.env.PATH ?? '', PAPERBOT_DATA_DIR: dir, PAPERBOT_DATABASE_URL: database.url },
      stdio: 'ignore',
    });
    cli.on('error', reject);
    cli.on('close', resolve);
  });
  expect(code).toBe(0);

  for (const replica of [a, b])
    await until(
      () => replica.log().includes('1 papers stored by another process were taken in'),
      10_000,
      () => `the bot did not take the paper in: ${replica.log()}`,
    );
  expect(await ask(a.eventsUrl, 'tidal resonance ocean sensor fusion', 'after-a')).toContain(paper.title);
  expect(await ask(b.eventsUrl, 'tidal resonance ocean sensor fusion', 'after-b')).toContain(paper.title);
  expect(a.log() + b.log()).not.toMatch(/\[error\]/);
}, 90_000);
