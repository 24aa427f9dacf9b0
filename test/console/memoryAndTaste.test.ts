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
import { subscription } from '../support/subscriptions.js';

test('in the console: a digest is remembered, its paper’s news prints under it, cards say so, and /paper taste works', async () => {
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

  const input = new PassThrough();
  const done = runConsole(replies, { input, output, interactive: false });
  input.end(
    [
      '/paper reward model ensembles',
      '/paper taste',
      '/paper taste reset',
      '/paper taste reset confirm',
    ].join('\n'),
  );
  await done;
  expect(printed).toContain(`[reply in the thread of ${sighting?.ts} in #console]`);
  expect(printed).toContain(
    '🚀 Code is out for Reward Model Ensembles Help Mitigate Overoptimization: https://github.com/example/rme',
  );
  expect(printed).toContain('💬 Posted here, 2 hours ago');
  expect(printed).toContain("This channel's taste (1 vote)");
  expect(printed).toContain("Forget this channel's 1 vote?");
  expect(printed).toContain("🗑 Forgot this channel's 1 vote; its taste starts afresh.");
});
