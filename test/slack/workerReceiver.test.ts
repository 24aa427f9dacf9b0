import { execFileSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { App } from '@slack/bolt';
import { BUSY } from '../../src/blocks/messages.js';
import { silentLogger } from '../../src/logger.js';
import { signatureProblem } from '../../src/slack/signature.js';
import { type ListeningReceiver, WorkerHttpReceiver } from '../../src/slack/workerReceiver.js';
import { eventBody, postSigned, SIGNING_SECRET, signature, slashCommandBody } from '../support/signing.js';
import { type RunningApp, startApp } from '../support/slackApp.js';

const FORM = 'application/x-www-form-urlencoded';
const BUSY_TEXT = BUSY.text;

/**
 * Blocks this thread while a child process POSTs a signed `/paper` to `url` and waits `holdMs`
 * more: whatever answers the child meanwhile was answered by the receiver's own thread. Returns
 * the child's HTTP status and how long the ack took.
 */
function postWhileBlocked(
  url: string,
  responseUrl: string,
  holdMs: number,
): { status: number; ackMs: number } {
  const body = slashCommandBody('reward model ensembles', responseUrl);
  const timestamp = Math.floor(Date.now() / 1000);
  const headers = {
    'content-type': FORM,
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': signature(body, timestamp),
  };
  const script = `
    const started = performance.now();
    const response = await fetch(${JSON.stringify(url)}, { method: 'POST', headers: ${JSON.stringify(headers)}, body: ${JSON.stringify(body)} });
    const ackMs = performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, ${holdMs}));
    console.log(JSON.stringify({ status: response.status, ackMs }));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  return JSON.parse(out) as { status: number; ackMs: number };
}

describe('the receiver thread, with the whole app behind it', () => {
  let running: RunningApp;
  beforeAll(async () => {
    running = await startApp();
  });
  afterAll(async () => running.stop());

  test('acks a command while the main thread is blocked, and the command is answered once after', async () => {
    const { status } = postWhileBlocked(running.eventsUrl, running.slack.responseUrl('blocked-short'), 0);
    expect(status).toBe(200); // acked though this thread was blocked all along
    await running.slack.waitFor(() => running.slack.responses.some((r) => r.id === 'blocked-short'));
    await new Promise((resolve) => setTimeout(resolve, 500));
    // With papers, or "busy" when the child took more than a second to exit (a loaded machine).
    expect(running.slack.responses.filter((r) => r.id === 'blocked-short')).toHaveLength(1);
  });

  test('a command the main thread cannot take in time is told "busy" by the receiver, and only that', async () => {
    // Bolt on the main thread never runs it: the receiving thread claimed it and answered.
    const processed: unknown[] = [];
    running.app.use(async ({ body, next }) => {
      if (JSON.stringify(body).includes('blocked-long')) processed.push(body);
      await next();
    });
    const { status } = postWhileBlocked(running.eventsUrl, running.slack.responseUrl('blocked-long'), 2000);
    expect(status).toBe(200);
    await running.slack.waitFor(() => running.slack.responses.some((r) => r.id === 'blocked-long'));
    // The main thread got the request too, after: it must not answer a second time.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const answers = running.slack.responses.filter((r) => r.id === 'blocked-long');
    expect(answers.map((r) => r.body.text)).toEqual([BUSY_TEXT]);
    expect(answers[0]?.body.response_type).toBe('ephemeral');
    expect(processed).toEqual([]);
  });

  test('a forged request is refused with 401 by the receiver thread, even while the main thread is blocked', async () => {
    const body = slashCommandBody('reward', running.slack.responseUrl('forged-blocked'));
    const timestamp = Math.floor(Date.now() / 1000);
    const script = `
      const response = await fetch(${JSON.stringify(running.eventsUrl)}, { method: 'POST', body: ${JSON.stringify(body)},
        headers: { 'content-type': '${FORM}', 'x-slack-request-timestamp': '${timestamp}', 'x-slack-signature': '${signature(body, timestamp, 'not-the-secret')}' } });
      console.log(response.status);`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(out.trim()).toBe('401');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(running.slack.responses.filter((r) => r.id === 'forged-blocked')).toHaveLength(0);
  });
});

test('a receiving thread that stops on its own is reported, and one stopped by the app is not', async () => {
  const exits: number[] = [];
  const receiverWith = () =>
    new WorkerHttpReceiver({
      signingSecret: SIGNING_SECRET,
      busyMessage: BUSY,
      shedAfterMs: 1000,
      onThreadExit: (code) => exits.push(code),
    });
  const authorize = async () => ({ botToken: 'xoxb-test', botId: 'B0', botUserId: 'U0BOT' });
  const stoppedByApp = receiverWith();
  const calm = new App({ receiver: stoppedByApp, convoStore: false, authorize });
  await calm.start(0);
  await calm.stop();
  expect(exits).toEqual([]);

  const dying = receiverWith();
  const deaf = new App({ receiver: dying, convoStore: false, authorize });
  await deaf.start(0);
  // The thread dies under the app (as an uncaught error in it would end it).
  await (dying as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
  await waitUntil(() => exits.length > 0);
  expect(exits).toEqual([1]);
  await deaf.stop(); // what is left of it (its other paths' server) still stops
  expect(exits).toEqual([1]);
});

describe('what the receiver answers itself, and what waits for the listener', () => {
  let app: App;
  let url: string;
  const seen: Array<{ kind: string; retryNum?: number; retryReason?: string }> = [];
  beforeAll(async () => {
    const receiver = new WorkerHttpReceiver({
      signingSecret: SIGNING_SECRET,
      logger: { ...silentLogger, setLevel: () => {}, getLevel: () => 'info' as never, setName: () => {} },
      busyMessage: BUSY,
      shedAfterMs: 1000,
      bodyLimit: 64 * 1024,
      customRoutes: [
        { path: '/ping', method: ['GET'], handler: (_req, res) => res.writeHead(200).end('pong') },
      ],
    });
    app = new App({
      receiver,
      convoStore: false,
      authorize: async () => ({ botToken: 'xoxb-test', botId: 'B0', botUserId: 'U0BOT' }),
    });
    app.view('needs_topic', async ({ ack }) => {
      await ack({ response_action: 'errors', errors: { topic: 'Say what to follow.' } });
    });
    app.options('topic_menu', async ({ ack }) => {
      await ack({ options: [{ text: { type: 'plain_text', text: 'RLHF' }, value: 'rlhf' }] });
    });
    app.event('app_mention', async ({ context }) => {
      seen.push({
        kind: 'app_mention',
        ...(context.retryNum === undefined ? {} : { retryNum: context.retryNum }),
        ...(context.retryReason === undefined ? {} : { retryReason: context.retryReason }),
      });
    });
    app.command('/paper', async ({ ack }) => {
      await ack();
      seen.push({ kind: '/paper' });
    });
    const listening = (await app.start({ port: 0, host: '127.0.0.1' })) as ListeningReceiver;
    url = `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
  });
  afterAll(async () => app.stop());

  const interaction = (payload: Record<string, unknown>) =>
    new URLSearchParams({ payload: JSON.stringify(payload) }).toString();

  test('a modal submission waits for its listener’s ack, whose content is the response', async () => {
    const response = await postSigned(
      `${url}/slack/events`,
      interaction({
        type: 'view_submission',
        team: { id: 'T0TEST' },
        user: { id: 'U0ALICE', team_id: 'T0TEST' },
        view: { id: 'V1', callback_id: 'needs_topic', state: { values: {} } },
      }),
      FORM,
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({
      response_action: 'errors',
      errors: { topic: 'Say what to follow.' },
    });
  });

  test('a menu’s options come from its listener', async () => {
    const response = await postSigned(
      `${url}/slack/events`,
      interaction({
        type: 'block_suggestion',
        action_id: 'topic_menu',
        block_id: 'b',
        value: 'rl',
        team: { id: 'T0TEST' },
        user: { id: 'U0ALICE' },
      }),
      FORM,
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      options: [{ text: { type: 'plain_text', text: 'RLHF' }, value: 'rlhf' }],
    });
  });

  test('url_verification is answered with its challenge, ssl_check with an empty 200', async () => {
    const challenge = await postSigned(
      `${url}/slack/events`,
      JSON.stringify({ type: 'url_verification', challenge: 'c-42', token: 'x' }),
      'application/json',
    );
    expect(await challenge.json()).toEqual({ challenge: 'c-42' });
    const ssl = await postSigned(`${url}/slack/events`, 'ssl_check=1&token=x', FORM, { unsigned: true });
    expect(ssl.status).toBe(200);
    expect(await ssl.text()).toBe('');
  });

  test('a command is acked with an empty 200 and then reaches its listener', async () => {
    const before = seen.length;
    const response = await postSigned(
      `${url}/slack/events`,
      slashCommandBody('help', 'http://127.0.0.1:9/r'),
      FORM,
    );
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
    await waitUntil(() => seen.length > before);
    expect(seen.at(-1)?.kind).toBe('/paper');
  });

  test('an event is acked at once, and Slack’s retry headers reach the listener', async () => {
    const before = seen.length;
    const response = await postSigned(
      `${url}/slack/events`,
      eventBody({
        type: 'app_mention',
        user: 'U0ALICE',
        text: '<@U0BOT> hi',
        ts: '1.1',
        channel: 'C0GENERAL',
      }),
      'application/json',
      { headers: { 'x-slack-retry-num': '2', 'x-slack-retry-reason': 'http_timeout' } },
    );
    expect(response.status).toBe(200);
    await waitUntil(() => seen.length > before);
    expect(seen.at(-1)).toEqual({ kind: 'app_mention', retryNum: 2, retryReason: 'http_timeout' });
  });

  test('a body over the limit is refused with 413, a malformed one with 400', async () => {
    const big = await postSigned(`${url}/slack/events`, `text=${'x'.repeat(70 * 1024)}`, FORM);
    expect(big.status).toBe(413);
    const malformed = await postSigned(`${url}/slack/events`, '{not json', 'application/json');
    expect(malformed.status).toBe(400);
    // JSON that is not an object: refused, and the thread still receives what comes next.
    for (const notAnObject of ['null', '42', '[]'])
      expect((await postSigned(`${url}/slack/events`, notAnObject, 'application/json')).status).toBe(400);
    expect((await postSigned(`${url}/slack/events`, 'payload=null', FORM)).status).toBe(400);
    const after = await postSigned(`${url}/slack/events`, '{not json', 'application/json');
    expect(after.status).toBe(400);
  });

  test('other paths are the main thread’s: custom routes answer, unknown ones are 404', async () => {
    const ping = await fetch(`${url}/ping`);
    expect(ping.status).toBe(200);
    expect(await ping.text()).toBe('pong');
    expect((await fetch(`${url}/nowhere`)).status).toBe(404);
  });
});

