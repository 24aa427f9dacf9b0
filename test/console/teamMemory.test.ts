import { expect, test } from '@jest/globals';
import { CONSOLE_CHANNEL, CONSOLE_TEAM } from '../../src/console/console.js';
import type { Paper } from '../../src/papers/paper.js';
import { paperQuery } from '../../src/search/query.js';
import { consoleRig } from '../support/consoleRig.js';

const ENSEMBLES = 'reward-model-ensembles-help-mitigate-overoptimization';

test('in the console: /paper who names who shared a topic’s papers, forget me works, /paper recap and its subscription print the week', async () => {
  const { index, store, discussions, clock, scheduler, followUps, printed, type } =
    await consoleRig('2026-11-26T12:00:00Z');
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
  const [second] = (await index.search(paperQuery({ words: ['reward', 'model'] }), { limit: 3 })).hits.filter(
    (h) => h.paper.id !== ENSEMBLES,
  );
  await discussions.record([
    shared('1764158400.000100', ENSEMBLES, 'U0BOB'),
    shared('1764158400.000200', second?.paper.id as string, 'U0BOB'),
    shared('1764158400.000300', ENSEMBLES, 'U0DAVE'),
  ]);
  const before = (await index.get(ENSEMBLES)) as Paper;
  const after = { ...before, links: { ...before.links, code: ['https://github.com/example/rme'] } };
  await followUps.handle([{ before, after }]);

  await type([
    '/paper who reward model',
    '/paper who forget me',
    '/paper recap',
    '/paper subscribe recap weekly',
  ]);
  const [subscribed] = await store.inChannel({ team: CONSOLE_TEAM, channel: CONSOLE_CHANNEL });
  expect((await scheduler.runNow(subscribed as NonNullable<typeof subscribed>)).outcome).toBe('posted');
  expect(printed()).toContain('1. @U0BOB: 2 papers in 2 threads, e.g. here');
  expect(printed()).toContain('2. @U0DAVE: 1 paper in 1 thread, e.g. here');
  expect(printed()).toContain('`/paper who` will never name you');
  expect(printed()).toContain('The week in papers');
  expect(printed()).toContain(`1. ${before.title}`);
  expect(printed()).toContain('8 replies, 2 shares · here');
  expect(printed()).toContain(`🚀 ${before.title}: code at github.com/example/rme`);
  expect(printed()).toMatch(/\[digest in #console, [\d.]+\]\nThe week in papers/);
});

test('a card shared in the console is remembered as a share: /paper who names you, /paper recap counts it', async () => {
  const { discussions, printed, type } = await consoleRig('2026-11-26T12:00:00Z');
  await type(['/paper reward model ensembles', 'share 1', '/paper who reward model', '/paper recap']);
  expect(printed()).toContain('Shared by you');
  expect(await discussions.threadsOf([ENSEMBLES])).toEqual([
    expect.objectContaining({
      team: CONSOLE_TEAM,
      channel: CONSOLE_CHANNEL,
      kind: 'share',
      user: 'U0CONSOLE',
    }),
  ]);
  expect(printed()).toContain('1. you: 1 paper in 1 thread, e.g. here');
  expect(printed()).toContain('1 thread, 0 replies, 1 share · here');
});
