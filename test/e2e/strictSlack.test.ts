import { afterEach, describe, expect, test } from '@jest/globals';
import { Library } from '../../src/library.js';
import { silentLogger } from '../../src/logger.js';
import { RequestTracker } from '../../src/slack/requests.js';
import { blocksOf, expectValidMessage, sectionTexts, viewViolations } from '../support/blockKit.js';
import { FakeClock } from '../support/bot.js';
import { type FakeReply, FakeSlack } from '../support/fakeSlack.js';
import { bundledPapers } from '../support/papers.js';
import { buttonClickBody, eventBody, postSigned, slashCommandBody } from '../support/signing.js';
import { type RunningApp, startApp } from '../support/slackApp.js';
import { subscription } from '../support/subscriptions.js';

// What the strict fake Slack showed: each test here failed against the lenient fake's code.
const FORM = 'application/x-www-form-urlencoded';
let running: RunningApp | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

async function slash(app: RunningApp, text: string, id: string): Promise<void> {
  const response = await postSigned(app.eventsUrl, slashCommandBody(text, app.slack.responseUrl(id)), FORM);
  expect(response.status).toBe(200);
}

const answersTo = (app: RunningApp, id: string) => app.slack.responses.filter((r) => r.id === id);

/** The app with one subscription in C0GENERAL ("knowledge distillation", daily 09:00 UTC), its notice forgotten. */
async function subscribed(): Promise<RunningApp> {
  const app = await startApp({ clock: new FakeClock(new Date('2026-11-26T12:00:00Z')) });
  await slash(app, 'subscribe knowledge distillation tz UTC', 'sub');
  await app.slack.waitFor(() => answersTo(app, 'sub').length === 1);
  app.slack.history.clear();
  app.clock.set('2026-11-27T09:00:00Z');
  return app;
}

/** chat.postMessage answers `replies` in turn, then as Slack does. */
function postMessageAnswers(slack: FakeSlack, replies: FakeReply[]): void {
  slack.on('chat.postMessage', () => replies.shift() ?? { body: { ok: true } });
}

const digestsIn = (slack: FakeSlack) =>
  slack.messagesIn('C0GENERAL').filter((m) => m.metadata?.event_type === 'paperbot_digest');

describe('answers Slack refuses', () => {
  test('a response_url that answers 400 invalid_blocks is followed by a plain sentence on the same URL', async () => {
    running = await startApp();
    running.slack.onRespond('refused', { status: 400, text: 'invalid_blocks' });
    await slash(running, 'reward model ensembles', 'refused');
    const [refused, fallback] = await running.slack.waitFor(
      () => running && answersTo(running, 'refused').length === 2 && answersTo(running, 'refused'),
    );
    expect(refused?.status).toBe(400);
    expect(fallback?.status).toBe(200);
    expect(fallback?.body.text).toBe(
      ':warning: Sorry, Slack did not accept my answer (`invalid_blocks`). Please try again, or try a shorter query.',
    );
  });

  test('button values stay within 2,000 characters however the query is written', async () => {
    running = await startApp();
    // 990 backslashes: each is two characters in JSON, so a {"q": …} value would pass 2,000.
    const query = `reward ${'\\'.repeat(990)}`;
    await slash(running, query, 'long');
    const [answer] = await running.slack.waitFor(
      () => running && answersTo(running, 'long').length === 1 && answersTo(running, 'long'),
    );
    expect(answer?.status).toBe(200);
    expectValidMessage(answer?.body ?? {});
    const more = blocksOf(answer?.body ?? {})
      .flatMap((block) => block.elements ?? [])
      .find((element) => element.action_id === 'more_results');
    expect(more?.value?.length).toBeLessThanOrEqual(2000);
    // The button still repeats the very same search, next page.
    await postSigned(
      running.eventsUrl,
      buttonClickBody(
        { action_id: 'more_results', value: more?.value ?? '' },
        { responseUrl: running.slack.responseUrl('page2') },
      ),
      FORM,
    );
    const [page2] = await running.slack.waitFor(
      () => running && answersTo(running, 'page2').length === 1 && answersTo(running, 'page2'),
    );
    expect(JSON.stringify(blocksOf(page2?.body ?? {})[1])).toMatch(/Papers 6–10 of \d+/);
  });
});

