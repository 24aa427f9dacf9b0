import { describe, expect, test } from '@jest/globals';
import type { Sighting } from '../../src/discussions/discussion.js';
import {
  type FollowUpPoster,
  type FollowUpResult,
  FollowUps,
  type OutgoingFollowUp,
  STALE_AFTER_MS,
  type ThreadTarget,
} from '../../src/discussions/followUps.js';
import { newsOf } from '../../src/discussions/news.js';
import { createMemoryDiscussionStore, type DiscussionStore } from '../../src/discussions/store.js';
import { silentLogger } from '../../src/logger.js';
import type { Paper } from '../../src/papers/paper.js';
import { FakeClock } from '../support/bot.js';
import { makePaper } from '../support/papers.js';

const before = makePaper({
  id: '2401.00001',
  arxivId: '2401.00001',
  title: 'Reward model ensembles',
  upvotes: 40,
});
const withCode = { ...before, links: { ...before.links, code: ['https://github.com/a/ensembles'] } };

describe('newsOf', () => {
  test('a new repository, a higher arXiv version, the highest upvote threshold passed', () => {
    expect(newsOf(before, withCode)).toEqual([{ kind: 'code', url: 'https://github.com/a/ensembles' }]);
    expect(newsOf(before, { ...before, arxivVersion: 2 })).toEqual([{ kind: 'version', version: 2 }]);
    expect(newsOf({ ...before, arxivVersion: 2 }, { ...before, arxivVersion: 2 })).toEqual([]);
    // 40 → 120 passes 50 and 100: told once, as the highest.
    expect(newsOf(before, { ...before, upvotes: 120 })).toEqual([
      { kind: 'upvotes', threshold: 100, upvotes: 120 },
    ]);
    expect(newsOf(before, { ...before, upvotes: 49 })).toEqual([]);
    expect(newsOf(withCode, withCode)).toEqual([]); // an abstract fix or the same data again: nothing
  });
});

/** Records follow-ups that reached their thread; answers with the scripted results (ok by default). */
class RecordingFollowUpPoster implements FollowUpPoster {
  readonly posts: Array<{ target: ThreadTarget; followUp: OutgoingFollowUp; key: string }> = [];
  readonly results: Array<FollowUpResult & { landed?: boolean }> = [];
  archived = new Set<string>();
  async isArchived(target: { channel: string }) {
    return this.archived.has(target.channel);
  }
  async post(target: ThreadTarget, followUp: OutgoingFollowUp, key: string): Promise<FollowUpResult> {
    const { landed, ...result } = this.results.shift() ?? { ok: true };
    if (result.ok || landed) this.posts.push({ target, followUp, key });
    return result;
  }
  async alreadyPosted(target: ThreadTarget, key: string) {
    return this.posts.some((p) => p.key === key && p.target.threadTs === target.threadTs);
  }
}

function fixture(store: DiscussionStore = createMemoryDiscussionStore()) {
  const clock = new FakeClock(new Date('2026-11-27T12:00:00Z'));
  const poster = new RecordingFollowUpPoster();
  const papers = new Map<string, Paper>([[withCode.id, withCode]]);
  const followUps = new FollowUps({
    store,
    poster,
    paper: async (id) => papers.get(id),
    now: clock.now,
    logger: silentLogger,
  });
  return { store, clock, poster, followUps };
}

const thread = (ts: string, fields: Partial<Sighting> = {}): Sighting => ({
  team: 'T0TEST',
  channel: 'C0ML',
  ts,
  threadTs: ts,
  paperId: before.id,
  kind: 'link',
  at: '2026-11-26T12:00:00.000Z',
  ...fields,
});

