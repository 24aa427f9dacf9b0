import { afterEach, describe, expect, test } from '@jest/globals';
import { Library } from '../../src/library.js';
import { FakeClock } from '../support/bot.js';
import { type AppKind, type FakeReply, FakeSlack, TIER1_LIMIT, TIER1_READS } from '../support/fakeSlack.js';
import { bundledPapers, makePaper } from '../support/papers.js';
import { buttonClickBody, eventBody, postSigned, slashCommandBody } from '../support/signing.js';
import { type RunningApp, startApp } from '../support/slackApp.js';
import { shareLink } from '../support/userActions.js';

// Every guarantee under both kinds of install: a distributed, non-Marketplace app reads history
// and replies once a minute per method (pages of 15); an internal app at Tier 3. The same
// scenarios pass for both: no read over the limit, no answer later than 3 s, nothing posted twice.
const FORM = 'application/x-www-form-urlencoded';
const BOT = `<@${FakeSlack.BOT_USER_ID}>`;
const ANSWER_WITHIN_MS = 3000;

const discussedPaper = makePaper({
  id: '2310.02743',
  arxivId: '2310.02743',
  title: 'Reward Model Ensembles Help Mitigate Overoptimization',
  abstract: 'Ensembles of reward models mitigate overoptimization in RLHF.',
  upvotes: 30,
  arrivedAt: '2026-11-20T00:00:00.000Z',
});

let running: RunningApp | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

/** The app over a fake Slack on the scenario's clock, installed as `kind` in T0TEST. */
async function start(kind: AppKind): Promise<RunningApp> {
  const clock = new FakeClock(new Date('2026-11-26T12:00:00Z'));
  const slack = await new FakeSlack({ now: () => clock.now().getTime() }).start();
  slack.installAs('T0TEST', kind);
  slack.addChannel({ id: 'C0GENERAL', name: 'general' });
  slack.addChannel({ id: 'C0ML', name: 'ml-reading' });
  const index = await Library.inMemory([...bundledPapers(), discussedPaper]);
  running = await startApp({ slack, clock, index, library: index });
  return running;
}

/** No read was refused (429) or asked for more than a Tier 1 page. */
function expectWithinReadLimits(slack: FakeSlack): void {
  const reads = slack.calls.filter((call) => (TIER1_READS as readonly string[]).includes(call.method));
  expect(reads.filter((call) => call.status === 429)).toEqual([]);
  for (const read of reads) expect(Number(read.args.limit)).toBeLessThanOrEqual(TIER1_LIMIT);
}

/** chat.postMessage answers `replies` in turn, then as Slack does. */
function postMessageAnswers(slack: FakeSlack, replies: FakeReply[]): void {
  slack.on('chat.postMessage', () => replies.shift() ?? { body: { ok: true } });
}

/** `/paper <text>` in `channel`; resolves to the answer and how long it took. */
async function slash(app: RunningApp, text: string, id: string, channel = 'C0GENERAL') {
  const sent = performance.now();
  const body = slashCommandBody(text, app.slack.responseUrl(id), { channel_id: channel });
  expect((await postSigned(app.eventsUrl, body, FORM)).status).toBe(200);
  const answer = await app.slack.waitFor(() => app.slack.responses.find((r) => r.id === id));
  return { answer, ms: answer.receivedAt - sent };
}

/** A mention event for a message already in the channel; resolves when paperbot answered in its thread. */
async function mention(app: RunningApp, text: string, threadTs?: string) {
  const { ts } = app.slack.userMessage('C0GENERAL', { text, ...(threadTs ? { thread_ts: threadTs } : {}) });
  const thread = threadTs ?? ts;
  const before = app.slack.messagesIn('C0GENERAL').filter((m) => m.bot_id && m.thread_ts === thread).length;
  const sent = performance.now();
  await postSigned(
    app.eventsUrl,
    eventBody({
      type: 'app_mention',
      user: 'U0ALICE',
      text,
      ts,
      channel: 'C0GENERAL',
      ...(threadTs ? { thread_ts: threadTs } : {}),
    }),
    'application/json',
  );
  const answers = await app.slack.waitFor(() => {
    const found = app.slack.messagesIn('C0GENERAL').filter((m) => m.bot_id && m.thread_ts === thread);
    return found.length > before && found;
  });
  return { answer: answers.at(-1), ms: performance.now() - sent };
}