describe('digests', () => {
  test('a digest Slack refuses as invalid pauses after 3 refusals, with the reason in /paper subscriptions and the Home tab', async () => {
    running = await subscribed();
    const { slack, scheduler, clock, store } = running;
    postMessageAnswers(
      slack,
      [1, 2, 3, 4].map(() => ({ body: { ok: false, error: 'invalid_blocks' } })),
    );
    const outcomes: string[] = [];
    for (let tick = 0; tick < 4; tick++) {
      outcomes.push(...(await scheduler.tick()).map((run) => run.outcome));
      clock.advance(30_000);
    }
    expect(outcomes).toEqual(['failed', 'failed', 'paused']); // paused: not due at the fourth tick
    const state = (await store.inTeam('T0TEST'))[0]?.state;
    expect(state?.status === 'paused' && state.reason).toBe(
      'Slack refused this digest 3 times (invalid_blocks); /paper resume tries again',
    );
    await slash(running, 'subscriptions', 'list');
    const [list] = await slack.waitFor(
      () => running && answersTo(running, 'list').length === 1 && answersTo(running, 'list'),
    );
    expect(sectionTexts(list?.body ?? {})[1]).toContain(
      ':double_vertical_bar: paused: Slack refused this digest 3 times (invalid_blocks); /paper resume tries again',
    );
    slack.on('users.conversations', () => ({ body: { ok: true, channels: [{ id: 'C0GENERAL' }] } }));
    await postSigned(
      running.eventsUrl,
      eventBody({ type: 'app_home_opened', user: 'U0ALICE', channel: 'D0ALICE', tab: 'home' }),
      'application/json',
    );
    const [publish] = await slack.waitFor(
      () => slack.callsTo('views.publish').length === 1 && slack.callsTo('views.publish'),
    );
    expect(JSON.stringify(publish?.args.view)).toContain(
      'paused: Slack refused this digest 3 times (invalid_blocks)',
    );
  });

  test('"already posted?" reads the channel from the run on, page by page: a busy channel does not get the digest twice', async () => {
    running = await subscribed();
    const { slack, scheduler, clock } = running;
    // The digest lands but its answer is lost, and at that moment the channel cannot be read.
    postMessageAnswers(slack, [{ body: { ok: true }, hangUp: true }]);
    slack.on('conversations.history', () => ({ status: 500, body: { ok: false, error: 'internal_error' } }));
    expect((await scheduler.tick())[0]?.outcome).toBe('failed');
    expect(digestsIn(slack)).toHaveLength(1);
    // Then the channel is busy: 300 messages after the digest.
    for (let i = 0; i < 300; i++) slack.userMessage('C0GENERAL', { text: `chatter ${i}` });
    slack.off('conversations.history');
    // One read of 15 a minute (the workspace's budget): each tick reads on from where the last
    // stopped, until the digest is found and recorded without posting.
    let outcome: string | undefined;
    for (let tick = 0; tick < 30 && outcome !== 'posted'; tick++) {
      clock.advance(60_000);
      outcome = (await scheduler.tick())[0]?.outcome;
      expect(digestsIn(slack)).toHaveLength(1);
    }
    expect(outcome).toBe('posted');
    const reads = slack.callsTo('conversations.history').slice(1);
    expect(reads.length).toBeGreaterThan(1); // it paged
    expect(
      reads.every(
        (call) =>
          call.args.oldest !== undefined &&
          call.args.include_all_metadata === 'true' &&
          call.args.limit === '15',
      ),
    ).toBe(true);
  });
});

describe('posts to people are never posted twice by a blind retry', () => {
  const BOT = `<@${FakeSlack.BOT_USER_ID}>`;

  /** A person's mention of the bot at `ts`: in the channel (as Slack has it), then sent as the event. */
  async function mention(app: RunningApp, ts: string) {
    app.slack.userMessage('C0GENERAL', { ts, text: `${BOT} contrastive loss` });
    await postSigned(
      app.eventsUrl,
      eventBody({
        type: 'app_mention',
        user: 'U0ALICE',
        text: `${BOT} contrastive loss`,
        ts,
        channel: 'C0GENERAL',
      }),
      'application/json',
    );
  }

  test('a mention answer whose answer was lost is looked for in the thread, not posted again', async () => {
    const requests = new RequestTracker({ logger: silentLogger });
    running = await startApp({ operations: { requests } });
    const { slack } = running;
    postMessageAnswers(slack, [{ body: { ok: true }, hangUp: true }]);
    await mention(running, '1700000100.000200');
    // The poster looks for its post in the thread; a (wrong) retry would follow, within the
    // mention's handling (which posts, retries included, before it ends).
    await slack.waitFor(() => slack.callsTo('conversations.replies').length >= 1);
    await requests.drained();
    const answers = slack.messagesIn('C0GENERAL').filter((m) => m.thread_ts === '1700000100.000200');
    expect(answers).toHaveLength(1);
    expect(slack.callsTo('chat.postMessage')).toHaveLength(1);
  });

  test('a mention answer lost before Slack acted is found missing and posted, once', async () => {
    const requests = new RequestTracker({ logger: silentLogger });
    running = await startApp({ operations: { requests } });
    const { slack } = running;
    // Slack hangs up without acting on the post.
    postMessageAnswers(slack, [{ body: { ok: false, error: 'lost' }, hangUp: true }]);
    await mention(running, '1700000200.000200');
    const [answer] = await slack.waitFor(() => {
      const found = slack.messagesIn('C0GENERAL').filter((m) => m.thread_ts === '1700000200.000200');
      return found.length === 1 && found;
    });
    expect(sectionTexts(answer ?? {})[0]).toMatch(/^\*/); // a card
    await requests.drained(); // the mention is handled: a (wrong) third post would have been made
    expect(slack.messagesIn('C0GENERAL').filter((m) => m.thread_ts === '1700000200.000200')).toHaveLength(1);
  });

  test('a shared card and a subscription notice whose answers were lost are in the channel once', async () => {
    running = await startApp();
    const { slack } = running;
    postMessageAnswers(slack, [{ body: { ok: true }, hangUp: true }]);
    await postSigned(
      running.eventsUrl,
      buttonClickBody(
        { action_id: 'share_paper', value: 'rlhf-workflow-from-reward-modeling-to-online-rlhf' },
        { responseUrl: slack.responseUrl('share') },
      ),
      FORM,
    );
    const [confirmation] = await slack.waitFor(
      () => running && answersTo(running, 'share').length === 1 && answersTo(running, 'share'),
    );
    expect(confirmation?.body.text).toBe(':white_check_mark: Shared to the channel.');
    running.clock.advance(60_000); // the workspace's next history read
    postMessageAnswers(slack, [{ body: { ok: true }, hangUp: true }]);
    await slash(running, 'subscribe diffusion tz UTC', 'sub');
    const [reply] = await slack.waitFor(
      () => running && answersTo(running, 'sub').length === 1 && answersTo(running, 'sub'),
    );
    expect(sectionTexts(reply?.body ?? {})[1]).not.toContain(':warning:'); // the notice did reach the channel
    // Both answers come after their post is settled, retries included: nothing more can arrive.
    const posted = slack.messagesIn('C0GENERAL').map((m) => String(m.text));
    expect(posted.filter((text) => text.startsWith('Shared by <@U0ALICE>'))).toHaveLength(1);
    expect(posted.filter((text) => text.includes('subscribed this channel to *diffusion*'))).toHaveLength(1);
  });
});

