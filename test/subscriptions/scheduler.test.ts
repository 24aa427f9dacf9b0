import { describe, expect, test } from '@jest/globals';
import { silentLogger } from '../../src/logger.js';
import {
  CHANNELS_AT_ONCE,
  type DigestPoster,
  type PostResult,
  Scheduler,
} from '../../src/subscriptions/scheduler.js';
import type { DigestClaims, SubscriptionStore } from '../../src/subscriptions/store.js';
import { makeBot, RecordingPoster } from '../support/bot.js';
import { makePaper } from '../support/papers.js';
import { subscription } from '../support/subscriptions.js';

const papers = [
  makePaper({ title: 'Reward Model Ensembles', arrivedAt: '2026-11-20T00:00:00.000Z' }),
  makePaper({ title: 'Reward Models for Robots', arrivedAt: '2026-11-21T00:00:00.000Z' }),
];

async function setup() {
  const bot = await makeBot({ papers, now: '2026-11-27T08:59:00Z' });
  return bot;
}

describe('Scheduler', () => {
  test('nothing is due before the time; at the time the digest is posted and recorded', async () => {
    const { store, scheduler, clock, poster } = await setup();
    await store.add(subscription('aaaa', { topic: 'reward models' }));
    expect(await scheduler.tick()).toEqual([]);
    clock.set('2026-11-27T09:00:00Z');
    expect(await scheduler.tick()).toEqual([{ subscriptionId: 'aaaa', outcome: 'posted', papers: 2 }]);
    expect(poster.posts).toHaveLength(1);
    expect(poster.posts[0]?.message.text).toMatch(
      /^2 new papers on reward models:\n1\. Reward Models for Robots\n2\. Reward Model Ensembles$/,
    );
    expect(await store.get('T0TEST', 'aaaa')).toMatchObject({
      lastRunAt: '2026-11-27T09:00:00.000Z',
      nextRunAt: '2026-11-28T09:00:00.000Z',
    });
    expect(Object.keys(await store.postedIn({ team: 'T0TEST', channel: 'C0GENERAL' }))).toHaveLength(2);
  });

  test('the next day only papers that arrived since; nothing new means nothing posted', async () => {
    const { store, scheduler, clock, poster, index } = await setup();
    await store.add(subscription('aaaa', { topic: 'reward models' }));
    clock.set('2026-11-27T09:00:00Z');
    await scheduler.tick();
    await index.ingest({
      papers: [makePaper({ title: 'Reward Models at Scale', arrivedAt: '2026-11-27T15:00:00.000Z' })],
      skipped: [],
    });
    clock.set('2026-11-28T09:00:00Z');
    expect(await scheduler.tick()).toEqual([{ subscriptionId: 'aaaa', outcome: 'posted', papers: 1 }]);
    expect(poster.posts[1]?.message.text).toContain('1. Reward Models at Scale');
    clock.set('2026-11-29T09:00:00Z');
    expect(await scheduler.tick()).toEqual([{ subscriptionId: 'aaaa', outcome: 'nothing-new', papers: 0 }]);
    expect(poster.posts).toHaveLength(2);
  });

  test('a run missed for days happens once, then the schedule goes on from now', async () => {
    const { store, scheduler, clock, poster } = await setup();
    await store.add(subscription('aaaa', { topic: 'reward models' }));
    clock.set('2026-11-30T10:30:00Z'); // three runs missed
    expect((await scheduler.tick()).map((run) => run.outcome)).toEqual(['posted']);
    expect(await scheduler.tick()).toEqual([]);
    expect(poster.posts).toHaveLength(1);
    expect((await store.get('T0TEST', 'aaaa'))?.nextRunAt).toBe('2026-12-01T09:00:00.000Z');
  });

  test('ticks that race join one run: one post', async () => {
    const { store, scheduler, clock, poster } = await setup();
    await store.add(subscription('aaaa', { topic: 'reward models' }));
    clock.set('2026-11-27T09:00:00Z');
    const [first, second] = await Promise.all([scheduler.tick(), scheduler.tick()]);
    expect(first).toBe(second);
    expect(poster.posts).toHaveLength(1);
  });

  test('a digest by hand while the scheduled one runs is refused as busy', async () => {
    const { store, scheduler, clock, poster } = await setup();
    await store.add(subscription('aaaa', { topic: 'reward models' }));
    clock.set('2026-11-27T09:00:00Z');
    const sub = await store.get('T0TEST', 'aaaa');
    if (!sub) throw new Error('missing');
    const [tick, byHand] = await Promise.all([scheduler.tick(), scheduler.runNow(sub)]);
    expect([...tick.map((r) => r.outcome), byHand.outcome].sort()).toEqual(['busy', 'posted']);
    expect(poster.posts).toHaveLength(1);
  });

  test('a channel the bot cannot post in pauses the subscription with the reason; nothing is recorded as posted', async () => {
    const { store, scheduler, clock, poster } = await setup();
    await store.add(subscription('aaaa', { topic: 'reward models' }));
    poster.results.push({ ok: false, error: 'not_in_channel', pauseReason: 'I am not in this channel' });
    clock.set('2026-11-27T09:00:00Z');
    expect(await scheduler.tick()).toEqual([
      {
        subscriptionId: 'aaaa',
        outcome: 'paused',
        papers: 0,
        error: 'not_in_channel',
        pauseReason: 'I am not in this channel',
      },
    ]);
    expect((await store.get('T0TEST', 'aaaa'))?.state).toEqual({
      status: 'paused',
      reason: 'I am not in this channel',
      since: '2026-11-27T09:00:00.000Z',
    });
    expect(await store.postedIn({ team: 'T0TEST', channel: 'C0GENERAL' })).toEqual({});
    clock.set('2026-11-28T09:00:00Z');
    expect(await scheduler.tick()).toEqual([]); // paused subscriptions are not due
  });

  test('another Slack error leaves the digest due: the next tick posts it', async () => {
    const { store, scheduler, clock, poster } = await setup();
    await store.add(subscription('aaaa', { topic: 'reward models' }));
    poster.results.push({ ok: false, error: 'internal_error' });
    clock.set('2026-11-27T09:00:00Z');
    expect((await scheduler.tick())[0]?.outcome).toBe('failed');
    expect(await store.postedIn({ team: 'T0TEST', channel: 'C0GENERAL' })).toEqual({});
    clock.set('2026-11-27T09:00:30Z');
    expect((await scheduler.tick())[0]?.outcome).toBe('posted');
    expect(poster.posts).toHaveLength(1);
  });

  test('Slack refusing the digest itself pauses it after 3 refusals in a row; a post in between starts the count again', async () => {
    const { store, scheduler, clock, poster, replies, index } = await setup();
    await store.add(subscription('aaaa', { topic: 'reward models' }));
    const refused = { ok: false as const, error: 'invalid_blocks', refused: true };
    poster.results.push(refused, refused, { ok: true });
    const outcomes = async () => {
      const runs: string[] = [];
      for (let i = 0; i < 3; i++) {
        clock.advance(30_000);
        runs.push(...(await scheduler.tick()).map((run) => run.outcome));
      }
      return runs;
    };
    clock.set('2026-11-27T09:00:00Z');
    expect(await scheduler.tick()).toMatchObject([{ outcome: 'failed', error: 'invalid_blocks' }]);
    expect((await store.get('T0TEST', 'aaaa'))?.refusals).toEqual({ count: 1, error: 'invalid_blocks' });
    expect(await outcomes()).toEqual(['failed', 'posted']); // the third run posts: no pause
    expect((await store.get('T0TEST', 'aaaa'))?.refusals).toBeUndefined();
    await index.ingest({
      papers: [makePaper({ title: 'Reward Models Again', arrivedAt: '2026-11-27T10:00:00.000Z' })],
      skipped: [],
    });
    clock.set('2026-11-28T09:00:00Z');
    poster.results.push(refused, refused, refused);
    expect(await scheduler.tick()).toMatchObject([{ outcome: 'failed' }]);
    expect(await outcomes()).toEqual(['failed', 'paused']);
    expect((await store.get('T0TEST', 'aaaa'))?.state).toEqual({
      status: 'paused',
      reason: 'Slack refused this digest 3 times (invalid_blocks); /paper resume tries again',
      since: '2026-11-28T09:01:00.000Z',
    });
    // /paper resume starts afresh: the earlier refusals no longer count.
    await replies.subscriptions.resume('T0TEST', 'aaaa');
    expect((await store.get('T0TEST', 'aaaa'))?.refusals).toBeUndefined();
  });

  test('papers beyond one digest come in the next ones, each once; older backlog is not drained', async () => {
    const { store, scheduler, clock, poster, index } = await setup();
    await store.add(subscription('aaaa', { topic: 'reward models', createdAt: '2026-11-26T12:00:00.000Z' }));
    const arrivals = Array.from({ length: 7 }, (_, i) =>
      makePaper({ title: `Reward Models Study ${i + 1}`, arrivedAt: `2026-11-27T1${i}:00:00.000Z` }),
    );
    clock.set('2026-11-27T09:00:00Z');
    await scheduler.tick(); // the first digest: the two older papers
    await index.ingest({ papers: arrivals, skipped: [] });
    for (const day of ['28', '29', '30']) {
      clock.set(`2026-11-${day}T09:00:00Z`);
      await scheduler.tick();
    }
    const titles = poster.posts.map((post) =>
      post.message.text
        .split('\n')
        .slice(1)
        .map((line) => line.replace(/^\d+\. /, '')),
    );
    expect(titles).toEqual([
      ['Reward Models for Robots', 'Reward Model Ensembles'],
      [
        'Reward Models Study 7',
        'Reward Models Study 6',
        'Reward Models Study 5',
        'Reward Models Study 4',
        'Reward Models Study 3',
      ],
      ['Reward Models Study 2', 'Reward Models Study 1'],
    ]);
    expect((await store.get('T0TEST', 'aaaa'))?.papersSince).toBe('2026-11-30T09:00:00.000Z');
  });

  describe('a digest whose answer was lost is never posted twice', () => {
    test('it had landed: the next run finds it in the channel and records it without posting', async () => {
      const { store, scheduler, clock, poster } = await setup();
      await store.add(subscription('aaaa', { topic: 'reward models' }));
      poster.results.push({ ok: false, error: 'request_error', ambiguous: true, landed: true });
      clock.set('2026-11-27T09:00:00Z');
      expect((await scheduler.tick())[0]?.outcome).toBe('failed');
      expect((await store.get('T0TEST', 'aaaa'))?.pendingRun?.paperIds).toHaveLength(2);
      clock.set('2026-11-27T09:00:30Z');
      expect(await scheduler.tick()).toEqual([{ subscriptionId: 'aaaa', outcome: 'posted', papers: 2 }]);
      expect(poster.posts).toHaveLength(1);
      expect(Object.keys(await store.postedIn({ team: 'T0TEST', channel: 'C0GENERAL' }))).toHaveLength(2);
      expect((await store.get('T0TEST', 'aaaa'))?.pendingRun).toBeUndefined();
    });

    test('it had not landed: the next run posts it, once', async () => {
      const { store, scheduler, clock, poster } = await setup();
      await store.add(subscription('aaaa', { topic: 'reward models' }));
      poster.results.push({ ok: false, error: 'request_error', ambiguous: true });
      clock.set('2026-11-27T09:00:00Z');
      await scheduler.tick();
      clock.set('2026-11-27T09:00:30Z');
      expect((await scheduler.tick())[0]?.outcome).toBe('posted');
      expect(poster.posts).toHaveLength(1);
    });

    test('while the channel cannot be checked, nothing is posted', async () => {
      const { store, scheduler, clock, poster } = await setup();
      await store.add(subscription('aaaa', { topic: 'reward models' }));
      poster.results.push({ ok: false, error: 'request_error', ambiguous: true, landed: true });
      clock.set('2026-11-27T09:00:00Z');
      await scheduler.tick();
      poster.historyUnavailable = true;
      clock.set('2026-11-27T09:00:30Z');
      expect(await scheduler.tick()).toEqual([
        {
          subscriptionId: 'aaaa',
          outcome: 'failed',
          papers: 0,
          error: 'could not check the previous digest',
        },
      ]);
      poster.historyUnavailable = false;
      clock.set('2026-11-27T09:01:00Z');
      expect((await scheduler.tick())[0]?.outcome).toBe('posted');
      expect(poster.posts).toHaveLength(1);
    });

    test('a crash after Slack accepted, before the run was stored: the restarted scheduler does not repost', async () => {
      const { store, clock, poster, index } = await setup();
      await store.add(subscription('aaaa', { topic: 'reward models' }));
      // The store dies right when the run is recorded, as a killed process would.
      const killed = async () => Promise.reject(new Error('killed'));
      const dying = new Proxy(store, {
        get: (target, name) =>
          name === 'recordRun' || name === 'recordRuns'
            ? killed
            : Reflect.get(target, name, target).bind(target),
      });
      clock.set('2026-11-27T09:00:00Z');
      await expect(
        new Scheduler({ store: dying, index, poster, now: clock.now, logger: silentLogger }).tick(),
      ).rejects.toThrow('killed');
      expect(poster.posts).toHaveLength(1);
      const restarted = new Scheduler({ store, index, poster, now: clock.now, logger: silentLogger });
      clock.set('2026-11-27T09:05:00Z');
      expect((await restarted.tick())[0]?.outcome).toBe('posted');
      expect(poster.posts).toHaveLength(1);
      expect(Object.keys(await store.postedIn({ team: 'T0TEST', channel: 'C0GENERAL' }))).toHaveLength(2);
    });
  });

  describe('replicas sharing one store', () => {
    /** `count` due subscriptions on the topic, one per channel C0..C<count-1>. */
    async function channels(store: SubscriptionStore, count: number) {
      for (let i = 0; i < count; i++)
        await store.add(
          subscription(`s${String(i).padStart(4, '0')}`, { topic: 'reward models', channel: `C${i}` }),
        );
    }

    test('two replicas ticking at once post every due digest once, between them', async () => {
      const { store, index, clock, poster } = await setup();
      await channels(store, 120);
      clock.set('2026-11-27T09:00:00Z');
      const replica = () => new Scheduler({ store, index, poster, now: clock.now, logger: silentLogger });
      const [one, two] = await Promise.all([replica().tick(), replica().tick()]);
      const posted = [...(one ?? []), ...(two ?? [])].filter((run) => run.outcome === 'posted');
      expect(posted).toHaveLength(120);
      expect(new Set(posted.map((run) => run.subscriptionId)).size).toBe(120);
      expect(poster.posts).toHaveLength(120);
      expect(one?.length).toBeGreaterThan(0); // both took part
      expect(two?.length).toBeGreaterThan(0);
    });

    test('two digests of one channel in a tick never pick the same paper', async () => {
      const { store, scheduler, clock, poster } = await setup();
      await store.add(
        subscription('aaaa', { topic: 'reward models', createdAt: '2026-11-26T10:00:00.000Z' }),
      );
      await store.add(subscription('bbbb', { topic: 'reward model', createdAt: '2026-11-26T11:00:00.000Z' }));
      await store.add(subscription('cccc', { topic: 'reward models', channel: 'C0OTHER' }));
      clock.set('2026-11-27T09:00:00Z');
      const runs = await scheduler.tick();
      expect(runs.map((run) => [run.subscriptionId, run.outcome]).sort()).toEqual([
        ['aaaa', 'posted'],
        ['bbbb', 'nothing-new'], // aaaa, older, took both papers in this channel
        ['cccc', 'posted'],
      ]);
      expect(poster.posts.map((post) => post.channel).sort()).toEqual(['C0GENERAL', 'C0OTHER']);
    });

    test(`a replica posts to ${CHANNELS_AT_ONCE} channels at a time, never to one channel twice at once`, async () => {
      const { store, index, clock } = await setup();
      for (let i = 0; i < 20; i++) {
        await store.add(
          subscription(`a${String(i).padStart(3, '0')}`, { topic: 'reward models', channel: `C${i}` }),
        );
        await store.add(
          subscription(`b${String(i).padStart(3, '0')}`, { topic: 'reward model', channel: `C${i}` }),
        );
      }
      const inFlight = new Map<string, number>();
      let most = 0;
      let overlapInChannel = false;
      const slow = new RecordingPoster();
      const post = slow.post.bind(slow);
      slow.post = async (target, digest, runKey) => {
        const here = (inFlight.get(target.channel) ?? 0) + 1;
        inFlight.set(target.channel, here);
        if (here > 1) overlapInChannel = true;
        most = Math.max(
          most,
          [...inFlight.values()].reduce((a, b) => a + b, 0),
        );
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight.set(target.channel, here - 1);
        return post(target, digest, runKey);
      };
      clock.set('2026-11-27T09:00:00Z');
      const runs = await new Scheduler({
        store,
        index,
        poster: slow,
        now: clock.now,
        logger: silentLogger,
      }).tick();
      expect(runs).toHaveLength(40);
      expect(runs.filter((run) => run.outcome === 'posted')).toHaveLength(20); // the second of each channel finds nothing left
      expect(most).toBe(CHANNELS_AT_ONCE);
      expect(overlapInChannel).toBe(false);
    });

    test('a replica dying mid-post leaves the channel to another, which finds the digest and does not post it again', async () => {
      const { store, index, clock } = await setup();
      await store.add(subscription('aaaa', { topic: 'reward models' }));
      const landed: string[] = [];
      const dying: DigestPoster = {
        // The post reaches Slack, and the replica dies before it hears back.
        post: async (_target, _digest, runKey) => {
          landed.push(runKey);
          return new Promise<PostResult>(() => {});
        },
        alreadyPosted: async () => undefined,
      };
      const sessions: DigestClaims[] = [];
      const watched = new Proxy(store, {
        get: (target, name) =>
          name === 'openClaims'
            ? async () => {
                const claims = await target.openClaims();
                sessions.push(claims);
                return claims;
              }
            : Reflect.get(target, name, target).bind(target),
      });
      clock.set('2026-11-27T09:00:00Z');
      void new Scheduler({
        store: watched,
        index,
        poster: dying,
        now: clock.now,
        logger: silentLogger,
      }).tick();
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(landed).toHaveLength(1);
      await sessions[0]?.close(); // the process is gone: so is its session
      const survivor = new RecordingPoster();
      survivor.alreadyPosted = async (_target, runKey) => landed.includes(runKey);
      clock.set('2026-11-27T09:00:30Z');
      const runs = await new Scheduler({
        store,
        index,
        poster: survivor,
        now: clock.now,
        logger: silentLogger,
      }).tick();
      expect(runs).toEqual([{ subscriptionId: 'aaaa', outcome: 'posted', papers: 2 }]);
      expect(survivor.posts).toHaveLength(0); // found in the channel, recorded, not posted again
      expect(Object.keys(await store.postedIn({ team: 'T0TEST', channel: 'C0GENERAL' }))).toHaveLength(2);
      expect((await store.get('T0TEST', 'aaaa'))?.pendingRun).toBeUndefined();
    });
  });
});
