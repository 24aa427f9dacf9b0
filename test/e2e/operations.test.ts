import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { SlackMessage } from '../../src/blocks/message.js';
import { renderText } from '../../src/console/renderText.js';
import { portOf, Readiness, startHealthServer } from '../../src/health.js';
import { Library } from '../../src/library.js';
import { createLogger, silentLogger } from '../../src/logger.js';
import { Metrics, timed } from '../../src/metrics.js';
import { Refresher } from '../../src/papers/refresher.js';
import { configuredSources } from '../../src/papers/refreshSources.js';
import { RefreshState } from '../../src/papers/refreshState.js';
import { RequestTracker } from '../../src/slack/requests.js';
import { VERSION } from '../../src/version.js';
import {
  blocksOf,
  expectValidMessage,
  liveMarkup,
  sectionTexts,
  viewViolations,
} from '../support/blockKit.js';
import { FakeClock } from '../support/bot.js';
import { closedAfter } from '../support/cleanup.js';
import { FakeSources, unbundledHfDays } from '../support/fakeSources.js';
import { BUNDLED_SIZE } from '../support/papers.js';
import { eventBody, postSigned, slashCommandBody } from '../support/signing.js';
import { type RunningApp, startApp } from '../support/slackApp.js';
import { subscription } from '../support/subscriptions.js';
import { tempDir } from '../support/tmp.js';

const FORM = 'application/x-www-form-urlencoded';
const NOW = '2026-11-26T12:00:00Z';

