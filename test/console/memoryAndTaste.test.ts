import { expect, test } from '@jest/globals';
import { CONSOLE_CHANNEL, CONSOLE_TEAM } from '../../src/console/console.js';
import type { Paper } from '../../src/papers/paper.js';
import { consoleRig } from '../support/consoleRig.js';
import { subscription } from '../support/subscriptions.js';

test('in the console: a digest is remembered, its paper’s news prints under it, cards say so, and /paper taste works', async () => {
  const { index, store, discussions, clock, scheduler, followUps, printed, type } =
    await consoleRig('2026-11-26T12:00:00Z');
  const sub = subscription('cons', {
    team: CONSOLE_TEAM,
    channel: CONSOLE_CHANNEL,
    topic: 'reward model ensembles',
  });
  await store.add(sub);
  expect((await scheduler.runNow(sub)).outcome).toBe('posted');
  const [sighting] = await discussions.threadsOf(['reward-model-ensembles-help-mitigate-overoptimization']);
  expect(sighting).toMatchObject({ team: 'console', channel: 'console', kind: 'digest' });
  const before = (await index.get(sighting?.paperId ?? '')) as Paper;
  const after = {
    ...before,
    links: { ...before.links, code: [...before.links.code, 'https://github.com/example/rme'] },
  };
  expect((await followUps.handle([{ before, after }])).map((r) => r.outcome)).toEqual(['posted']);
  await store.recordFeedback({ team: CONSOLE_TEAM, channel: CONSOLE_CHANNEL }, before.id, 'like');
  clock.advance(2 * 3600_000);

  await type([
    '/paper reward model ensembles',
    '/paper taste',
    '/paper taste reset',
    '/paper taste reset confirm',
  ]);
  expect(printed()).toContain(`[reply in the thread of ${sighting?.ts} in #console]`);
  expect(printed()).toContain(
    '🚀 Code is out for Reward Model Ensembles Help Mitigate Overoptimization: https://github.com/example/rme',
  );
  expect(printed()).toContain('💬 Posted here, 2 hours ago');
  expect(printed()).toContain("This channel's taste (1 vote)");
  expect(printed()).toContain("Forget this channel's 1 vote?");
  expect(printed()).toContain("🗑 Forgot this channel's 1 vote; its taste starts afresh.");
});