describe('the subscribe modal', () => {
  test('opens within the trigger’s 3 s however slow the preview, and the preview follows with views.update', async () => {
    const index = await Library.inMemory(bundledPapers());
    // A preview search as slow as one over a corpus many times this size, or a busy index: it
    // answers a second late, or as soon as the form is open (what a second's wait would show).
    let slow = false;
    const search = index.search.bind(index);
    index.search = async (query, options) => {
      if (slow && running) {
        const { slack } = running;
        await slack.waitFor(() => slack.callsTo('views.open').length > 0, 1000).catch(() => undefined);
      }
      return search(query, options);
    };
    running = await startApp({ index });
    const { slack } = running;
    slow = true;
    // The click's trigger is already 2.5 s old when it reaches the bot (Slack's queue, the network).
    await postSigned(
      running.eventsUrl,
      buttonClickBody(
        { action_id: 'subscribe_topic', value: 'knowledge distillation' },
        { responseUrl: slack.responseUrl('modal'), triggerAgeMs: 2500 },
      ),
      FORM,
    );
    const [update] = await slack.waitFor(
      () => slack.callsTo('views.update').length === 1 && slack.callsTo('views.update'),
      10_000,
    );
    const [open] = slack.callsTo('views.open');
    expect(slack.views.size).toBe(1); // views.open was accepted
    expect(JSON.stringify(open?.args.view)).toContain('Finding the papers it would post');
    const view = update?.args.view as Record<string, unknown>;
    expect(viewViolations(view)).toEqual([]);
    expect(JSON.stringify(view.blocks)).toContain('Preview: what it would post now');
    expect(JSON.stringify(view.blocks)).toContain('Knowledge Distillation');
    expect(answersTo(running, 'modal')).toEqual([]); // no "could not open the form"
  });
});

describe("Slack's rate limit (about one message per second per channel, after a short burst)", () => {
  test('six digests due at once in one channel: the one beyond the burst waits for Retry-After, none is lost or doubled', async () => {
    // The test poster does not space its posts (production waits 1.1 s between posts to a channel).
    running = await startApp({ clock: new FakeClock(new Date('2026-11-27T09:00:00Z')) });
    const { slack, store, scheduler } = running;
    const topics = [
      'reward model',
      'knowledge distillation',
      'diffusion',
      'federated learning',
      'contrastive loss',
      'semantic segmentation',
    ];
    for (const [i, topic] of topics.entries()) {
      await store.add(subscription(`rate${i}`, { topic, nextRunAt: '2026-11-27T09:00:00.000Z' }));
    }
    const started = Date.now();
    const runs = await scheduler.tick();
    expect(runs.map((run) => run.outcome)).toEqual(topics.map(() => 'posted'));
    const limited = slack.callsTo('chat.postMessage').length - topics.length;
    expect(limited).toBeGreaterThan(0); // Slack did answer 429s
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000); // and they were waited out
    const keys = digestsIn(slack).map((m) => m.metadata?.event_payload.run);
    expect(new Set(keys).size).toBe(topics.length);
    expect(keys).toHaveLength(topics.length);
  });
});