describe('operating a running app: status, health, metrics, request logs', () => {
  let running: RunningApp;
  let sources: FakeSources;
  const metrics = new Metrics({ processMetrics: false });
  const readiness = new Readiness();
  let storeFailure: string | undefined;
  const lines: string[] = [];
  const clock = new FakeClock(new Date('2026-11-26T06:00:00Z'));

  beforeAll(async () => {
    sources = await new FakeSources().start();
    const [day] = unbundledHfDays(1);
    sources.hfDays.set('2026-11-26', day?.items ?? []);
    const state = RefreshState.inMemory();
    // The bundled corpus, and what the refresh adds to it, in a data directory of its own.
    const library = closedAfter(await Library.open(tempDir('paperbot-ops-'), silentLogger));
    const refresher = new Refresher({
      library,
      sources: configuredSources(
        {
          hfApiUrl: sources.hfUrl,
          arxivApiUrl: sources.arxivUrl,
          hfSchedule: '5 * * * *',
          arxivSchedule: '30 6 * * *',
          arxivCategories: ['cs.LG'],
          arxivMax: 10,
        },
        { timeoutMs: 1000, sleep: async () => {} },
      ),
      now: clock.now,
      logger: createLogger({ level: 'error', format: 'json', stream: { write: () => true } }),
      state,
      observe: (run) => metrics.countRefresh(run),
    });
    // Both sources due: HF answers, arXiv fails with a 500.
    clock.set('2026-11-26T06:30:00Z');
    // HF yesterday, HF today, then arXiv: a server error.
    sources.faults = [undefined, undefined, 'http-500'] as unknown as typeof sources.faults;
    await refresher.tick();
    clock.set(NOW);
    readiness.set('index', () => {});
    readiness.set('store', () => {
      if (storeFailure) throw new Error(storeFailure);
    });
    const logger = createLogger({
      level: 'debug',
      format: 'json',
      stream: { write: (line: string) => lines.push(line) },
    });
    running = await startApp({
      clock,
      index: timed(library, 'search', metrics.searchSeconds),
      logger,
      operations: {
        requests: new RequestTracker({ metrics, logger }),
        health: { readiness, metrics },
        status: {
          startedAt: new Date('2026-11-26T11:00:00Z'),
          sources: () => refresher.status(),
          backfill: () => state.backfill,
        },
        observeDigest: (run) => metrics.countDigest(run),
      },
    });
  });
  afterAll(async () => {
    await running.stop();
    await sources.stop();
  });

  async function slash(text: string, id: string) {
    await postSigned(running.eventsUrl, slashCommandBody(text, running.slack.responseUrl(id)), FORM);
    return (await running.slack.waitFor(() => running.slack.responses.find((r) => r.id === id))).body;
  }

  test('/paper status: corpus, each source with its last success or failure and next run, the channel, the version', async () => {
    await running.store.add(
      subscription('rwd001', {
        channel: 'C0GENERAL',
        topic: 'reward models',
        nextRunAt: '2026-11-27T08:00:00Z',
      }),
    );
    const body = await slash('status', 'status');
    if (process.env.PAPERBOT_TIMINGS)
      process.stdout.write(`${JSON.stringify(body)}\n${renderText(body as unknown as SlackMessage)}\n`);
    expectValidMessage(body);
    expect(liveMarkup(body)).toEqual([]);
    expect(blocksOf(body)[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'paperbot status', emoji: false },
    });
    const [corpus, hf, arxiv, channel] = sectionTexts(body);
    const papers = BUNDLED_SIZE + (unbundledHfDays(1)[0]?.items.length ?? 0);
    expect(corpus).toMatch(
      new RegExp(
        // The newest published: a bundled paper of 20 Aug 2026, newer than the replayed day ingested at 06:30.
        `^\\*Corpus:\\* ${papers} papers · newest: “.+” \\(published 2026-08-20, arrived Thu 26 Nov, 00:00 UTC\\)$`,
      ),
    );
    expect(hf).toMatch(
      /^\*Hugging Face daily papers\*\nlast read Thu 26 Nov, 06:30 UTC: \d+ new, 0 updated, 0 unchanged; [\d,]+ papers in the corpus\nnext read Thu 26 Nov, 07:05 UTC$/,
    );
    expect(arxiv).toMatch(
      /^\*arXiv cs\.LG\*\nnot read successfully yet\n:warning: failed Thu 26 Nov, 06:30 UTC: .*HTTP 500 Internal Server Error.*\nnext read Fri 27 Nov, 06:30 UTC$/,
    );
    expect(channel).toBe(
      '*This channel:* 1 subscription\n• *reward models* · `rwd001` · next digest Fri 27 Nov, 08:00 (UTC)',
    );
    expect(JSON.stringify(blocksOf(body).at(-1))).toContain(
      `paperbot ${VERSION} · running since Thu 26 Nov, 11:00 UTC`,
    );
    expect(body.text).toMatch(
      new RegExp(
        `^paperbot ${VERSION}: ${papers} papers, newest “.+”; 2 sources \\(1 failing\\); 1 subscriptions in this channel$`,
      ),
    );
  });

  test('GET /healthz and /readyz on the HTTP receiver, unsigned; a store that does not answer makes it not ready', async () => {
    const health = await fetch(`${running.url}/healthz`);
    expect([health.status, await health.text()]).toEqual([200, 'ok\n']);
    const ready = await fetch(`${running.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true, checks: { index: 'ok', store: 'ok' } });
    storeFailure = 'PostgreSQL does not answer (connect ECONNREFUSED 127.0.0.1:5432)';
    const down = await fetch(`${running.url}/readyz`);
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({
      ready: false,
      checks: { index: 'ok', store: 'PostgreSQL does not answer (connect ECONNREFUSED 127.0.0.1:5432)' },
    });
    storeFailure = undefined;
  });

  test('/metrics counts requests by kind, times acks, answers and searches, digests and refreshes', async () => {
    await slash('reward model ensembles', 'metrics-search');
    await running.store.add(
      subscription('due001', {
        channel: 'C0DIGEST',
        topic: 'reward model',
        nextRunAt: '2026-11-26T11:00:00.000Z',
      }),
    );
    const runs = await running.scheduler.tick();
    expect(runs).toEqual([expect.objectContaining({ subscriptionId: 'due001', outcome: 'posted' })]);
    const text = await (await fetch(`${running.url}/metrics`)).text();
    if (process.env.PAPERBOT_TIMINGS) process.stdout.write(text);
    const value = (series: string) => {
      const line = text.split('\n').find((l) => l.startsWith(`${series} `));
      return line === undefined ? undefined : Number(line.slice(series.length + 1));
    };
    expect(value('paperbot_slack_requests_total{kind="command",name="/paper"}')).toBeGreaterThanOrEqual(2);
    expect(value('paperbot_slack_ack_seconds_count{kind="command"}')).toBeGreaterThanOrEqual(2);
    expect(value('paperbot_answer_seconds_count{what="/paper",outcome="ok"}')).toBeGreaterThanOrEqual(2);
    expect(value('paperbot_search_seconds_count')).toBeGreaterThanOrEqual(2); // an answer and a digest
    expect(value('paperbot_digests_total{outcome="posted"}')).toBe(1);
    expect(value('paperbot_refresh_total{source="Hugging Face daily papers",outcome="ok"}')).toBe(1);
    expect(value('paperbot_refresh_new_papers_total{source="Hugging Face daily papers"}')).toBeGreaterThan(0);
    expect(value('paperbot_queue_depth{queue="answers"}')).toBeUndefined(); // only what a queue reports
    metrics.reportQueue('answers', () => 0);
    const again = await (await fetch(`${running.url}/metrics`)).text();
    expect(again).toContain('paperbot_queue_depth{queue="answers"} 0');
    expect(text).toContain('# TYPE paperbot_slack_ack_seconds histogram');
  });

  test("each request's log lines carry its team, channel and command; errors their stack", async () => {
    running.slack.onRespond(
      'refused',
      { status: 400, text: 'invalid_blocks' },
      { status: 400, text: 'invalid_blocks' },
    );
    lines.length = 0;
    await postSigned(
      running.eventsUrl,
      slashCommandBody('lion optimizer', running.slack.responseUrl('refused')),
      FORM,
    );
    await running.slack.waitFor(() => lines.some((line) => line.includes('the fallback answer failed')));
    const failure = JSON.parse(
      lines.find((line) => line.includes('Slack did not accept the answer')) ?? '{}',
    );
    expect(failure).toMatchObject({
      level: 'error',
      team: 'T0TEST',
      channel: 'C0GENERAL',
      command: '/paper',
      user: 'U0ALICE',
      trigger_id: expect.any(String),
      msg: '/paper: Slack did not accept the answer: invalid_blocks',
    });
    expect(failure.time).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  test('the Home tab shows the status to an admin (the token does not say who installed it), not to others', async () => {
    running.slack.on('users.info', (args) => ({
      body: { ok: true, user: { id: args.user, is_admin: args.user === 'U0ADMIN' } },
    }));
    const open = async (user: string, count: number) => {
      await postSigned(
        running.eventsUrl,
        eventBody({ type: 'app_home_opened', user, channel: `D${user}`, tab: 'home' }),
        'application/json',
      );
      const calls = await running.slack.waitFor(
        () =>
          running.slack.callsTo('views.publish').length === count && running.slack.callsTo('views.publish'),
      );
      const view = calls.at(-1)?.args.view as Record<string, unknown>;
      expect(viewViolations(view)).toEqual([]);
      return JSON.stringify(view.blocks);
    };
    const before = running.slack.callsTo('views.publish').length;
    const admin = await open('U0ADMIN', before + 1);
    expect(admin).toContain('*Status* (shown to whoever installed paperbot)');
    expect(admin).toContain('*Hugging Face daily papers*');
    const member = await open('U0ALICE', before + 2);
    expect(member).not.toContain('*Status*');
  });
});

describe('the health port of Socket Mode', () => {
  test('is alive before the index is loaded, and ready once every check passes', async () => {
    const readiness = new Readiness(['index', 'store']);
    const server = await startHealthServer({ readiness, metrics: new Metrics({ processMetrics: false }) }, 0);
    try {
      const base = `http://127.0.0.1:${portOf(server)}`;
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      const loading = await fetch(`${base}/readyz`);
      expect([loading.status, await loading.json()]).toEqual([
        503,
        { ready: false, checks: { index: 'starting', store: 'starting' } },
      ]);
      readiness.set('index', () => {});
      readiness.set('store', async () => {});
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      readiness.shuttingDown();
      expect(await (await fetch(`${base}/readyz`)).json()).toEqual({
        ready: false,
        checks: { index: 'ok', store: 'ok', shutdown: 'shutting down' },
      });
      expect((await fetch(`${base}/other`)).status).toBe(404);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
