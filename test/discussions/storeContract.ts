import { describe, expect, test } from '@jest/globals';
import type { FollowUp, Sighting } from '../../src/discussions/discussion.js';
import type { DiscussionStore } from '../../src/discussions/store.js';

/** One implementation under the contract: how to open an empty store. */
export interface DiscussionStoreUnderTest {
  name: string;
  open(): Promise<DiscussionStore>;
}

const A = 'T0AAAA';
const B = 'T0BBBB';

/** A sighting in A's C0ML of message `ts`, with `fields` overriding. */
export function sighting(ts: string, paperId: string, fields: Partial<Sighting> = {}): Sighting {
  return {
    team: A,
    channel: 'C0ML',
    ts,
    threadTs: ts,
    paperId,
    kind: 'link',
    user: 'U0ALICE',
    at: '2026-11-26T12:00:00.000Z',
    ...fields,
  };
}

function followUp(key: string, fields: Partial<FollowUp> = {}): FollowUp {
  return {
    team: A,
    channel: 'C0ML',
    threadTs: '1700000000.000100',
    paperId: '2401.00001',
    news: { kind: 'code', url: 'https://github.com/a/b' },
    key,
    status: 'pending',
    startedAt: '2026-11-26T12:00:00.000Z',
    ...fields,
  };
}

