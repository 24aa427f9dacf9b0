import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { WebSocketServer } from 'ws';
import { openLowdbStore } from '../../src/subscriptions/store.js';
import { type BotProcess, spawnBot } from '../support/botProcess.js';
import { FakeSlack, TEST_TOKEN } from '../support/fakeSlack.js';
import { FakeSources, unbundledHfDays } from '../support/fakeSources.js';
import { indexedDataDir } from '../support/indexedDataDir.js';
import { BUNDLED_SIZE, bundledPapers } from '../support/papers.js';
import { freePort } from '../support/ports.js';
import { type InProcessBot, runMain, startMainBot } from '../support/programs.js';
import { postSigned, SIGNING_SECRET, slashCommandBody } from '../support/signing.js';
import { subscription, TEST_TEAM } from '../support/subscriptions.js';
import { tempDir } from '../support/tmp.js';

// The compiled bot (as `npm start` runs it) on a fake Slack: a first start that backfills, and a
// SIGTERM in the middle of a digest run. Timings are printed with PAPERBOT_TIMINGS=1.
const FORM = 'application/x-www-form-urlencoded';

let slack: FakeSlack;
beforeAll(async () => {
  slack = await new FakeSlack().start();
});
afterEach(() => {
  slack.off('chat.postMessage');
});
afterAll(async () => {
  await slack.stop();
});

interface Bot extends BotProcess {
  port: number;
}

/** The settings of a bot on `dataDir` listening on `port`, connected to the fake Slack. */
function botSettings(dataDir: string, port: number, env: Record<string, string>): Record<string, string> {
  return {
    SLACK_BOT_TOKEN: TEST_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    PORT: String(port),
    SLACK_API_URL: slack.apiUrl,
    PAPERBOT_DATA_DIR: dataDir,
    PAPERBOT_REFRESH_HF: 'off',
    PAPERBOT_REFRESH_ARXIV: 'off',
    PAPERBOT_BACKFILL_DAYS: '0',
    PAPERBOT_DIGEST_INTERVAL: '1',
    ...env,
  };
}

/** The compiled bot as a process of its own: for what only a process shows (a signal, its exit status). */
async function startBot(
  dataDir: string,
  env: Record<string, string> = {},
  started = 'paperbot is listening',
): Promise<Bot> {
  const port = await freePort();
  const bot = spawnBot(botSettings(dataDir, port, env));
  await bot.logged(started);
  return { ...bot, port };
}

/** The same bot started in this process (test/support/programs.ts): the start after a shutdown. */
async function startBotHere(dataDir: string, env: Record<string, string> = {}): Promise<InProcessBot> {
  return startMainBot(botSettings(dataDir, await freePort(), env));
}

