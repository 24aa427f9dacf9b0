import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Database } from '../../src/db/database.js';
import { MemorySeenEvents, PostgresSeenEvents, type SeenEvents } from '../../src/slack/seenEvents.js';
import { FakeSlack } from '../support/fakeSlack.js';
import { suiteDatabase } from '../support/postgres.js';
import { eventBody, postSigned } from '../support/signing.js';
import { type RunningApp, startApp } from '../support/slackApp.js';

let db: Database;
suiteDatabase((opened) => {
  db = opened;
});

describe.each<[string, () => SeenEvents[]]>([
  ['in memory', () => [new MemorySeenEvents()]],
  ['in PostgreSQL, shared by two replicas', () => [new PostgresSeenEvents(db), new PostgresSeenEvents(db)]],
])('seen events %s', (_name, make) => {
  test('an event is seen first once, whichever replica sees it again', async () => {
    const replicas = make();
    const [first, ...others] = replicas as [SeenEvents, ...SeenEvents[]];
    expect(await first.firstSighting('T0TEST', 'Ev0ONE')).toBe(true);
    for (const replica of [first, ...others])
      expect(await replica.firstSighting('T0TEST', 'Ev0ONE')).toBe(false);
    expect(await (others[0] ?? first).firstSighting('T0TEST', 'Ev0TWO')).toBe(true);
  });
});

describe('a retried mention that reaches another replica', () => {
  let slack: FakeSlack;
  let replicas: RunningApp[];
  beforeAll(async () => {
    slack = await new FakeSlack().start();
    replicas = [
      await startApp({ slack, seenEvents: new PostgresSeenEvents(db) }),
      await startApp({ slack, seenEvents: new PostgresSeenEvents(db) }),
    ];
  });
  afterAll(async () => {
    for (const replica of replicas) await replica.stop();
    await slack.stop();
  });

  test('is answered once in the thread', async () => {
    const body = eventBody(
      {
        type: 'app_mention',
        user: 'U0ALICE',
        text: `<@${FakeSlack.BOT_USER_ID}> papers on reward model ensembles?`,
        ts: '1700000100.000200',
        channel: 'C0GENERAL',
      },
      'Ev0RETRIED',
    );
    // Slack's first delivery to one replica, its retry (same event id) to the other.
    for (const replica of replicas)
      expect((await postSigned(replica.eventsUrl, body, 'application/json')).status).toBe(200);
    const answers = () => slack.callsTo('chat.postMessage');
    await slack.waitFor(() => answers().length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 300)); // a second answer would have come by now
    expect(answers()).toHaveLength(1);
    expect(answers()[0]?.args.thread_ts).toBe('1700000100.000200');
  });
});