const digestsIn = (slack: FakeSlack) =>
  slack.messagesIn('C0GENERAL').filter((m) => m.metadata?.event_type === 'paperbot_digest');

describe.each<[string, AppKind]>([
  ['a distributed, non-Marketplace app (Tier 1 reads)', 'distributed'],
  ['an internal app (Tier 3 reads)', 'internal'],
])('installed as %s', (_name, kind) => {
  test('a digest whose answer was lost is posted once; one the minute cannot check waits for a later tick', async () => {
    const app = await start(kind);
    const { slack, clock, scheduler } = app;
    await slash(app, 'subscribe knowledge distillation tz UTC', 'sub');
    clock.set('2026-11-27T09:00:00Z');
    // Slack stores the digest, the answer is lost: one read finds it.
    postMessageAnswers(slack, [{ body: { ok: true }, hangUp: true }]);
    expect((await scheduler.tick())[0]?.outcome).toBe('posted');
    expect(digestsIn(slack)).toHaveLength(1);
    expect(slack.callsTo('conversations.history')).toHaveLength(1);

    // The next day Slack fails twice without acting (HTTP 500): checked once (not there, posted
    // again); the second failure cannot be checked within the minute, so it is left pending.
    clock.set('2026-11-28T09:00:00Z');
    await app.index.ingest({
      papers: [
        makePaper({
          id: 'kd-new',
          title: 'Knowledge distillation for tiny students',
          arrivedAt: '2026-11-28T08:00:00.000Z',
        }),
      ],
      skipped: [],
    });
    const broken = { status: 500, body: { ok: false, error: 'internal_error' } };
    postMessageAnswers(slack, [broken, broken]);
    expect((await scheduler.tick())[0]?.outcome).toBe('failed');
    clock.advance(30_000);
    expect((await scheduler.tick())[0]?.outcome).toBe('failed'); // still within the minute: no read
    clock.advance(30_000);
    expect((await scheduler.tick())[0]?.outcome).toBe('posted');
    expect(digestsIn(slack)).toHaveLength(2);
    expectWithinReadLimits(slack);
  });

  test('/paper answers with discussed papers at once, without reading their threads', async () => {
    const app = await start(kind);
    const thread = await shareLink(app, 'C0ML', discussedPaper);
    for (let i = 0; i < 40; i++) app.slack.userMessage('C0ML', { text: `reply ${i}`, thread_ts: thread });
    const answers = [];
    for (let i = 0; i < 5; i++)
      answers.push(await slash(app, 'reward model ensembles overoptimization', `s${i}`));
    for (const { answer, ms } of answers) {
      expect(ms).toBeLessThan(ANSWER_WITHIN_MS);
      expect(JSON.stringify(answer.body.blocks)).toContain(':speech_balloon: Shared in <#C0ML>');
    }
    expect(app.slack.callsTo('conversations.replies')).toEqual([]);
    expectWithinReadLimits(app.slack);
  });

  test('bare mentions in a thread are answered at once: from its first message when the minute allows, else asking for words', async () => {
    const app = await start(kind);
    const { ts: parent } = app.slack.userMessage('C0GENERAL', {
      text: 'Has anyone tried knowledge distillation for segmentation?',
    });
    const first = await mention(app, `${BOT}`, parent);
    expect(first.ms).toBeLessThan(ANSWER_WITHIN_MS);
    expect(JSON.stringify(first.answer?.blocks)).toContain("Searched with the thread's first message");
    // A second bare mention within the minute, in a thread where paperbot has shown no papers (in
    // the first one it has now: its answer), cannot read: no wait, it asks for words.
    const { ts: otherParent } = app.slack.userMessage('C0GENERAL', {
      text: 'What about pruning for detection?',
    });
    const second = await mention(app, `${BOT} ?`, otherParent);
    expect(second.ms).toBeLessThan(ANSWER_WITHIN_MS);
    expect(second.answer?.text).toContain('Ask me with a few words');
    // A mention with words never reads the thread.
    const third = await mention(app, `${BOT} semantic segmentation distillation`, parent);
    expect(third.ms).toBeLessThan(ANSWER_WITHIN_MS);
    expect(app.slack.callsTo('conversations.replies')).toHaveLength(1);
    expectWithinReadLimits(app.slack);
  });

  test('a bare mention in a thread where paperbot saw papers is answered from them, without reading the thread', async () => {
    const app = await start(kind);
    const thread = await shareLink(app, 'C0GENERAL', discussedPaper);
    const { answer, ms } = await mention(app, `${BOT}`, thread);
    expect(ms).toBeLessThan(ANSWER_WITHIN_MS);
    expect(JSON.stringify(answer?.blocks)).toContain('Papers like the ones already in this thread');
    expect(JSON.stringify(answer?.blocks)).not.toContain(`paper:${discussedPaper.id}"`); // not the thread's own
    expect(app.slack.callsTo('conversations.replies')).toEqual([]);
    expectWithinReadLimits(app.slack);
  });

  test('a share and a mention answer whose answers were lost are posted once, each within 3 s', async () => {
    const app = await start(kind);
    const { slack, clock } = app;
    postMessageAnswers(slack, [{ body: { ok: true }, hangUp: true }]);
    const sent = performance.now();
    await postSigned(
      app.eventsUrl,
      buttonClickBody(
        { action_id: 'share_paper', value: discussedPaper.id },
        { responseUrl: slack.responseUrl('share') },
      ),
      FORM,
    );
    const confirmation = await slack.waitFor(() => slack.responses.find((r) => r.id === 'share'));
    expect(confirmation.receivedAt - sent).toBeLessThan(ANSWER_WITHIN_MS);
    expect(confirmation.body.text).toBe(':white_check_mark: Shared to the channel.');
    const shared = slack.messagesIn('C0GENERAL').filter((m) => String(m.text).startsWith('Shared by'));
    expect(shared).toHaveLength(1);

    // A mention's answer lost the same minute: its thread (replies) has a minute of its own.
    postMessageAnswers(slack, [{ body: { ok: true }, hangUp: true }]);
    const { answer, ms } = await mention(app, `${BOT} contrastive loss`);
    expect(ms).toBeLessThan(ANSWER_WITHIN_MS);
    await new Promise((resolve) => setTimeout(resolve, 700)); // room for a (wrong) second post
    expect(
      slack.messagesIn('C0GENERAL').filter((m) => m.thread_ts === answer?.thread_ts && m.bot_id),
    ).toHaveLength(1);

    // Another lost share within the minute cannot be checked: not posted twice, and the person is told.
    postMessageAnswers(slack, [{ body: { ok: true }, hangUp: true }]);
    await postSigned(
      app.eventsUrl,
      buttonClickBody(
        { action_id: 'share_paper', value: discussedPaper.id },
        { responseUrl: slack.responseUrl('share2') },
      ),
      FORM,
    );
    const told = await slack.waitFor(() => slack.responses.find((r) => r.id === 'share2'));
    expect(String(told.body.text)).not.toBe(':white_check_mark: Shared to the channel.');
    expect(slack.messagesIn('C0GENERAL').filter((m) => String(m.text).startsWith('Shared by'))).toHaveLength(
      2,
    );
    clock.advance(60_000);
    expectWithinReadLimits(slack);
  });

  test('a follow-up whose answer was lost is found in its thread and not posted twice', async () => {
    const app = await start(kind);
    const { slack } = app;
    await shareLink(app, 'C0ML', discussedPaper);
    slack.on('chat.postMessage', () => ({ body: { ok: true }, hangUp: true }));
    await app.index.ingest({ papers: [{ ...discussedPaper, arxivVersion: 3 }], skipped: [] });
    await app.followUps.idle();
    slack.off('chat.postMessage');
    const followUps = slack.messagesIn('C0ML').filter((m) => m.metadata?.event_type === 'paperbot_follow_up');
    expect(followUps).toHaveLength(1);
    expect((await app.discussions.followUpsIn('T0TEST')).map((f) => f.status)).toEqual(['posted']);
    expect(slack.callsTo('conversations.replies')).toHaveLength(1);
    expectWithinReadLimits(slack);
  });
});
