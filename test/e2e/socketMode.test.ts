import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import type { App } from '@slack/bolt';
import { type WebSocket, WebSocketServer } from 'ws';
import { Unfurls } from '../../src/bot/unfurls.js';
import { silentLogger } from '../../src/logger.js';
import { createSlackApp } from '../../src/slack/app.js';
import { identifyBot } from '../../src/slack/identity.js';
import { sectionTexts } from '../support/blockKit.js';
import { makeBot } from '../support/bot.js';
import { FakeSlack } from '../support/fakeSlack.js';

// Slack's end of Socket Mode on loopback: apps.connections.open (on the fake Web API) hands out
// this server's URL; it says hello, sends envelopes, and records the acks that come back.
let slack: FakeSlack;
let sockets: WebSocketServer;
let app: App;
const connected: WebSocket[] = [];
const acks: Array<{ envelope_id: string }> = [];

beforeAll(async () => {
  slack = await new FakeSlack().start();
  sockets = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await once(sockets, 'listening');
  const { port } = sockets.address() as AddressInfo;
  slack.on('apps.connections.open', () => ({ body: { ok: true, url: `ws://127.0.0.1:${port}/` } }));
  sockets.on('connection', (socket) => {
    connected.push(socket);
    socket.on('message', (data) => acks.push(JSON.parse(String(data))));
    socket.send(
      JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A0PAPERBOT' } }),
    );
  });
  const { replies, index, store } = await makeBot();
  const connection = {
    mode: 'socket',
    botToken: 'xoxb-test',
    appToken: 'xapp-test',
    apiUrl: slack.apiUrl,
  } as const;
  app = createSlackApp({
    connection,
    auth: { kind: 'token', identity: await identifyBot(connection, silentLogger) },
    replies,
    unfurls: new Unfurls(index, async () => undefined, silentLogger),
    home: { index, store },
    logger: silentLogger,
    clientOptions: { retryConfig: { retries: 0 } },
  });
  await app.start();
});

afterAll(async () => {
  await app.stop();
  // Let Bolt's close handshake finish (the server answers its close frame), so no timer is left.
  const closed = Promise.all(
    connected.map((socket) => (socket.readyState === socket.CLOSED ? undefined : once(socket, 'close'))),
  );
  await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
  for (const socket of connected) socket.terminate();
  await new Promise((resolve) => sockets.close(resolve));
  await slack.stop();
});

/** Slack sends `/paper reward model ensembles` over the socket, as envelope `envelopeId`. */
function sendSlashCommand(envelopeId: string, responseId: string, triggerId: string): void {
  connected[0]?.send(
    JSON.stringify({
      envelope_id: envelopeId,
      type: 'slash_commands',
      accepts_response_payload: true,
      payload: {
        token: 'x',
        team_id: 'T0TEST',
        channel_id: 'C0GENERAL',
        user_id: 'U0ALICE',
        command: '/paper',
        text: 'reward model ensembles',
        api_app_id: 'A0PAPERBOT',
        response_url: slack.responseUrl(responseId),
        trigger_id: triggerId,
      },
    }),
  );
}

test('a slash command over Socket Mode is acked on the socket and answered through respond()', async () => {
  expect(slack.callsTo('apps.connections.open')[0]?.token).toBe('xapp-test');
  sendSlashCommand('env-slash-1', 'socket-slash', 'trigger.socket');
  const answer = await slack.waitFor(() => slack.responses.find((r) => r.id === 'socket-slash'));
  expect(acks.find((ack) => ack.envelope_id === 'env-slash-1')).toBeDefined();
  expect(sectionTexts(answer.body)[0]).toMatch(/^\*Reward Model Ensembles Help Mitigate Overoptimization\*/);
});

test('a mention over Socket Mode is answered in its thread', async () => {
  connected[0]?.send(
    JSON.stringify({
      envelope_id: 'env-event-1',
      type: 'events_api',
      accepts_response_payload: false,
      payload: {
        type: 'event_callback',
        team_id: 'T0TEST',
        api_app_id: 'A0PAPERBOT',
        event_id: 'EvSocket1',
        event_time: 1,
        event: {
          type: 'app_mention',
          user: 'U0ALICE',
          text: `<@${FakeSlack.BOT_USER_ID}> contrastive loss`,
          ts: '9.1',
          channel: 'C0GENERAL',
        },
      },
    }),
  );
  const [post] = await slack.waitFor(
    () => slack.callsTo('chat.postMessage').length === 1 && slack.callsTo('chat.postMessage'),
  );
  expect(acks.find((ack) => ack.envelope_id === 'env-event-1')).toBeDefined();
  expect(post?.args).toMatchObject({ channel: 'C0GENERAL', thread_ts: '9.1' });
});

test('over Socket Mode too, an envelope is acked and told "busy" by the receiving thread while this one is blocked', async () => {
  const before = acks.length;
  sendSlashCommand('env-slash-blocked', 'socket-blocked', 'trigger.socket.blocked');
  // This thread (the app's listeners, the fake Slack) stops for 2 s, past the 1 s an answer may wait.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2000);
  const answer = await slack.waitFor(() => slack.responses.find((r) => r.id === 'socket-blocked'));
  expect(acks.slice(before).map((ack) => ack.envelope_id)).toContain('env-slash-blocked');
  expect(answer.body.text).toBe(
    ':hourglass_flowing_sand: I’m busy right now: please try again in a few seconds.',
  );
  // The app got the command after, and left it to the busy answer: nothing else is posted.
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(slack.responses.filter((r) => r.id === 'socket-blocked')).toHaveLength(1);
});
