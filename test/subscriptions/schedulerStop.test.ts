import { expect, test } from '@jest/globals';
import { Library } from '../../src/library.js';
import { silentLogger } from '../../src/logger.js';
import {
  type DigestTarget,
  type OutgoingDigest,
  type PostResult,
  Scheduler,
} from '../../src/subscriptions/scheduler.js';
import { createMemoryStore } from '../../src/subscriptions/store.js';
import { FakeClock, RecordingPoster } from '../support/bot.js';
import { bundledPapers } from '../support/papers.js';
import { subscription } from '../support/subscriptions.js';

/** A poster whose posts wait until the test lets them through. */
class GatedPoster extends RecordingPoster {
  started = 0;
  private gate: (() => void) | undefined;
  private opened = new Promise<void>((resolve) => {
    this.gate = resolve;
  });
  open(): void {
    this.gate?.();
  }
  override async post(target: DigestTarget, digest: OutgoingDigest, runKey: string): Promise<PostResult> {
    this.started++;
    await this.opened;
    return super.post(target, digest, runKey);
  }
}

test('stop() lets the digests being posted finish and record, starts no other, and leaves the rest due', async () => {
  const poster = new GatedPoster();
  const store = createMemoryStore();
  const clock = new FakeClock(new Date('2026-11-26T12:00:00Z'));
  const index = await Library.inMemory(bundledPapers());
  const scheduler = new Scheduler({ store, index, poster, now: clock.now, logger: silentLogger });
  const channels = Array.from({ length: 20 }, (_, i) => `C${String(i).padStart(3, '0')}`);
  for (const [i, channel] of channels.entries())
    await store.add(
      subscription(`s${String(i).padStart(5, '0')}`, {
        channel,
        topic: 'reward model',
        nextRunAt: clock.now().toISOString(),
      }),
    );
  const tick = scheduler.tick();
  while (poster.started < 8) await new Promise((resolve) => setTimeout(resolve, 1));
  const stopped = scheduler.stop();
  poster.open();
  await stopped;
  const runs = await tick;
  expect(runs.map((run) => run.outcome)).toEqual(Array(8).fill('posted')); // the 8 under way, no more
  expect(poster.posts).toHaveLength(8);
  const stored = await store.inTeam('T0TEST');
  const posted = stored.filter((s) => s.lastPostAt);
  expect(posted.map((s) => s.channel).sort()).toEqual(poster.posts.map((p) => p.channel).sort());
  expect(stored.filter((s) => s.pendingRun)).toEqual([]);
  // The others are still due: the next start posts them.
  expect(stored.filter((s) => !s.lastPostAt && s.nextRunAt <= clock.now().toISOString())).toHaveLength(12);
});
