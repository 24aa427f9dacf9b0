import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { webApi } from '@slack/bolt';
import { silentLogger } from '../../src/logger.js';
import {
  ANSWER_POLICY,
  type CallFailure,
  ChannelPoster,
  callFailure,
  createPostingClient,
} from '../../src/slack/posting.js';
import { createMemoryReadBudget } from '../../src/slack/readBudget.js';
import { type FakeReply, FakeSlack } from '../support/fakeSlack.js';

let slack: FakeSlack;
beforeAll(async () => {
  slack = await new FakeSlack().start();
});
afterAll(async () => slack.stop());

const connection = (apiUrl: string) => ({
  mode: 'http' as const,
  botToken: 'xoxb-test',
  signingSecret: 's',
  port: 0,
  apiUrl,
});

/**
 * What a real WebClient call that Slack answers with `reply` throws, classified. The timeout is
 * generous unless the case is about timing out: a loaded CI machine can take 300 ms to connect.
 */
async function failureOf(reply: FakeReply, timeout = 10_000): Promise<CallFailure> {
  slack.on('auth.test', () => reply);
  const client = createPostingClient(connection(slack.apiUrl), silentLogger, { timeout });
  try {
    await client.auth.test();
    throw new Error('the call succeeded');
  } catch (error) {
    return callFailure(error);
  } finally {
    slack.off('auth.test');
  }
}

describe('callFailure: did Slack act on a failed call?', () => {
  test.each<[string, FakeReply, CallFailure]>([
    [
      'a refusal (ok: false)',
      { body: { ok: false, error: 'invalid_blocks' } },
      { kind: 'refused', error: 'invalid_blocks' },
    ],
    [
      'a 429 with Retry-After',
      { status: 429, headers: { 'retry-after': '7' }, body: { ok: false, error: 'ratelimited' } },
      { kind: 'later', error: 'ratelimited', retryAfterMs: 7000 },
    ],
    [
      'service_unavailable',
      { body: { ok: false, error: 'service_unavailable' } },
      { kind: 'later', error: 'service_unavailable' },
    ],
    // Slack: "It's possible some aspect of the operation succeeded before the error was raised."
    [
      'internal_error',
      { body: { ok: false, error: 'internal_error' } },
      { kind: 'unknown', error: 'internal_error' },
    ],
    ['an HTTP 503', { status: 503, body: { ok: false } }, { kind: 'unknown', error: 'http_503' }],
  ])('%s', async (_name, reply, expected) => {
    expect(await failureOf(reply)).toEqual(expected);
  });

  test('a dropped connection and a timeout may have been acted on', async () => {
    expect((await failureOf({ body: { ok: true }, hangUp: true })).kind).toBe('unknown');
    expect((await failureOf({ body: { ok: true }, delayMs: 1000 }, 300)).kind).toBe('unknown');
  });

  test('a refused connection never reached Slack', () => {
    // The error a WebClient call to a closed port throws under Node: undici's TypeError, whose
    // cause is the socket error. (Built here: in jest's VM realm the WebClient re-wraps undici's
    // error, which comes from another realm, and drops its cause.)
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    const error = new webApi.WebAPIRequestError(new TypeError('fetch failed', { cause: refused }));
    expect(callFailure(error)).toMatchObject({ kind: 'not-sent' });
    const reset = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
    expect(
      callFailure(new webApi.WebAPIRequestError(new TypeError('fetch failed', { cause: reset }))),
    ).toMatchObject({
      kind: 'unknown',
    });
  });
});

describe('ChannelPoster', () => {
  const poster = () =>
    new ChannelPoster(
      createPostingClient(connection(slack.apiUrl), silentLogger, { timeout: 10_000 }),
      { ...ANSWER_POLICY, sleep: async () => {} },
      { team: 'T0TEST', budget: createMemoryReadBudget() },
    );
  const message = (text: string) => ({
    text,
    blocks: [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text } }],
  });

  test('a post that never reached Slack (service_unavailable) is tried again, without reading the channel', async () => {
    slack.calls.length = 0;
    const answers = [{ body: { ok: false, error: 'service_unavailable' } }];
    slack.on('chat.postMessage', () => answers.shift() ?? { body: { ok: true } });
    expect(await poster().post({ channel: 'C0ONE', ...message('one') })).toEqual({
      ok: true,
      ts: expect.any(String),
    });
    slack.off('chat.postMessage');
    expect(slack.callsTo('chat.postMessage')).toHaveLength(2);
    expect(slack.callsTo('conversations.history')).toHaveLength(0);
    expect(slack.messagesIn('C0ONE')).toHaveLength(1);
  });

  test('a lost answer that cannot be checked is not tried again: ambiguous', async () => {
    slack.on('chat.postMessage', () => ({ body: { ok: true }, hangUp: true }));
    slack.on('conversations.history', () => ({ body: { ok: false, error: 'missing_scope' } }));
    const result = await poster().post({ channel: 'C0TWO', ...message('two') });
    slack.off('chat.postMessage');
    slack.off('conversations.history');
    expect(result).toMatchObject({ ok: false, ambiguous: true });
    expect(slack.messagesIn('C0TWO')).toHaveLength(1);
  });

  test('not_in_channel pauses, invalid_blocks is a refusal of the message itself', async () => {
    slack.on('chat.postMessage', () => ({ body: { ok: false, error: 'not_in_channel' } }));
    expect(await poster().post({ channel: 'C0THREE', ...message('three') })).toMatchObject({
      ok: false,
      error: 'not_in_channel',
      pauseReason: expect.stringContaining('/invite @paperbot'),
    });
    slack.off('chat.postMessage');
    // A section with no text is refused by the fake as Slack refuses it.
    expect(
      await poster().post({ channel: 'C0THREE', text: 'x', blocks: [{ type: 'section' } as never] }),
    ).toEqual({ ok: false, error: 'invalid_blocks', refused: true });
  });
});