describe('signatureProblem', () => {
  const now = 1_800_000_000_000;
  const at = Math.floor(now / 1000);
  const body = 'command=%2Fpaper&text=rlhf';
  test('accepts Slack’s signature within five minutes either way', () => {
    for (const skew of [-299, 0, 299])
      expect(
        signatureProblem(SIGNING_SECRET, body, String(at + skew), signature(body, at + skew), now),
      ).toBeUndefined();
  });
  test('refuses what Slack did not sign', () => {
    expect(signatureProblem(SIGNING_SECRET, body, undefined, undefined, now)).toBe('unsigned');
    expect(signatureProblem(SIGNING_SECRET, body, String(at), signature(body, at, 'other'), now)).toBe(
      'a wrong signature',
    );
    expect(signatureProblem(SIGNING_SECRET, `${body}x`, String(at), signature(body, at), now)).toBe(
      'a wrong signature',
    );
    expect(signatureProblem(SIGNING_SECRET, body, String(at + 301), signature(body, at + 301), now)).toBe(
      'a timestamp more than 5 minutes off',
    );
    expect(signatureProblem(SIGNING_SECRET, body, String(at - 301), signature(body, at - 301), now)).toBe(
      'a timestamp more than 5 minutes off',
    );
    expect(signatureProblem(SIGNING_SECRET, body, 'soon', signature(body, at), now)).toBe(
      'a malformed timestamp',
    );
    expect(
      signatureProblem(SIGNING_SECRET, body, String(at), signature(body, at).replace('v0=', 'v1='), now),
    ).toBe('an unknown signature version');
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
