import { afterAll, beforeAll, expect, test } from '@jest/globals';
import type { Database } from '../../src/db/database.js';
import { PostgresSubscriptionStore } from '../../src/subscriptions/postgresStore.js';
import { CLAIM_BATCH } from '../../src/subscriptions/scheduler.js';
import { spawnBot } from '../support/botProcess.js';
import { corpusDatabase } from '../support/corpusDatabase.js';
import { FakeSlack, TEST_TOKEN, TEST_WORKSPACE } from '../support/fakeSlack.js';
import { bundledPapers } from '../support/papers.js';
import { freePort } from '../support/ports.js';
import type { TestDatabase } from '../support/postgres.js';
import { SIGNING_SECRET } from '../support/signing.js';
import { subscription } from '../support/subscriptions.js';

// Two compiled bots (as `npm start` runs them) on one database, one killed with SIGKILL mid-tick:
// every due digest still reaches its channel exactly once, counted at the fake Slack. Six claim
// batches of digests: at the kill, each replica is in its second or third batch and channels are
// still unclaimed (asserted), so the survivor takes over claimed channels and claims fresh ones.
const SUBSCRIPTIONS = 6 * CLAIM_BATCH;
const SECOND_TOKEN = 'xoxb-test-replica-2';

let database: TestDatabase;
/** A data folder whose index snapshot is at the database's position. */
let indexedDir: () => string;
let db: Database;
let slack: FakeSlack;

beforeAll(async () => {
  // The corpus a first start stores, and its index: the replicas load it rather than index it.
  ({ database, indexedDir } = await corpusDatabase());
  db = await database.open();
  slack = await new FakeSlack().start();
  // The same workspace, a second token: the fake tells the replicas' posts apart by it.
  slack.addWorkspace(TEST_WORKSPACE, SECOND_TOKEN);
}, 60_000); // the first suite to ask stores and indexes the corpus (seconds on a loaded machine)
afterAll(async () => {
  await slack?.stop();
  await db?.close();
  await database?.drop();
});

/** Starts a bot process on the shared database; its stderr is kept for the failure message. */
async function replica(token: string) {
  return spawnBot({
    SLACK_BOT_TOKEN: token,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    PORT: String(await freePort()),
    SLACK_API_URL: slack.apiUrl,
    PAPERBOT_DATABASE_URL: database.url,
    PAPERBOT_DATA_DIR: indexedDir(),
    PAPERBOT_REFRESH_HF: 'off',
    PAPERBOT_REFRESH_ARXIV: 'off',
    // No backfill: the first start would fetch days from huggingface.co, which tests never reach.
    PAPERBOT_BACKFILL_DAYS: '0',
    // A replica that finished its tick comes back for what a dead one left within a second.
    PAPERBOT_DIGEST_INTERVAL: '1',
    // An internal app, as the fake's workspace is: the posts a killed replica left unconfirmed
    // are checked in seconds (Tier 3), not one a minute (Tier 1, the default).
    PAPERBOT_SLACK_APP: 'internal',
    LOG_LEVEL: 'warn',
  });
}