describe('FollowUps', () => {
  test('news goes once to each thread that discussed the paper, never twice for the same news', async () => {
    const { store, poster, followUps } = fixture();
    await store.record([
      thread('1700000000.000100'),
      // The same thread twice (a link, then an answer in it): one reply.
      thread('1700000000.000200', { threadTs: '1700000000.000100', kind: 'mention' }),
      thread('1700000000.000300', { channel: 'C0OTHER', kind: 'digest' }),
      thread('1700000000.000400', { paperId: 'another-paper' }),
    ]);
    const runs = await followUps.handle([{ before, after: withCode }]);
    expect(runs.map((r) => r.outcome)).toEqual(['posted', 'posted']);
    expect(poster.posts.map((p) => `${p.target.channel}/${p.target.threadTs}`).sort()).toEqual([
      'C0ML/1700000000.000100',
      'C0OTHER/1700000000.000300',
    ]);
    expect(poster.posts[0]?.followUp.news).toEqual({ kind: 'code', url: 'https://github.com/a/ensembles' });
    // The same news again (another source merges the same repository in): nothing posted.
    expect((await followUps.handle([{ before, after: withCode }])).map((r) => r.outcome)).toEqual([
      'taken',
      'taken',
    ]);
    expect(poster.posts).toHaveLength(2);
    expect((await store.followUpsIn('T0TEST')).map((f) => f.status)).toEqual(['posted', 'posted']);
  });

  test('two replicas hearing of the same news post it once', async () => {
    const shared = createMemoryDiscussionStore();
    await shared.record([thread('1700000000.000100')]);
    const a = fixture(shared);
    const b = fixture(shared);
    await Promise.all([
      a.followUps.handle([{ before, after: withCode }]),
      b.followUps.handle([{ before, after: withCode }]),
    ]);
    expect(a.poster.posts.length + b.poster.posts.length).toBe(1);
  });

  test('never in an archived channel, nor where Slack refuses (recorded as skipped, not retried)', async () => {
    const { store, poster, followUps, clock } = fixture();
    await store.record([thread('1700000000.000100'), thread('1700000000.000200', { channel: 'C0GONE' })]);
    poster.archived.add('C0ML');
    poster.results.push({ ok: false, error: 'not_in_channel', pauseReason: 'invite me' });
    const runs = await followUps.handle([{ before, after: withCode }]);
    expect(runs.map((r) => [r.outcome, r.error])).toEqual([
      ['skipped', 'is_archived'],
      ['skipped', 'not_in_channel'],
    ]);
    expect(poster.posts).toEqual([]);
    clock.advance(STALE_AFTER_MS * 2);
    expect(await followUps.settle()).toEqual([]);
    expect((await store.followUpsIn('T0TEST')).map((f) => [f.status, f.reason])).toEqual([
      ['skipped', 'is_archived'],
      ['skipped', 'not_in_channel'],
    ]);
  });

  test('a follow-up whose answer was lost is looked for before being posted again (restart included)', async () => {
    const store = createMemoryDiscussionStore();
    await store.record([thread('1700000000.000100'), thread('1700000000.000200')]);
    const first = fixture(store);
    // Thread 100: the post landed but the answer was lost. Thread 200: Slack was down (not posted).
    first.poster.results.push({ ok: false, error: 'http_503', ambiguous: true, landed: true });
    first.poster.results.push({ ok: false, error: 'service_unavailable' });
    expect((await first.followUps.handle([{ before, after: withCode }])).map((r) => r.outcome)).toEqual([
      'failed',
      'failed',
    ]);
    // Not stale yet: a run now leaves them to whoever may still be posting them.
    expect(await first.followUps.settle()).toEqual([]);
    // A restarted process, ten minutes later, with the same store and Slack.
    const restarted = fixture(store);
    restarted.poster.posts.push(...first.poster.posts);
    restarted.clock.advance(STALE_AFTER_MS + 1000);
    const settled = await restarted.followUps.settle();
    expect(settled.map((r) => r.outcome)).toEqual(['posted', 'posted']);
    // One post per thread in all: the landed one was found, the other posted now.
    expect(restarted.poster.posts.map((p) => p.target.threadTs).sort()).toEqual([
      '1700000000.000100',
      '1700000000.000200',
    ]);
    expect((await store.followUpsIn('T0TEST')).map((f) => f.status)).toEqual(['posted', 'posted']);
    expect(await restarted.followUps.settle()).toEqual([]);
  });
});
