import { PassThrough } from 'node:stream';
import { expect, test } from '@jest/globals';
import { Replies } from '../../src/bot/replies.js';
import {
  CONSOLE_CHANNEL,
  CONSOLE_TEAM,
  ConsoleDigestPoster,
  ConsoleFollowUpPoster,
  runConsole,
} from '../../src/console/console.js';
import { FollowUps } from '../../src/discussions/followUps.js';
import { createMemoryDiscussionStore } from '../../src/discussions/store.js';
import { Library } from '../../src/library.js';
import { silentLogger } from '../../src/logger.js';
import type { Paper } from '../../src/papers/paper.js';
import { Scheduler } from '../../src/subscriptions/scheduler.js';
import { createMemoryStore } from '../../src/subscriptions/store.js';
import { FakeClock } from '../support/bot.js';
import { bundledPapers } from '../support/papers.js';

const ENSEMBLES = 'reward-model-ensembles-help-mitigate-overoptimization';

test('in the console: /paper who names who shared a topic’s papers, forget me works, /paper recap and its subscription print the week', async () => {
  let printed = '';
  const output = new PassThrough();
  output.on('data', (chunk: Buffer) => {
    printed += chunk.toString();
  });
  const index = await Library.inMemory(bundledPapers());
  const store = createMemoryStore();
  const discussions = createMemoryDiscussionStore();
  const clock = new FakeClock(new Date('2026-11-26T12:00:00Z'));
  const deps = { index, store, now: clock.now, logger: silentLogger, discussions };
  const scheduler = new Scheduler({ ...deps, poster: new ConsoleDigestPoster(output, { color: false }) });
  const replies = new Replies({ ...deps, scheduler });
  const followUps = new FollowUps({
    store: discussions,
    poster: new ConsoleFollowUpPoster(output, { color: false }),
    paper: async (id) => index.get(id),
    now: clock.now,
    logger: silentLogger,
  });
  // Two people of the console's workspace shared papers in its channel (one of them twice).
  const shared = (ts: string, paperId: string, user: string) => ({
    team: CONSOLE_TEAM,
    channel: CONSOLE_CHANNEL,
    ts,
    threadTs: ts,
    paperId,
    kind: 'link' as const,
    user,
    at: clock.now().toISOString(),
    replyCount: 4,
  });
  const [second] = (
    await index.search(
      { words: ['reward', 'model'], phrases: [], excluded: [], authors: [], hasCode: false },
      { limit: 3 },
    )
  ).hits.filter((h) => h.paper.id !== ENSEMBLES);
  await discussions.record([
    shared('1764158400.000100', ENSEMBLES, 'U0BOB'),
    shared('1764158400.000200', second?.paper.id as string, 'U0BOB'),
    shared('1764158400.000300', ENSEMBLES, 'U0DAVE'),
  ]);
  const before = (await index.get(ENSEMBLES)) as Paper;
  const after = { ...before, links: { ...before.links, code: ['https://github.com/example/rme'] } };
  await followUps.handle([{ before, after }]);

  const input = new PassThrough();
  const done = runConsole(replies, { input, output, interactive: false });
  input.end(
    ['/paper who reward model', '/paper who forget me', '/paper recap', '/paper subscribe recap weekly'].join(
      '\n',
    ),
  );
  await done;
  const [subscribed] = await store.inChannel({ team: CONSOLE_TEAM, channel: CONSOLE_CHANNEL });
  expect((await scheduler.runNow(subscribed as NonNullable<typeof subscribed>)).outcome).toBe('posted');
  expect(printed).toContain('1. @U0BOB: 2 papers in 2 threads, e.g. here');
  expect(printed).toContain('2. @U0DAVE: 1 paper in 1 thread, e.g. here');
  expect(printed).toContain('`/paper who` will never name you');
  expect(printed).toContain('The week in papers');
  expect(printed).toContain(`1. ${before.title}`);
  expect(printed).toContain('8 replies, 2 shares · here');
  expect(printed).toContain(`🚀 ${before.title}: code at github.com/example/rme`);
  expect(printed).toMatch(/\[digest in #console, [\d.]+\]\nThe week in papers/);
});
