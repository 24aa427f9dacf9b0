import { afterEach, describe, expect, test } from '@jest/globals';
import { sectionTexts } from '../support/blockKit.js';
import { FakeClock } from '../support/bot.js';
import { type FakeReply, FakeSlack } from '../support/fakeSlack.js';
import { eventBody, postSigned, slashCommandBody } from '../support/signing.js';
import { type RunningApp, startApp } from '../support/slackApp.js';

const FORM = 'application/x-www-form-urlencoded';
let running: RunningApp | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

/** Starts the app with one subscription in C0GENERAL, due at 09:00 UTC on 27 Nov. */
async function subscribed(postAttempts = 6): Promise<RunningApp> {
  const clock = new FakeClock(new Date('2026-11-26T12:00:00Z'));
  const app = await startApp({ clock, postAttempts });
  await postSigned(
    app.eventsUrl,
    slashCommandBody('subscribe knowledge distillation tz UTC', app.slack.responseUrl('sub')),
    FORM,
  );
  await app.slack.waitFor(() => app.slack.responses.find((r) => r.id === 'sub'));
  app.slack.history.clear(); // forget the subscription notice
  clock.set('2026-11-27T09:00:00Z');
  return app;
}

/** chat.postMessage answers `replies` in turn, then accepts. */
function postMessageAnswers(slack: FakeSlack, replies: FakeReply[]): void {
  slack.on('chat.postMessage', () => replies.shift() ?? { body: { ok: true, ts: '2.1' } });
}

/** Digest posting attempts (chat.postMessage calls carrying digest metadata). */
const digestCalls = (slack: FakeSlack) =>
  slack
    .callsTo('chat.postMessage')
    .filter((call) => (call.args.metadata as { event_type?: string })?.event_type === 'paperbot_digest');

/** Digests Slack accepted into the channel. */
const digestsIn = (slack: FakeSlack) =>
  (slack.history.get('C0GENERAL') ?? []).filter(
    (m) => (m.metadata as { event_type?: string })?.event_type === 'paperbot_digest',
  );

describe('Slack faults while posting digests', () => {
  test('a storm of 429s is waited out (Retry-After) and the digest posted once', async () => {
    running = await subscribed();
    const limited = {
      status: 429,
      headers: { 'retry-after': '0' },
      body: { ok: false, error: 'ratelimited' },
    };
    postMessageAnswers(running.slack, [limited, limited, limited, limited]);
    expect((await running.scheduler.tick())[0]?.outcome).toBe('posted');
    expect(digestsIn(running.slack)).toHaveLength(1);
    expect(digestCalls(running.slack)).toHaveLength(5); // four 429s and the accepted one
  });

  test('more 429s than attempts: not posted, not paused, and the next tick posts it once', async () => {
    running = await subscribed(2);
    const limited = {
      status: 429,
      headers: { 'retry-after': '0' },
      body: { ok: false, error: 'ratelimited' },
    };
    postMessageAnswers(running.slack, [limited, limited]);
    expect((await running.scheduler.tick())[0]).toMatchObject({ outcome: 'failed', error: 'ratelimited' });
    expect((await running.store.inTeam('T0TEST'))[0]?.state.status).toBe('active');
    expect((await running.scheduler.tick())[0]?.outcome).toBe('posted');
    expect(digestsIn(running.slack)).toHaveLength(1);
  });

  test('HTTP 500s: the channel is checked, the digest not found, and posted once', async () => {
    running = await subscribed();
    const broken = { status: 500, body: { ok: false, error: 'internal_error' } };
    postMessageAnswers(running.slack, [broken, broken]);
    // Checked after the first 500 (not there: posted again); the second 500 cannot be checked
    // within the minute's one read, so the digest waits, unposted, for a later tick.
    expect((await running.scheduler.tick())[0]?.outcome).toBe('failed');
    running.clock.advance(60_000);
    expect((await running.scheduler.tick())[0]?.outcome).toBe('posted');
    expect(running.slack.callsTo('conversations.history').length).toBeGreaterThanOrEqual(2);
    expect(digestsIn(running.slack)).toHaveLength(1);
  });

  test('Slack accepts the post but the answer is lost (connection dropped): found in the channel, not posted again', async () => {
    running = await subscribed();
    postMessageAnswers(running.slack, [{ body: { ok: true, ts: '3.1' }, hangUp: true }]);
    expect((await running.scheduler.tick())[0]?.outcome).toBe('posted');
    expect(digestCalls(running.slack)).toHaveLength(1);
    expect(digestsIn(running.slack)).toHaveLength(1);
    expect(
      Object.keys(await running.store.postedIn({ team: 'T0TEST', channel: 'C0GENERAL' })).length,
    ).toBeGreaterThan(0);
  });

  test('Slack accepts the post but answers after the client gave up (timeout): not posted again', async () => {
    running = await subscribed();
    postMessageAnswers(running.slack, [{ body: { ok: true, ts: '4.1' }, delayMs: 1500 }]);
    expect((await running.scheduler.tick())[0]?.outcome).toBe('posted');
    expect(digestsIn(running.slack)).toHaveLength(1);
  });

  test('invalid_blocks: a definite failure; not paused, nothing recorded, retried at the next tick', async () => {
    running = await subscribed();
    postMessageAnswers(running.slack, [{ body: { ok: false, error: 'invalid_blocks' } }]);
    expect((await running.scheduler.tick())[0]).toMatchObject({ outcome: 'failed', error: 'invalid_blocks' });
    expect((await running.store.inTeam('T0TEST'))[0]?.pendingRun).toBeUndefined();
    expect(await running.store.postedIn({ team: 'T0TEST', channel: 'C0GENERAL' })).toEqual({});
    expect(running.slack.callsTo('conversations.history')).toHaveLength(0); // nothing to check: it was refused
  });

  test('removed from the channel while a digest was unconfirmed: paused with the reason, not failing every tick', async () => {
    running = await subscribed();
    postMessageAnswers(running.slack, [
      { body: { ok: true, ts: '5.1' }, hangUp: true },
      { body: { ok: false, error: 'not_in_channel' } },
    ]);
    running.slack.on('conversations.history', () => ({ body: { ok: false, error: 'not_in_channel' } }));
    expect((await running.scheduler.tick())[0]).toMatchObject({ outcome: 'paused', error: 'not_in_channel' });
    expect(digestsIn(running.slack)).toHaveLength(1);
  });

  test.each(['not_in_channel', 'channel_not_found', 'is_archived'])(
    '%s pauses the subscription with the reason',
    async (error) => {
      running = await subscribed();
      postMessageAnswers(running.slack, [{ body: { ok: false, error } }]);
      expect((await running.scheduler.tick())[0]).toMatchObject({ outcome: 'paused', error });
      const state = (await running.store.inTeam('T0TEST'))[0]?.state;
      expect(state?.status === 'paused' && state.reason).toContain(`(${error})`);
      expect(await running.store.inTeam('T0TEST')).toHaveLength(1); // paused, never lost
    },
  );
});

