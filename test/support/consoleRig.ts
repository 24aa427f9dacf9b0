import { PassThrough } from 'node:stream';
import { Replies } from '../../src/bot/replies.js';
import { ConsoleDigestPoster, ConsoleFollowUpPoster, runConsole } from '../../src/console/console.js';
import { FollowUps } from '../../src/discussions/followUps.js';
import { createMemoryDiscussionStore } from '../../src/discussions/store.js';
import { Library } from '../../src/library.js';
import { silentLogger } from '../../src/logger.js';
import { Scheduler } from '../../src/subscriptions/scheduler.js';
import { createMemoryStore } from '../../src/subscriptions/store.js';
import { FakeClock } from './bot.js';
import { bundledPapers } from './papers.js';

/**
 * The console's parts wired as `main()` wires them, in memory, on the bundled papers and a fake
 * clock: digests and follow-ups print to the same output as the answers, so a test can read all
 * of it in `printed()`.
 */
export async function consoleRig(startsAt: string) {
  let printed = '';
  const output = new PassThrough();
  output.on('data', (chunk: Buffer) => {
    printed += chunk.toString();
  });
  const index = await Library.inMemory(bundledPapers());
  const store = createMemoryStore();
  const discussions = createMemoryDiscussionStore();
  const clock = new FakeClock(new Date(startsAt));
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
  return {
    index,
    store,
    discussions,
    clock,
    scheduler,
    replies,
    followUps,
    printed: () => printed,
    /** Types `lines` into a non-interactive console and waits until it has answered them all. */
    async type(lines: string[]): Promise<void> {
      const input = new PassThrough();
      const done = runConsole(replies, { input, output, interactive: false, discussions, now: clock.now });
      input.end(lines.join('\n'));
      await done;
    },
  };
}
