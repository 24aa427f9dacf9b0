import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { type BotProcess, spawnBot } from '../support/botProcess.js';
import { corpusDatabase } from '../support/corpusDatabase.js';
import { FakeSlack, TEST_TOKEN } from '../support/fakeSlack.js';
import { makePaper } from '../support/papers.js';
import { freePort } from '../support/ports.js';
import type { TestDatabase } from '../support/postgres.js';
import { runPaperbot } from '../support/programs.js';
import { postSigned, SIGNING_SECRET, slashCommandBody } from '../support/signing.js';

// Two compiled bots (as `npm start` runs them) on one database, and `paperbot ingest` (the
// command's code, run in this process: a third writer) storing a paper there: both bots answer
// /paper with it at their next catch-up. They start on a database holding the bundled corpus, each
// with an index snapshot at its position (test/support/corpusDatabase.ts): a first start on an
// empty database, two replicas storing the corpus once, is test/libraryPostgres.test.ts's.
const FORM = 'application/x-www-form-urlencoded';

let database: TestDatabase;
/** A data folder whose index snapshot is at the database's position. */
let indexedDir: () => string;
let slack: FakeSlack;

beforeAll(async () => {
  ({ database, indexedDir } = await corpusDatabase());
  slack = await new FakeSlack().start();
}, 60_000); // the first suite to ask stores and indexes the corpus (seconds on a loaded machine)
afterAll(async () => {
  await slack?.stop();
  await database?.drop();
});

/** A bot process on the shared database, catching up every second; resolves once it listens. */
async function bot(): Promise<{ eventsUrl: string; process: BotProcess }> {
  const port = await freePort();
  const process = spawnBot({
    SLACK_BOT_TOKEN: TEST_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    PORT: String(port),
    SLACK_API_URL: slack.apiUrl,
    PAPERBOT_DATABASE_URL: database.url,
    PAPERBOT_DATA_DIR: indexedDir(),
    PAPERBOT_CORPUS_CATCH_UP: '1',
    PAPERBOT_REFRESH_HF: 'off',
    PAPERBOT_REFRESH_ARXIV: 'off',
    // No backfill: the first start would fetch days from huggingface.co, which tests never reach.
    PAPERBOT_BACKFILL_DAYS: '0',
    LOG_LEVEL: 'info',
  });
  await process.logged('paperbot is listening');
  return { eventsUrl: `http://127.0.0.1:${port}/slack/events`, process };
}

/** What a bot answered to `/paper <text>` (the JSON it posted to the response URL). */
async function ask(eventsUrl: string, text: string, id: string): Promise<string> {
  const response = await postSigned(eventsUrl, slashCommandBody(text, slack.responseUrl(id)), FORM);
  expect(response.status).toBe(200);
  const answer = await slack.waitFor(() => slack.responses.find((r) => r.id === id), 10_000);
  return JSON.stringify(answer.body);
}

test('a paper stored by paperbot ingest is in both running bots’ answers at their next catch-up', async () => {
  const [a, b] = await Promise.all([bot(), bot()]);
  const paper = makePaper({
    title: 'Tidal Resonance Networks for Ocean Sensor Fusion',
    abstract: 'Coupled oscillators fuse buoy readings.',
    source: 'paperbot',
  });
  expect(await ask(a.eventsUrl, 'tidal resonance ocean sensor fusion', 'before')).not.toContain(paper.title);

  const dir = indexedDir();
  const file = join(dir, 'tidal.jsonl');
  writeFileSync(file, `${JSON.stringify(paper)}\n`);
  const ingested = await runPaperbot(['ingest', 'file', file], {
    PAPERBOT_DATA_DIR: dir,
    PAPERBOT_DATABASE_URL: database.url,
  });
  expect(ingested.code).toBe(0);

  for (const replica of [a, b])
    await replica.process.logged('1 papers stored by another process were taken in', 10_000);
  expect(await ask(a.eventsUrl, 'tidal resonance ocean sensor fusion', 'after-a')).toContain(paper.title);
  expect(await ask(b.eventsUrl, 'tidal resonance ocean sensor fusion', 'after-b')).toContain(paper.title);
  expect(a.process.log() + b.process.log()).not.toMatch(/\[error\]|"level":"error"/);
}, 90_000);
