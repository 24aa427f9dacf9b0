import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { expectValidMessage, sectionTexts } from '../support/blockKit.js';
import { FakeSlack } from '../support/fakeSlack.js';
import { eventBody, postSigned } from '../support/signing.js';
import { type RunningApp, startApp } from '../support/slackApp.js';

const JSON_TYPE = 'application/json';
const BOT = `<@${FakeSlack.BOT_USER_ID}>`;

function mention(text: string, fields: Record<string, unknown> = {}) {
  return {
    type: 'app_mention',
    user: 'U0ALICE',
    text,
    ts: '1700000100.000200',
    channel: 'C0GENERAL',
    ...fields,
  };
}

describe('mentions through the Bolt HTTP receiver', () => {
  let running: RunningApp;
  beforeAll(async () => {
    running = await startApp();
  });
  afterAll(async () => running.stop());
  beforeEach(() => {
    running.slack.calls.length = 0;
  });

  const posts = () => running.slack.callsTo('chat.postMessage');

  test('a question is answered in a new thread under the mention with the top 3 cards', async () => {
    const response = await postSigned(
      running.eventsUrl,
      eventBody(mention(`${BOT} papers on reward model ensembles?`)),
      JSON_TYPE,
    );
    expect(response.status).toBe(200);
    const [post] = await running.slack.waitFor(() => posts().length === 1 && posts());
    expect(post?.args.channel).toBe('C0GENERAL');
    expect(post?.args.thread_ts).toBe('1700000100.000200');
    const cards = sectionTexts(post?.args ?? {});
    expect(cards).toHaveLength(3);
    expect(cards[0]).toMatch(/^\*Reward Model Ensembles Help Mitigate Overoptimization\*/);
    expect(post?.token).toBe('xoxb-test');
    expectValidMessage(post?.args ?? {});
  });

  test('a question inside a thread is answered in that thread', async () => {
    await postSigned(
      running.eventsUrl,
      eventBody(
        mention(`${BOT} knowledge distillation`, { ts: '1700000300.000100', thread_ts: '1700000200.000100' }),
      ),
      JSON_TYPE,
    );
    const [post] = await running.slack.waitFor(() => posts().length === 1 && posts());
    expect(post?.args.thread_ts).toBe('1700000200.000100');
    expect(JSON.stringify(post?.args.blocks)).toContain('Knowledge Distillation');
  });

  test("a bare mention in a thread searches with the thread's first message and says so", async () => {
    running.slack.on('conversations.replies', (args) => ({
      body: {
        ok: true,
        messages: [
          {
            ts: args.ts,
            user: 'U0BOB',
            text: 'Has anyone looked at federated learning when client data is heterogeneous? <https://example.com|notes>',
          },
        ],
      },
    }));
    await postSigned(
      running.eventsUrl,
      eventBody(
        mention(`${BOT} any papers on this?`, { ts: '1700000500.000100', thread_ts: '1700000400.000100' }),
      ),
      JSON_TYPE,
    );
    const [post] = await running.slack.waitFor(() => posts().length === 1 && posts());
    const [replies] = running.slack.callsTo('conversations.replies');
    expect(replies?.args).toMatchObject({ channel: 'C0GENERAL', ts: '1700000400.000100', limit: '1' });
    expect(post?.args.thread_ts).toBe('1700000400.000100');
    const blocks = JSON.stringify(post?.args.blocks);
    expect(blocks).toContain("Searched with the thread's first message");
    expect(blocks).toContain('Tackling Data Heterogeneity in Federated Learning via Loss Decomposition');
    expectValidMessage(post?.args ?? {});
  });

  test('a bare mention outside a thread explains how to ask', async () => {
    await postSigned(running.eventsUrl, eventBody(mention(BOT, { ts: '1700000600.000100' })), JSON_TYPE);
    const [post] = await running.slack.waitFor(() => posts().length === 1 && posts());
    expect(post?.args.text).toContain('Ask me about a topic');
    expect(running.slack.callsTo('conversations.replies')).toHaveLength(0);
  });

  test('a retried event (same event_id) is answered once', async () => {
    const body = eventBody(mention(`${BOT} semantic segmentation`, { ts: '1700000700.000100' }), 'EvRETRY1');
    await postSigned(running.eventsUrl, body, JSON_TYPE);
    await postSigned(running.eventsUrl, body, JSON_TYPE, {
      headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' },
    });
    await running.slack.waitFor(() => posts().length >= 1);
    // Give a wrongly accepted retry time to arrive before asserting it did not.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(posts()).toHaveLength(1);
  });

  test('mentions posted by bots are ignored', async () => {
    await postSigned(
      running.eventsUrl,
      eventBody(mention(`${BOT} reward models`, { bot_id: 'B0OTHER', ts: '1700000800.000100' })),
      JSON_TYPE,
    );
    await postSigned(
      running.eventsUrl,
      eventBody(mention(`${BOT} contrastive loss`, { ts: '1700000900.000100' })),
      JSON_TYPE,
    );
    const [post] = await running.slack.waitFor(() => posts().length >= 1 && posts());
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(posts()).toHaveLength(1);
    expect(post?.args.thread_ts).toBe('1700000900.000100');
  });

  test('when the thread cannot be read, the user is told how to ask instead', async () => {
    running.slack.on('conversations.replies', () => ({ body: { ok: false, error: 'missing_scope' } }));
    await postSigned(
      running.eventsUrl,
      eventBody(mention(BOT, { ts: '1700001000.000100', thread_ts: '1700000999.000100' })),
      JSON_TYPE,
    );
    const [post] = await running.slack.waitFor(() => posts().length === 1 && posts());
    expect(post?.args.text).toContain("I couldn't read this thread's first message");
  });
});