/** What every DiscussionStore does: memory, lowdb and PostgreSQL run the same tests. */
export function discussionStoreContract(under: DiscussionStoreUnderTest): void {
  const { open } = under;

  describe(`${under.name} discussion store: sightings`, () => {
    test('the papers seen in one thread, newest first, each once, that thread only', async () => {
      const store = await open();
      const thread = '1700000000.000100';
      await store.record([
        sighting(thread, 'p1', { kind: 'digest' }),
        sighting(thread, 'p2', { kind: 'digest' }),
        sighting('1700000000.000300', 'p3', {
          threadTs: thread,
          kind: 'mention',
          at: '2026-11-27T12:00:00.000Z',
        }),
        sighting('1700000000.000400', 'p1', {
          threadTs: thread,
          kind: 'mention',
          at: '2026-11-28T12:00:00.000Z',
        }),
        sighting('1700000000.000500', 'p4'), // another thread of the channel
        sighting('1700000000.000600', 'p5', { threadTs: thread, channel: 'C0OTHER' }),
        sighting('1700000000.000700', 'p6', { threadTs: thread, team: B }),
      ]);
      const papers = await store.papersInThread({ team: A, channel: 'C0ML' }, thread);
      expect(papers.slice(0, 2)).toEqual(['p1', 'p3']);
      expect([...papers].sort()).toEqual(['p1', 'p2', 'p3']);
      expect(await store.papersInThread({ team: A, channel: 'C0ML' }, thread, 1)).toEqual(['p1']);
      expect(await store.papersInThread({ team: A, channel: 'C0ML' }, '1.2')).toEqual([]);
      await store.close();
    });

    test('a paper’s sightings, newest first, in its own workspace only; every field survives', async () => {
      const store = await open();
      const full = sighting('1700000000.000300', 'p1', {
        enterprise: 'E0ORG',
        threadTs: '1700000000.000100',
        kind: 'mention',
        at: '2026-11-27T12:00:00.000Z',
        replyCount: 12,
        permalink: 'https://t.slack.com/archives/C0ML/p1700000000000300?thread_ts=1700000000.000100',
      });
      await store.record([sighting('1700000000.000100', 'p1'), full, sighting('1700000000.000200', 'p2')]);
      await store.record([sighting('1700000000.000400', 'p1', { team: B })]);
      expect(await store.ofPaper(A, 'p1')).toEqual([full, sighting('1700000000.000100', 'p1')]);
      expect(await store.ofPaper(A, 'p1', 1)).toEqual([full]);
      expect((await store.ofPaper(B, 'p1')).map((s) => s.ts)).toEqual(['1700000000.000400']);
      expect(await store.ofPaper(A, 'p9')).toEqual([]);
      await store.close();
    });

    test('recording a message again refreshes its replies and permalink, never duplicates it', async () => {
      const store = await open();
      await store.record([sighting('1700000000.000100', 'p1')]);
      await store.record([
        sighting('1700000000.000100', 'p1', { replyCount: 3, at: '2026-11-28T00:00:00.000Z' }),
      ]);
      const [only, ...rest] = await store.ofPaper(A, 'p1');
      expect(rest).toEqual([]);
      expect(only).toMatchObject({ replyCount: 3, at: '2026-11-26T12:00:00.000Z' }); // first time kept
      await store.record([sighting('1700000000.000100', 'p1')]); // nothing new known: keeps the count
      expect((await store.ofPaper(A, 'p1'))[0]?.replyCount).toBe(3);
      await store.close();
    });

    test('a thread’s reply count is set on every sighting in it', async () => {
      const store = await open();
      await store.record([
        sighting('1700000000.000100', 'p1'),
        sighting('1700000000.000200', 'p2', { threadTs: '1700000000.000100', kind: 'mention' }),
        sighting('1700000000.000300', 'p3'),
      ]);
      await store.setReplyCount({ team: A, channel: 'C0ML' }, '1700000000.000100', 7);
      expect((await store.ofPaper(A, 'p1'))[0]?.replyCount).toBe(7);
      expect((await store.ofPaper(A, 'p2'))[0]?.replyCount).toBe(7);
      expect((await store.ofPaper(A, 'p3'))[0]?.replyCount).toBeUndefined();
      await store.close();
    });

    test('linked papers of a channel are its links and shares, not its digests or answers', async () => {
      const store = await open();
      await store.record([
        sighting('1700000000.000100', 'linked'),
        sighting('1700000000.000200', 'shared', { kind: 'share' }),
        sighting('1700000000.000300', 'digested', { kind: 'digest' }),
        sighting('1700000000.000400', 'answered', { kind: 'mention' }),
        sighting('1700000000.000500', 'elsewhere', { channel: 'C0OTHER' }),
        sighting('1700000000.000600', 'linked', { ts: '1700000000.000600', threadTs: '1700000000.000600' }),
      ]);
      expect((await store.linkedIn({ team: A, channel: 'C0ML' })).sort()).toEqual(['linked', 'shared']);
      expect(await store.linkedIn({ team: B, channel: 'C0ML' })).toEqual([]);
      await store.close();
    });

    test('threads of papers span every workspace', async () => {
      const store = await open();
      await store.record([
        sighting('1700000000.000100', 'p1'),
        sighting('1700000000.000200', 'p1', { team: B }),
        sighting('1700000000.000300', 'p2'),
      ]);
      const threads = await store.threadsOf(['p1', 'p3']);
      expect(threads.map((s) => `${s.team}/${s.ts}`).sort()).toEqual([
        `${A}/1700000000.000100`,
        `${B}/1700000000.000200`,
      ]);
      expect(await store.threadsOf([])).toEqual([]);
      await store.close();
    });
  });

  describe(`${under.name} discussion store: a workspace's memory`, () => {
    test('sightings of some papers, or since an instant, newest first, in the workspace only', async () => {
      const store = await open();
      const day = (d: number) => `2026-11-${String(d).padStart(2, '0')}T12:00:00.000Z`;
      await store.record([
        sighting('1700000000.000100', 'p1', { at: day(20) }),
        sighting('1700000000.000200', 'p2', { at: day(24), kind: 'share', user: 'U0BOB' }),
        sighting('1700000000.000300', 'p1', { at: day(26), channel: 'C0OTHER', replyCount: 4 }),
        sighting('1700000000.000400', 'p3', { at: day(27), kind: 'digest', user: undefined }),
        sighting('1700000000.000500', 'p1', { at: day(28), team: B }),
      ]);
      const ts = (sightings: Sighting[]) => sightings.map((s) => s.ts);
      expect(ts(await store.inWorkspace(A, { paperIds: ['p1', 'p2', 'p9'] }))).toEqual([
        '1700000000.000300',
        '1700000000.000200',
        '1700000000.000100',
      ]);
      expect(ts(await store.inWorkspace(A, { paperIds: ['p1'], limit: 1 }))).toEqual(['1700000000.000300']);
      expect(await store.inWorkspace(A, { paperIds: [] })).toEqual([]);
      const recent = await store.inWorkspace(A, { since: day(24) });
      expect(ts(recent)).toEqual(['1700000000.000400', '1700000000.000300', '1700000000.000200']);
      expect(recent[1]).toEqual(
        sighting('1700000000.000300', 'p1', { at: day(26), channel: 'C0OTHER', replyCount: 4 }),
      );
      expect(recent[0]?.user).toBeUndefined();
      expect(ts(await store.inWorkspace(B, { since: day(1) }))).toEqual(['1700000000.000500']);
      await store.close();
    });

    test('a person who asked not to be named is remembered once, in their workspace only', async () => {
      const store = await open();
      expect(await store.unnamed(A)).toEqual([]);
      await store.unname(A, 'U0ALICE');
      await store.unname(A, 'U0ALICE');
      await store.unname(A, 'U0BOB');
      expect((await store.unnamed(A)).sort()).toEqual(['U0ALICE', 'U0BOB']);
      expect(await store.unnamed(B)).toEqual([]);
      await store.close();
    });
  });

  describe(`${under.name} discussion store: follow-ups`, () => {
    test('a follow-up is claimed once per workspace and key; finishing records how it ended', async () => {
      const store = await open();
      expect(await store.claimFollowUp(followUp('k1'))).toBe(true);
      expect(await store.claimFollowUp(followUp('k1', { startedAt: '2026-11-27T00:00:00.000Z' }))).toBe(
        false,
      );
      expect(await store.claimFollowUp(followUp('k1', { team: B }))).toBe(true); // another workspace's
      const [claimed] = await store.followUpsIn(A);
      expect(claimed).toEqual(followUp('k1'));
      await store.finish({ team: A, key: 'k1' }, 'skipped', 'is_archived');
      expect(await store.followUpsIn(A)).toEqual([
        followUp('k1', { status: 'skipped', reason: 'is_archived' }),
      ]);
      expect((await store.followUpsIn(B))[0]?.status).toBe('pending');
      await store.close();
    });

    test('stale pending follow-ups are taken over by one run only', async () => {
      const store = await open();
      await store.claimFollowUp(followUp('old'));
      await store.claimFollowUp(followUp('new', { startedAt: '2026-11-26T12:30:00.000Z' }));
      await store.claimFollowUp(followUp('done'));
      await store.finish({ team: A, key: 'done' }, 'posted');
      const stale = await store.stalePending(new Date('2026-11-26T12:10:00Z'));
      expect(stale.map((f) => f.key)).toEqual(['old']);
      const now = new Date('2026-11-26T12:20:00Z');
      expect(await store.retake({ team: A, key: 'old' }, '2026-11-26T12:00:00.000Z', now)).toBe(true);
      // A second run read the same stale row: it lost the race.
      expect(await store.retake({ team: A, key: 'old' }, '2026-11-26T12:00:00.000Z', now)).toBe(false);
      expect(await store.retake({ team: A, key: 'done' }, '2026-11-26T12:00:00.000Z', now)).toBe(false);
      expect(await store.stalePending(new Date('2026-11-26T12:10:00Z'))).toEqual([]);
      const sorted = (await store.followUpsIn(A)).sort((a, b) => (a.key < b.key ? -1 : 1));
      expect(sorted.map((f) => [f.key, f.status, f.startedAt])).toEqual([
        ['done', 'posted', '2026-11-26T12:00:00.000Z'],
        ['new', 'pending', '2026-11-26T12:30:00.000Z'],
        ['old', 'pending', '2026-11-26T12:20:00.000Z'],
      ]);
      await store.close();
    });

    test('every kind of news survives a round trip', async () => {
      const store = await open();
      const news: FollowUp['news'][] = [
        { kind: 'code', url: 'https://github.com/a/b' },
        { kind: 'version', version: 3 },
        { kind: 'upvotes', threshold: 100, upvotes: 131 },
      ];
      for (const [i, item] of news.entries()) await store.claimFollowUp(followUp(`k${i}`, { news: item }));
      const stored = (await store.followUpsIn(A)).sort((a, b) => (a.key < b.key ? -1 : 1));
      expect(stored.map((f) => f.news)).toEqual(news);
      await store.claimFollowUp(followUp('org', { enterprise: 'E0ORG', reason: 'r' }));
      expect((await store.followUpsIn(A)).find((f) => f.key === 'org')).toEqual(
        followUp('org', { enterprise: 'E0ORG', reason: 'r' }),
      );
      await store.close();
    });
  });
}