describe('Slack faults while answering people', () => {
  test('invalid_blocks on a mention answer: the user still gets a plain sentence in the thread', async () => {
    running = await startApp();
    postMessageAnswers(running.slack, [{ body: { ok: false, error: 'invalid_blocks' } }]);
    await postSigned(
      running.eventsUrl,
      eventBody({
        type: 'app_mention',
        user: 'U0ALICE',
        text: `<@${FakeSlack.BOT_USER_ID}> contrastive loss`,
        ts: '5.1',
        channel: 'C0GENERAL',
      }),
      'application/json',
    );
    const posts = await running.slack.waitFor(
      () =>
        running?.slack.callsTo('chat.postMessage').length === 2 && running.slack.callsTo('chat.postMessage'),
    );
    expect(posts[1]?.args).toMatchObject({ channel: 'C0GENERAL', thread_ts: '5.1' });
    expect(sectionTexts(posts[1]?.args ?? {})[0]).toBe(
      ':warning: Sorry, Slack did not accept my answer (`invalid_blocks`). Please try again, or try a shorter query.',
    );
  });

  test('users.info timing out does not stop a subscription: it is stored, in UTC', async () => {
    // The app's client gives up after 300 ms here (5 s in production); Slack would answer after 2 s.
    running = await startApp({ clientTimeoutMs: 300 });
    running.slack.on('users.info', () => ({
      body: { ok: true, user: { tz: 'Europe/Paris' } },
      delayMs: 2000,
    }));
    const started = Date.now();
    await postSigned(
      running.eventsUrl,
      slashCommandBody('subscribe diffusion', running.slack.responseUrl('tz')),
      FORM,
    );
    const reply = await running.slack.waitFor(() => running?.slack.responses.find((r) => r.id === 'tz'));
    expect(Date.now() - started).toBeLessThan(2000); // answered without waiting for the time zone
    expect(sectionTexts(reply.body)[0]).toContain('every day at 09:00 (UTC)');
    expect(await running.store.inTeam('T0TEST')).toHaveLength(1);
  });
});
