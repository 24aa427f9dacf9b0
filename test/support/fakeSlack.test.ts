import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { webApi } from '@slack/bolt';
import { FakeSlack, newTriggerId, RESPONSE_URL_USES } from './fakeSlack.js';

// The fake must refuse what Slack refuses: each behaviour it models, seen through a real WebClient.
let slack: FakeSlack;
let client: webApi.WebClient;
const silent = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  setLevel() {},
  getLevel: () => webApi.LogLevel.ERROR,
  setName() {},
};
const clientOf = (fake: FakeSlack) =>
  new webApi.WebClient('xoxb-test', {
    slackApiUrl: fake.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    logger: silent,
  });
beforeAll(async () => {
  slack = await new FakeSlack().start();
  client = clientOf(slack);
});
afterAll(async () => slack.stop());

/** Slack's error code for a call, or 'ok'. */
async function outcome(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return 'ok';
  } catch (error) {
    const e = error as { code?: string; data?: { error?: string } };
    return e.code === webApi.ErrorCode.RateLimitedError ? 'ratelimited' : (e.data?.error ?? String(error));
  }
}

const section = (text: string) => ({ type: 'section' as const, text: { type: 'mrkdwn' as const, text } });

describe('the strict fake Slack', () => {
  test('chat.postMessage refuses invalid blocks, no content, over-long text and bad metadata', async () => {
    expect(
      await outcome(
        client.chat.postMessage({ channel: 'C1', text: 'x', blocks: [section('a'.repeat(3001))] }),
      ),
    ).toBe('invalid_blocks');
    expect(await outcome(client.chat.postMessage({ channel: 'C1', text: '' }))).toBe('no_text');
    expect(await outcome(client.chat.postMessage({ channel: 'C1', text: 'a'.repeat(40_001) }))).toBe(
      'msg_too_long',
    );
    expect(
      await outcome(
        client.chat.postMessage({ channel: 'C1', text: 'x', metadata: { event_type: 'x' } as never }),
      ),
    ).toBe('invalid_metadata_format');
    expect(slack.messagesIn('C1')).toEqual([]);
  });

  test('one channel takes a short burst of posts, then 429 with Retry-After; other channels are apart', async () => {
    const limited = await new FakeSlack({ burst: 2 }).start();
    const post = (channel: string) => outcome(clientOf(limited).chat.postMessage({ channel, text: 'hello' }));
    try {
      expect([await post('C2'), await post('C2'), await post('C2'), await post('C3')]).toEqual([
        'ok',
        'ok',
        'ratelimited',
        'ok',
      ]);
    } finally {
      await limited.stop();
    }
  });

  test('views.open takes a trigger once, within 3 s, and a valid modal; views.update needs its view and hash', async () => {
    const view = {
      type: 'modal' as const,
      title: { type: 'plain_text' as const, text: 'Hi' },
      blocks: [section('x')],
    };
    const trigger = newTriggerId();
    const opened = await client.views.open({ trigger_id: trigger, view });
    expect(await outcome(client.views.open({ trigger_id: trigger, view }))).toBe('exchanged_trigger_id');
    expect(await outcome(client.views.open({ trigger_id: newTriggerId(3100), view }))).toBe(
      'expired_trigger_id',
    );
    expect(await outcome(client.views.open({ trigger_id: 'trigger.1', view }))).toBe('invalid_trigger_id');
    expect(
      await outcome(
        client.views.open({
          trigger_id: newTriggerId(),
          view: { ...view, title: { type: 'plain_text', text: 'x'.repeat(25) } },
        }),
      ),
    ).toBe('invalid_arguments');
    const id = opened.view?.id ?? '';
    expect(await outcome(client.views.update({ view_id: 'VNONE', view }))).toBe('not_found');
    expect(await outcome(client.views.update({ view_id: id, hash: 'stale', view }))).toBe('hash_conflict');
    expect(await outcome(client.views.update({ view_id: id, hash: opened.view?.hash ?? '', view }))).toBe(
      'ok',
    );
  });

  test('conversations.history: newest first, pages by limit and cursor, oldest exclusive, metadata only when asked', async () => {
    const first = slack.userMessage('C4', { text: 'first' });
    for (let i = 0; i < 4; i++)
      await client.chat.postMessage({
        channel: 'C5',
        text: `n${i}`,
        metadata: { event_type: 'paperbot_post', event_payload: { run: `k${i}` } },
      });
    const page1 = await client.conversations.history({ channel: 'C5', limit: 3 });
    expect(page1.messages?.map((m) => m.text)).toEqual(['n3', 'n2', 'n1']);
    expect(page1.messages?.[0]?.metadata).toBeUndefined();
    expect(page1.has_more).toBe(true);
    const page2 = await client.conversations.history({
      channel: 'C5',
      limit: 3,
      cursor: page1.response_metadata?.next_cursor ?? '',
      include_all_metadata: true,
    });
    expect(page2.messages?.map((m) => [m.text, m.metadata?.event_payload])).toEqual([['n0', { run: 'k0' }]]);
    expect(page2.response_metadata?.next_cursor).toBe('');
    const all = slack.messagesIn('C5');
    const since = await client.conversations.history({ channel: 'C5', oldest: all[1]?.ts ?? '' });
    expect(since.messages?.map((m) => m.text)).toEqual(['n3', 'n2']);
    expect(await outcome(client.conversations.replies({ channel: 'C4', ts: '1.000001' }))).toBe(
      'thread_not_found',
    );
    expect((await client.conversations.replies({ channel: 'C4', ts: first.ts })).messages?.[0]?.text).toBe(
      'first',
    );
  });

  test('a response_url: 400 and the reason for invalid blocks, 404 after 5 uses or 30 minutes', async () => {
    const post = (url: string, body: unknown) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then(async (response) => `${response.status} ${await response.text()}`);
    const url = slack.responseUrl('uses');
    expect(
      await post(url, { text: 'x', blocks: [{ type: 'header', text: { type: 'mrkdwn', text: 'x' } }] }),
    ).toBe('400 invalid_blocks');
    for (let i = 1; i < RESPONSE_URL_USES; i++)
      expect(await post(url, { text: `answer ${i}` })).toBe('200 ok');
    expect(await post(url, { text: 'one too many' })).toBe('404 used_url');
    expect(await post(slack.responseUrl('old', { ageMs: 31 * 60 * 1000 }), { text: 'late' })).toBe(
      '404 expired_url',
    );
  });

  test('a method it does not model is unknown, as on Slack', async () => {
    expect(
      await outcome(client.apiCall('chat.scheduleMessage', { channel: 'C1', text: 'x', post_at: 1 })),
    ).toBe('unknown_method');
  });
});