async function until(condition: () => boolean, ms: number, failure: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(failure());
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The log's JSON lines (every line must be one). */
const jsonLines = (log: string) =>
  log
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

/** The run keys of the digests that reached each channel. */
function digestsByChannel(): Map<string, string[]> {
  const byChannel = new Map<string, string[]>();
  for (const [channel, messages] of slack.history) {
    const runs = messages
      .filter((m) => m.metadata?.event_type === 'paperbot_digest')
      .map((m) => String(m.metadata?.event_payload.run));
    if (runs.length > 0) byChannel.set(channel, runs);
  }
  return byChannel;
}

/** `count` subscriptions due now, one per channel `<prefix>NNN`, on topics the bundled papers match. */
async function dueSubscriptions(dataDir: string, prefix: string, count: number): Promise<string[]> {
  const store = await openLowdbStore(join(dataDir, 'subscriptions.json'));
  const titles = bundledPapers().map((paper) => paper.title.split(/\s+/).slice(0, 3).join(' '));
  const due = new Date(Date.now() - 60_000).toISOString();
  const channels: string[] = [];
  for (let i = 0; i < count; i++) {
    const channel = `C${prefix}${String(i).padStart(3, '0')}`;
    channels.push(channel);
    await store.add(
      subscription(`${prefix.toLowerCase()}${String(i).padStart(4, '0')}`, {
        channel,
        topic: (titles[i % titles.length] as string).replace(/[^\p{L}\p{N} -]/gu, ''),
        nextRunAt: due,
      }),
    );
  }
  await store.close();
  return channels;
}

/**
 * Once the bot that ran them exited: every subscription of `channels` stored as posted and
 * scheduled again, none pending or still due (a second copy would need one of those), and each
 * channel's digest in Slack exactly once.
 */
async function postedOnceEach(dataDir: string, channels: string[], exitedAt: Date): Promise<void> {
  const store = await openLowdbStore(join(dataDir, 'subscriptions.json'));
  const stored = (await store.inTeam(TEST_TEAM)).filter((s) => channels.includes(s.channel));
  await store.close();
  expect(stored).toHaveLength(channels.length);
  for (const s of stored) {
    expect(s.pendingRun).toBeUndefined();
    expect(s.lastPostAt).toBeDefined();
    expect(Date.parse(s.nextRunAt)).toBeGreaterThan(exitedAt.getTime());
  }
  const twice = channels.filter((channel) => (digestsByChannel().get(channel) ?? []).length !== 1);
  expect(twice).toEqual([]);
}

const timings = (line: string) => {
  if (process.env.PAPERBOT_TIMINGS) process.stdout.write(`${line}\n`);
};

describe('a SIGTERM in the middle of a digest run', () => {
  test('the digests under way finish, the rest wait for the next start: each posted once, the process exits 0 at once', async () => {
    const dataDir = indexedDataDir('paperbot-sigterm-');
    const channels = await dueSubscriptions(dataDir, 'T', 40);
    // Slack takes 300 ms to accept each post: the run takes seconds, 8 channels at a time.
    slack.on('chat.postMessage', () => ({ body: { ok: true }, delayMs: 300 }));
    const bot = await startBot(dataDir);
    const mine = () => channels.filter((channel) => digestsByChannel().has(channel)).length;
    await until(
      () => mine() >= 8,
      20_000,
      () => `no digest was posted:\n${bot.log()}`,
    );
    const signalled = performance.now();
    const postedAtSignal = mine();
    bot.child.kill('SIGTERM');
    const { code, at } = await bot.exited;
    const exitMs = Math.round(at - signalled);
    const postedAtExit = mine();
    timings(
      `SIGTERM mid-run: ${postedAtSignal} of 40 posted at the signal, ${postedAtExit} at exit; exit after ${exitMs} ms`,
    );
    expect(code).toBe(0);
    expect(exitMs).toBeLessThan(10_000); // the bound: in practice the posts under way take 300 ms
    expect(postedAtExit).toBeLessThan(40); // it stopped taking new digests
    const lines = jsonLines(bot.log());
    expect(lines.map((line) => line.msg)).toEqual(
      expect.arrayContaining([
        'SIGTERM: shutting down; finishing the work under way (at most 10 s).',
        expect.stringMatching(/^The work under way finished in \d+ ms\.$/),
        expect.stringMatching(/^paperbot stopped in \d+ ms\.$/),
      ]),
    );
    expect(lines.filter((line) => line.level === 'error')).toEqual([]);

    // Nothing lost: every digest that reached Slack is recorded, none is left pending.
    const store = await openLowdbStore(join(dataDir, 'subscriptions.json'));
    const stored = await store.inTeam(TEST_TEAM);
    await store.close();
    const landed = digestsByChannel();
    for (const s of stored) {
      expect(s.pendingRun).toBeUndefined();
      expect(Boolean(s.lastPostAt)).toBe(landed.has(s.channel));
    }

    // The next start posts the rest (Slack now answers at once), and nothing twice: once it has
    // stopped (its work under way finished), each digest is in Slack once and none is due again.
    slack.off('chat.postMessage');
    const second = await startBotHere(dataDir);
    await until(
      () => mine() === 40,
      30_000,
      () => `${mine()} of 40 channels got their digest:\n${second.log()}`,
    );
    second.signal('SIGINT');
    expect(await second.exited).toBe(0);
    await postedOnceEach(dataDir, channels, new Date());
  }, 90_000);

  test('a post still unanswered at the bound is left pending: the next start finds it in the channel and does not post it again', async () => {
    const dataDir = indexedDataDir('paperbot-sigterm-');
    const channels = await dueSubscriptions(dataDir, 'B', 3);
    // Slack stores each post at once but answers only after 5 s, longer than the 1 s bound.
    slack.on('chat.postMessage', () => ({ body: { ok: true }, delayMs: 5000 }));
    const bot = await startBot(dataDir, { PAPERBOT_SHUTDOWN_SECONDS: '1' });
    const mine = () => channels.filter((channel) => digestsByChannel().has(channel)).length;
    await until(
      () => mine() === 3,
      20_000,
      () => `no digest was posted:\n${bot.log()}`,
    );
    const signalled = performance.now();
    bot.child.kill('SIGTERM');
    const { code, at } = await bot.exited;
    const exitMs = Math.round(at - signalled);
    timings(`SIGTERM with posts unanswered, 1 s bound: exit after ${exitMs} ms`);
    expect(code).toBe(0);
    expect(exitMs).toBeLessThan(5000); // it did not wait for Slack's answers
    expect(jsonLines(bot.log()).map((line) => line.msg)).toContain(
      'Work was still under way after 1 s; stopping anyway (unconfirmed digests are checked at the next start).',
    );
    const store = await openLowdbStore(join(dataDir, 'subscriptions.json'));
    const pending = (await store.inTeam(TEST_TEAM)).filter(
      (s) => channels.includes(s.channel) && s.pendingRun,
    );
    await store.close();
    expect(pending).toHaveLength(3);

    slack.off('chat.postMessage');
    // Installed as an internal app, as the fake's workspace is: the three checks of the channels'
    // history take seconds (Tier 3), not one a minute (a distributed app's Tier 1, the default).
    const second = await startBotHere(dataDir, { PAPERBOT_SLACK_APP: 'internal' });
    await until(
      () => jsonLines(second.log()).filter((line) => /had reached/.test(String(line.msg))).length === 3,
      20_000,
      () => second.log(),
    );
    second.signal('SIGTERM');
    expect(await second.exited).toBe(0);
    expect(channels.map((channel) => digestsByChannel().get(channel)?.length)).toEqual([1, 1, 1]);
    await postedOnceEach(dataDir, channels, new Date());
  }, 60_000);
});

describe('a first start connected to Slack', () => {
  let sources: FakeSources;
  beforeAll(async () => {
    sources = await new FakeSources().start();
  });
  afterAll(async () => sources.stop());

  test('backfills the recent days in the background, says so in /paper status and /metrics, and never logs a secret', async () => {
    // The replay's last three days, served as today and the two days before.
    const replay = unbundledHfDays(3);
    const today = Date.now();
    const dates = [2, 1, 0].map((back) => new Date(today - back * 86_400_000).toISOString().slice(0, 10));
    for (const [i, day] of replay.entries()) sources.hfDays.set(dates[i] as string, day.items);
    const papers = replay.reduce((sum, day) => sum + day.items.length, 0);
    const dataDir = tempDir('paperbot-first-');
    const bot = await startBot(dataDir, {
      PAPERBOT_BACKFILL_DAYS: '3',
      // No pause between the days: the fake source needs no politeness.
      PAPERBOT_BACKFILL_PACE: '0',
      PAPERBOT_HF_API_URL: sources.hfUrl,
      LOG_LEVEL: 'debug',
    });
    // Start-up did not wait for it: the bot answers while the backfill reads.
    const health = await fetch(`http://127.0.0.1:${bot.port}/healthz`);
    expect(health.status).toBe(200);
    await bot.logged('Backfill finished', 30_000);
    expect(sources.requests.filter((r) => r.startsWith('/hf/daily_papers'))).toEqual(
      [...dates].reverse().map((date) => `/hf/daily_papers?date=${date}`),
    );
    const messages = jsonLines(bot.log()).map((line) => String(line.msg));
    expect(messages).toEqual(
      expect.arrayContaining([
        `Backfill: reading 3 days of Hugging Face daily papers in the background (${dates[0]} to ${dates[2]}).`,
        expect.stringMatching(
          new RegExp(`^Backfill 1/3: ${dates[2]}: \\d+ papers; \\d+ new, .*; 2 days left$`),
        ),
        `Backfill finished: 3 of 3 days read, ${papers} new papers.`,
      ]),
    );

    await postSigned(
      `http://127.0.0.1:${bot.port}/slack/events`,
      slashCommandBody('status', slack.responseUrl('first-status')),
      FORM,
    );
    const { body } = await slack.waitFor(() => slack.responses.find((r) => r.id === 'first-status'));
    const status = JSON.stringify(body.blocks);
    expect(status).toContain(`*Corpus:* ${(BUNDLED_SIZE + papers).toLocaleString('en-US')} papers`);
    expect(status).toContain('*Backfill* (Hugging Face, last 3 days): finished ');
    expect(status).toContain(`3 of 3 days read, ${papers} new papers`);
    if (process.env.PAPERBOT_TIMINGS) timings(`/paper status answer: ${JSON.stringify(body)}`);

    const metrics = await (await fetch(`http://127.0.0.1:${bot.port}/metrics`)).text();
    expect(metrics).toContain('paperbot_refresh_total{source="Hugging Face backfill",outcome="ok"} 3');
    expect(metrics).toContain(`paperbot_refresh_new_papers_total{source="Hugging Face backfill"} ${papers}`);
    expect(metrics).toContain(`paperbot_corpus_papers ${BUNDLED_SIZE + papers}`);
    expect(metrics).toContain('paperbot_slack_requests_total{kind="command",name="/paper"} 1');
    if (process.env.PAPERBOT_TIMINGS) timings(`/metrics:\n${metrics}`);
    const ready = await fetch(`http://127.0.0.1:${bot.port}/readyz`);
    expect(await ready.json()).toEqual({ ready: true, checks: { index: 'ok', store: 'ok' } });

    bot.child.kill('SIGTERM');
    expect((await bot.exited).code).toBe(0);
    // Debug level: Bolt's and the Web API client's own lines included. Every one is JSON.
    const log = bot.log();
    timings(`log:\n${log}`);
    expect(jsonLines(log).length).toBeGreaterThan(20);
    expect(log).not.toContain(TEST_TOKEN);
    expect(log).not.toContain(SIGNING_SECRET);
  }, 60_000);

  test('the console does not backfill: it says how to, and answers /paper status', async () => {
    const before = sources.requests.length;
    // The console in this process (test/support/programs.ts), its input piped.
    const { code, stdout, stderr } = await runMain(
      {
        PAPERBOT_DATA_DIR: indexedDataDir('paperbot-console-'),
        PAPERBOT_HF_API_URL: sources.hfUrl,
        PAPERBOT_REFRESH_HF: 'off',
        PAPERBOT_REFRESH_ARXIV: 'off',
      },
      '/paper status\n',
    );
    expect(code).toBe(0);
    const since = new Date(Date.now() - 13 * 86_400_000).toISOString().slice(0, 10);
    expect(stderr).toContain(
      `This corpus was never refreshed. The console does not backfill; to add the last 14 days of Hugging Face daily papers: npx paperbot ingest hf-daily --since ${since}\n`,
    );
    expect(stdout).toContain('paperbot status');
    expect(stdout).toContain(`Corpus: ${BUNDLED_SIZE} papers`);
    expect(sources.requests.length).toBe(before); // nothing was fetched
  });
});

describe('Socket Mode', () => {
  test('serves /healthz, /readyz and /metrics on PAPERBOT_HEALTH_PORT, and stops cleanly on SIGTERM', async () => {
    const sockets = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await once(sockets, 'listening');
    const { port } = sockets.address() as AddressInfo;
    slack.on('apps.connections.open', () => ({ body: { ok: true, url: `ws://127.0.0.1:${port}/` } }));
    sockets.on('connection', (socket) =>
      socket.send(
        JSON.stringify({ type: 'hello', num_connections: 1, connection_info: { app_id: 'A0PAPERBOT' } }),
      ),
    );
    try {
      const healthPort = await freePort();
      const bot = await startBotHere(indexedDataDir('paperbot-socket-'), {
        SLACK_APP_TOKEN: 'xapp-test-app-token',
        PAPERBOT_HEALTH_PORT: String(healthPort),
      });
      expect(bot.log()).toContain('paperbot is connected to Slack (Socket Mode)');
      const base = `http://127.0.0.1:${healthPort}`;
      expect(await (await fetch(`${base}/healthz`)).text()).toBe('ok\n');
      expect(await (await fetch(`${base}/readyz`)).json()).toEqual({
        ready: true,
        checks: { index: 'ok', store: 'ok' },
      });
      expect(await (await fetch(`${base}/metrics`)).text()).toContain(
        '# TYPE paperbot_digests_total counter',
      );
      bot.signal('SIGTERM');
      expect(await bot.exited).toBe(0);
      expect(bot.log()).not.toContain('xapp-test-app-token');
    } finally {
      slack.off('apps.connections.open');
      for (const client of sockets.clients) client.terminate();
      await new Promise((resolve) => sockets.close(resolve));
    }
  }, 30_000);
});