/** Resolves once `condition()` holds, checked ten times a second (not on every request: it scans every post). */
async function until(condition: () => boolean, ms: number, failure: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(failure());
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The run keys of the digests Slack accepted, per channel, and which token posted each. */
function digests(): { byChannel: Map<string, string[]>; byToken: Map<string, number> } {
  const byChannel = new Map<string, string[]>();
  for (const [channel, messages] of slack.history) {
    const runs = messages
      .filter((m) => m.metadata?.event_type === 'paperbot_digest')
      .map((m) => String(m.metadata?.event_payload.run));
    if (runs.length > 0) byChannel.set(channel, runs);
  }
  const byToken = new Map<string, number>();
  for (const call of slack.callsTo('chat.postMessage')) {
    byToken.set(call.token ?? '', (byToken.get(call.token ?? '') ?? 0) + 1);
  }
  return { byChannel, byToken };
}

test('300 digests due, two replicas, one killed with SIGKILL mid-tick: every digest posted exactly once', async () => {
  // Due now, one per channel (the fake holds each channel to Slack's rate), on topics that match.
  const store = new PostgresSubscriptionStore(db);
  // Each topic is a whole title: its paper is about it, whatever the digests' strictness.
  const titles = bundledPapers().map((paper) => paper.title.slice(0, 150));
  const due = new Date(Date.now() - 60_000).toISOString();
  // Stored ten at a time (the pool's size): one at a time, the round trips took seconds.
  for (let from = 0; from < SUBSCRIPTIONS; from += 10)
    await Promise.all(
      Array.from({ length: Math.min(10, SUBSCRIPTIONS - from) }, (_, j) => {
        const i = from + j;
        return store.add(
          subscription(`r${String(i).padStart(4, '0')}`, {
            channel: `C${String(i).padStart(4, '0')}`,
            // Punctuation becomes a space, not nothing: "Non-i.i.d." must not become "iid", a word
            // its title does not have.
            topic: (titles[i % titles.length] as string).replace(/[^\p{L}\p{N} -]/gu, ' '),
            nextRunAt: due,
          }),
        );
      }),
    );

  const doomed = await replica(TEST_TOKEN);
  const survivor = await replica(SECOND_TOKEN);
  const posts = (token: string) => digests().byToken.get(token) ?? 0;
  // Mid-tick: the doomed replica is posting its second claimed batch, with channels still
  // unclaimed. (A deadline, not a measure: two bots starting on a loaded machine took more than
  // 30 s to post this far.)
  await until(
    () => posts(TEST_TOKEN) >= CLAIM_BATCH + 10,
    60_000,
    () => `the replicas did not post (${posts(TEST_TOKEN)} and ${posts(SECOND_TOKEN)} digests):
${doomed.log()}
${survivor.log()}`,
  );
  doomed.child.kill('SIGKILL');
  await doomed.exited;
  const killedAt = posts(TEST_TOKEN);
  expect(killedAt).toBeLessThan(2 * CLAIM_BATCH);
  // Channels no replica had claimed yet (none run, none claimed now, so none at the kill either).
  const unclaimed = await db.query<{ count: number }>(
    `SELECT count(*)::int AS count FROM subscriptions s JOIN channels c USING (team_id, channel_id)
     WHERE c.claimed_by IS NULL AND s.last_run_at IS NULL AND s.pending_run IS NULL`,
  );
  expect(unclaimed.rows[0]?.count).toBeGreaterThan(0);

  await until(
    () => digests().byChannel.size >= SUBSCRIPTIONS,
    60_000,
    () => `${digests().byChannel.size} channels got their digest:
${survivor.log()}`,
  );
  const everyChannel = Date.now();
  // Every run recorded, none left pending; the dead replica's claims were taken over. The posts it
  // left unconfirmed are settled one history read at a time (the workspace's read budget), so the
  // last ones may take a few more ticks.
  const runs = async () =>
    (
      await db.query<{ recorded: number; pending: number }>(
        `SELECT count(*) FILTER (WHERE last_run_at IS NOT NULL)::int AS recorded,
                count(*) FILTER (WHERE pending_run IS NOT NULL)::int AS pending FROM subscriptions`,
      )
    ).rows[0];
  let settled = await runs();
  for (const deadline = Date.now() + 30_000; settled?.pending !== 0 && Date.now() < deadline; ) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    settled = await runs();
  }
  // Let the survivor's next ticks run, 1.5 s from when every channel had its digest at least: a
  // second copy of any digest, or a settled one posted again, would show up now.
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, everyChannel + 1500 - Date.now())));

  expect(settled).toEqual({ recorded: SUBSCRIPTIONS, pending: 0 });
  const { byChannel } = digests();
  expect(byChannel.size).toBe(SUBSCRIPTIONS);
  const twice = [...byChannel].filter(([, runs]) => runs.length !== 1);
  expect(twice).toEqual([]);
  for (const [channel, [run]] of byChannel) expect(run?.startsWith(`r${channel.slice(1)}@`)).toBe(true);
  expect(posts(SECOND_TOKEN)).toBeGreaterThan(0);
  expect(posts(TEST_TOKEN)).toBe(killedAt); // the dead replica posted nothing more
  expect(survivor.log()).not.toMatch(/"level":"error"/); // JSON lines (stderr is not a terminal)
  survivor.child.kill('SIGTERM');
  expect((await survivor.exited).code).toBe(0);
}, 180_000);
