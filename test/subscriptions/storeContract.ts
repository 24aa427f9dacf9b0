import { describe, expect, test } from '@jest/globals';
import { PaperbotError } from '../../src/errors.js';
import type { RunRecord, SubscriptionStore } from '../../src/subscriptions/store.js';
import { subscription } from '../support/subscriptions.js';

/** One implementation under the contract: how to open an empty store, and how its sessions die. */
export interface StoreUnderTest {
  name: string;
  /** An empty store (a fresh one per test). */
  open(): Promise<SubscriptionStore>;
  /**
   * Ends every claim session the store has open the way a killed process does (default: close
   * them). The PostgreSQL store's sessions are ended by the server.
   */
  killSessions?: () => Promise<void>;
}

const A = 'T0AAAA';
const B = 'T0BBBB';
const GENERAL = { team: A, channel: 'C0GENERAL' };
const run = (at: string, postedPaperIds: string[] = []): RunRecord => ({
  at: new Date(at),
  papersSince: new Date(at).toISOString(),
  nextRunAt: new Date(new Date(at).getTime() + 86_400_000),
  postedPaperIds,
});

/**
 * What every SubscriptionStore does, whatever keeps its data: the memory twin, the lowdb file and
 * PostgreSQL run the same tests.
 */
export function storeContract(under: StoreUnderTest): void {
  const { open } = under;

  describe(`${under.name} store: subscriptions`, () => {
    test('add, read by workspace, channel and id, update, remove', async () => {
      const store = await open();
      await store.add(subscription('aaaa', { team: A, createdAt: '2026-11-26T12:00:00.000Z' }));
      await store.add(
        subscription('bbbb', { team: A, channel: 'C0OTHER', createdAt: '2026-11-26T11:00:00.000Z' }),
      );
      expect((await store.inChannel(GENERAL)).map((s) => s.id)).toEqual(['aaaa']);
      expect((await store.inTeam(A)).map((s) => s.id)).toEqual(['bbbb', 'aaaa']); // oldest first
      expect((await store.get(A, 'bbbb'))?.channel).toBe('C0OTHER');
      const paused = await store.update(A, 'aaaa', (s) => ({
        ...s,
        state: { status: 'paused', reason: 'test', since: s.createdAt },
      }));
      expect(paused?.state).toEqual({ status: 'paused', reason: 'test', since: '2026-11-26T12:00:00.000Z' });
      expect((await store.get(A, 'aaaa'))?.state.status).toBe('paused');
      expect(await store.update(A, 'zzzz', (s) => s)).toBeUndefined();
      expect((await store.remove(A, 'aaaa'))?.id).toBe('aaaa');
      expect(await store.remove(A, 'aaaa')).toBeUndefined();
      expect((await store.inTeam(A)).map((s) => s.id)).toEqual(['bbbb']);
      await store.close();
    });

    test('every optional field survives a round trip', async () => {
      const store = await open();
      const full = subscription('full', {
        team: A,
        enterprise: 'E0ORG',
        topic: '"human feedback" has:code -survey',
        schedule: { cadence: 'weekly', time: '17:45', tz: 'Europe/Paris' },
        state: {
          status: 'paused',
          reason: 'Slack refused this digest 3 times (invalid_blocks)',
          since: '2026-11-27T09:00:00.000Z',
        },
        lastRunAt: '2026-11-27T09:00:00.000Z',
        papersSince: '2026-11-26T09:00:00.000Z',
        pendingRun: {
          key: 'full@2026-11-27T09:00:00.000Z',
          paperIds: ['2401.00001', 'a-title-slug'],
          papersSince: '2026-11-27T09:00:00.000Z',
          startedAt: '2026-11-27T09:00:00.000Z',
        },
        refusals: { count: 2, error: 'invalid_blocks' },
        lastPostAt: '2026-11-20T09:00:00.000Z',
        strictness: 'broad',
      });
      await store.add(full);
      expect(await store.get(A, 'full')).toEqual(full);
      await store.close();
    });

    test('a strictness is stored, changed and read back; none means the default', async () => {
      const store = await open();
      await store.add(subscription('aaaa', { team: A }));
      expect((await store.get(A, 'aaaa'))?.strictness).toBeUndefined();
      const broad = await store.update(A, 'aaaa', (s) => ({ ...s, strictness: 'broad' }));
      expect(broad?.strictness).toBe('broad');
      expect((await store.get(A, 'aaaa'))?.strictness).toBe('broad');
      await store.update(A, 'aaaa', (s) => ({ ...s, strictness: 'strict' }));
      expect((await store.inChannel(GENERAL))[0]?.strictness).toBe('strict');
      await store.close();
    });

    test('an id the workspace already has is refused; the same id in another workspace is not', async () => {
      const store = await open();
      await store.add(subscription('aaaa', { team: A }));
      const error = await store
        .add(subscription('aaaa', { team: A, channel: 'C0OTHER' }))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PaperbotError);
      expect((error as Error).message).toBe(`The workspace ${A} already has a subscription aaaa.`);
      await store.add(subscription('aaaa', { team: B }));
      expect((await store.get(A, 'aaaa'))?.channel).toBe('C0GENERAL');
      expect((await store.get(B, 'aaaa'))?.team).toBe(B);
      await store.close();
    });

    test('workspaces are apart: one never reads, changes or removes what another has, even with its ids', async () => {
      const store = await open();
      // Same subscription id, same channel id: only the workspace tells them apart.
      await store.add(subscription('same', { team: A, topic: 'of A' }));
      await store.add(subscription('same', { team: B, topic: 'of B' }));
      await store.add(subscription('bbbb', { team: B }));
      await store.recordFeedback({ team: B, channel: 'C0GENERAL' }, 'p1', 'like');
      await store.recordRun({ team: B, id: 'bbbb' }, run('2026-11-27T09:00:00Z', ['p2']));
      expect((await store.inTeam(A)).map((s) => s.topic)).toEqual(['of A']);
      expect((await store.inChannel(GENERAL)).map((s) => s.topic)).toEqual(['of A']);
      expect(await store.get(A, 'bbbb')).toBeUndefined();
      expect(await store.feedbackIn(GENERAL)).toEqual({});
      expect(await store.postedIn(GENERAL)).toEqual({});
      expect(await store.update(A, 'bbbb', (s) => ({ ...s, topic: 'hijacked' }))).toBeUndefined();
      expect(await store.remove(A, 'bbbb')).toBeUndefined();
      await store.update(A, 'same', (s) => ({ ...s, topic: 'changed by A' }));
      await store.remove(A, 'same');
      expect((await store.inTeam(B)).map((s) => [s.id, s.topic])).toEqual([
        ['same', 'of B'],
        ['bbbb', 'topic bbbb'],
      ]);
      expect(await store.pauseTeam(A, 'uninstalled', new Date('2026-11-28T00:00:00Z'))).toBe(0);
      expect((await store.get(B, 'bbbb'))?.state.status).toBe('active');
      await store.close();
    });

    test('a change cannot move a subscription to another workspace, channel or id', async () => {
      const store = await open();
      await store.add(subscription('aaaa', { team: A }));
      const moved = await store.update(A, 'aaaa', (s) => ({
        ...s,
        team: B,
        channel: 'C0ELSE',
        id: 'zzzz',
        topic: 'new',
      }));
      expect(moved).toMatchObject({ team: A, channel: 'C0GENERAL', id: 'aaaa', topic: 'new' });
      expect(await store.inTeam(B)).toEqual([]);
      await store.close();
    });

    test('reads are copies: changing one changes nothing stored', async () => {
      const store = await open();
      await store.add(subscription('aaaa', { team: A }));
      const read = await store.get(A, 'aaaa');
      if (read) read.topic = 'mutated';
      const listed = await store.inChannel(GENERAL);
      if (listed[0]) listed[0].topic = 'mutated too';
      expect((await store.get(A, 'aaaa'))?.topic).toBe('topic aaaa');
      await store.close();
    });

    test('40 concurrent adds are 40 stored subscriptions', async () => {
      const store = await open();
      await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          store.add(subscription(`s${String(i).padStart(3, '0')}`, { team: A })),
        ),
      );
      expect(await store.inChannel(GENERAL)).toHaveLength(40);
      await store.close();
    });

    test('pauseTeam pauses the workspace’s active subscriptions, and says how many', async () => {
      const store = await open();
      await store.add(subscription('aaaa', { team: A }));
      await store.add(subscription('bbbb', { team: A, channel: 'C0OTHER' }));
      await store.add(
        subscription('cccc', {
          team: A,
          state: { status: 'paused', reason: 'by hand', since: '2026-11-26T12:00:00.000Z' },
        }),
      );
      expect(await store.pauseTeam(A, 'paperbot was uninstalled', new Date('2026-11-28T00:00:00Z'))).toBe(2);
      const states = (await store.inTeam(A)).sort((x, y) => (x.id < y.id ? -1 : 1)).map((s) => s.state);
      expect(states).toEqual([
        { status: 'paused', reason: 'paperbot was uninstalled', since: '2026-11-28T00:00:00.000Z' },
        { status: 'paused', reason: 'paperbot was uninstalled', since: '2026-11-28T00:00:00.000Z' },
        { status: 'paused', reason: 'by hand', since: '2026-11-26T12:00:00.000Z' },
      ]);
      await store.close();
    });
  });

  describe(`${under.name} store: runs and ledgers`, () => {
    test('recordRun stores the run and the posted papers in one change, and clears pendingRun and refusals', async () => {
      const store = await open();
      await store.add(
        subscription('aaaa', {
          team: A,
          refusals: { count: 1, error: 'invalid_blocks' },
          pendingRun: { key: 'aaaa@x', paperIds: ['p1'], papersSince: '2026-11-27T09:00:00.000Z' },
        }),
      );
      await store.recordRun({ team: A, id: 'aaaa' }, run('2026-11-27T09:00:00Z', ['p1', 'p2']));
      const stored = await store.get(A, 'aaaa');
      expect(stored).toMatchObject({
        lastRunAt: '2026-11-27T09:00:00.000Z',
        lastPostAt: '2026-11-27T09:00:00.000Z',
        papersSince: '2026-11-27T09:00:00.000Z',
        nextRunAt: '2026-11-28T09:00:00.000Z',
      });
      expect(stored?.pendingRun).toBeUndefined();
      expect(stored?.refusals).toBeUndefined();
      expect(await store.postedIn(GENERAL)).toEqual({
        p1: '2026-11-27T09:00:00.000Z',
        p2: '2026-11-27T09:00:00.000Z',
      });
      // A paper posted again keeps its first time; a run without papers leaves lastPostAt.
      await store.recordRun({ team: A, id: 'aaaa' }, run('2026-11-28T09:00:00Z', ['p2', 'constructor']));
      await store.recordRun({ team: A, id: 'aaaa' }, run('2026-11-29T09:00:00Z'));
      expect(await store.postedIn(GENERAL)).toEqual({
        p1: '2026-11-27T09:00:00.000Z',
        p2: '2026-11-27T09:00:00.000Z',
        constructor: '2026-11-28T09:00:00.000Z',
      });
      expect(await store.get(A, 'aaaa')).toMatchObject({
        lastRunAt: '2026-11-29T09:00:00.000Z',
        lastPostAt: '2026-11-28T09:00:00.000Z',
      });
      await store.close();
    });

    test('recordRuns records many runs at once; unknown ids are skipped', async () => {
      const store = await open();
      await store.add(subscription('aaaa', { team: A }));
      await store.add(subscription('bbbb', { team: A, channel: 'C0OTHER' }));
      await store.recordRuns([
        { key: { team: A, id: 'aaaa' }, run: run('2026-11-27T09:00:00Z') },
        { key: { team: A, id: 'gone' }, run: run('2026-11-27T09:00:00Z') },
        { key: { team: A, id: 'bbbb' }, run: run('2026-11-27T09:00:01Z') },
      ]);
      expect((await store.inTeam(A)).map((s) => s.lastRunAt)).toEqual([
        '2026-11-27T09:00:00.000Z',
        '2026-11-27T09:00:01.000Z',
      ]);
      await store.recordRuns([]);
      await store.close();
    });

    test('votes are per channel and workspace; a later vote replaces the earlier one', async () => {
      const store = await open();
      await store.recordFeedback(GENERAL, 'p1', 'like');
      await store.recordFeedback(GENERAL, 'p2', 'dislike');
      await store.recordFeedback(GENERAL, 'p1', 'dislike');
      await store.recordFeedback({ team: A, channel: 'C0OTHER' }, 'p3', 'like');
      expect(await store.feedbackIn(GENERAL)).toEqual({ p1: 'dislike', p2: 'dislike' });
      expect(await store.feedbackIn({ team: A, channel: 'C0OTHER' })).toEqual({ p3: 'like' });
      expect(await store.feedbackIn({ team: A, channel: 'C0NONE' })).toEqual({});
      await store.close();
    });

    test('forgetting a channel’s votes (taste reset) leaves other channels’ and workspaces’ votes', async () => {
      const store = await open();
      await store.recordFeedback(GENERAL, 'p1', 'like');
      await store.recordFeedback(GENERAL, 'p2', 'dislike');
      await store.recordFeedback({ team: A, channel: 'C0OTHER' }, 'p3', 'like');
      await store.recordFeedback({ team: B, channel: 'C0GENERAL' }, 'p4', 'like');
      expect(await store.forgetFeedback(GENERAL)).toBe(2);
      expect(await store.feedbackIn(GENERAL)).toEqual({});
      expect(await store.feedbackIn({ team: A, channel: 'C0OTHER' })).toEqual({ p3: 'like' });
      expect(await store.feedbackIn({ team: B, channel: 'C0GENERAL' })).toEqual({ p4: 'like' });
      expect(await store.forgetFeedback(GENERAL)).toBe(0);
      expect(await store.forgetFeedback({ team: A, channel: 'C0NONE' })).toBe(0);
      await store.recordFeedback(GENERAL, 'p5', 'dislike'); // votes again after a reset
      expect(await store.feedbackIn(GENERAL)).toEqual({ p5: 'dislike' });
      await store.close();
    });
  });

  describe(`${under.name} store: claims`, () => {
    const NOW = new Date('2026-11-27T09:00:00Z');
    /** Three channels with a due subscription each, one channel with two, one not due, one paused. */
    async function seeded(store: SubscriptionStore): Promise<void> {
      for (const channel of ['C1', 'C2', 'C3'])
        await store.add(subscription(`sub${channel.toLowerCase()}`, { team: A, channel }));
      await store.add(
        subscription('twoa', { team: B, channel: 'C4', createdAt: '2026-11-26T10:00:00.000Z' }),
      );
      await store.add(
        subscription('twob', { team: B, channel: 'C4', createdAt: '2026-11-26T11:00:00.000Z' }),
      );
      await store.add(
        subscription('late', { team: A, channel: 'C5', nextRunAt: '2026-11-27T09:00:01.000Z' }),
      );
      await store.add(
        subscription('held', {
          team: A,
          channel: 'C6',
          state: { status: 'paused', reason: 'x', since: '2026-11-26T12:00:00.000Z' },
        }),
      );
    }
    const names = (claimed: Array<{ team: string; channel: string }>) =>
      claimed.map((c) => `${c.team}/${c.channel}`).sort();

    test('claimDue claims the channels with due active subscriptions, each whole, with its ledgers', async () => {
      const store = await open();
      await seeded(store);
      await store.recordRun(
        { team: B, id: 'twoa' },
        { ...run('2026-11-26T09:00:00Z', ['p1']), nextRunAt: NOW },
      );
      await store.recordFeedback({ team: B, channel: 'C4' }, 'p9', 'like');
      const claims = await store.openClaims();
      const claimed = await claims.claimDue(NOW, 10);
      expect(names(claimed)).toEqual([`${A}/C1`, `${A}/C2`, `${A}/C3`, `${B}/C4`]);
      const c4 = claimed.find((c) => c.channel === 'C4');
      expect(c4?.subscriptions.map((s) => s.id)).toEqual(['twoa', 'twob']);
      expect(c4?.posted).toEqual({ p1: '2026-11-26T09:00:00.000Z' });
      expect(c4?.feedback).toEqual({ p9: 'like' });
      expect(await claims.claimDue(NOW, 10)).toEqual([]); // nothing left: this session holds them
      await claims.close();
      await store.close();
    });

    test('two replicas claiming at once share the channels: each channel goes to one of them', async () => {
      const store = await open();
      for (let i = 0; i < 30; i++)
        await store.add(subscription(`s${String(i).padStart(3, '0')}`, { team: A, channel: `C${i}` }));
      const [one, two] = await Promise.all([store.openClaims(), store.openClaims()]);
      if (!one || !two) throw new Error('no sessions');
      const taken: string[][] = [[], []];
      for (;;) {
        const [a, b] = await Promise.all([one.claimDue(NOW, 4), two.claimDue(NOW, 4)]);
        taken[0]?.push(...names(a ?? []));
        taken[1]?.push(...names(b ?? []));
        if (a?.length === 0 && b?.length === 0) break;
      }
      const all = [...(taken[0] ?? []), ...(taken[1] ?? [])];
      expect(all).toHaveLength(30);
      expect(new Set(all).size).toBe(30);
      await Promise.all([one.close(), two.close()]);
      await store.close();
    });

    test('a released channel can be claimed again while it is due; one whose run was recorded is not due', async () => {
      const store = await open();
      await seeded(store);
      const one = await store.openClaims();
      const two = await store.openClaims();
      const claimed = await one.claimDue(NOW, 10);
      expect(await two.claimDue(NOW, 10)).toEqual([]);
      await store.recordRun({ team: A, id: 'subc1' }, run('2026-11-27T09:00:00Z'));
      await one.release(claimed);
      expect(names(await two.claimDue(NOW, 10))).toEqual([`${A}/C2`, `${A}/C3`, `${B}/C4`]);
      await one.close();
      await two.close();
      await store.close();
    });

    test('claimChannel: the whole channel, or undefined while any session holds it', async () => {
      const store = await open();
      await seeded(store);
      const one = await store.openClaims();
      const two = await store.openClaims();
      const c6 = await one.claimChannel({ team: A, channel: 'C6' });
      expect(c6?.subscriptions.map((s) => s.id)).toEqual(['held']); // paused ones too: the caller decides
      expect(await one.claimChannel({ team: A, channel: 'C6' })).toBeUndefined();
      expect(await two.claimChannel({ team: A, channel: 'C6' })).toBeUndefined();
      await one.release([{ team: A, channel: 'C6' }]);
      expect(await two.claimChannel({ team: A, channel: 'C6' })).toBeDefined();
      // A channel nobody subscribed yet can be claimed too (a digest by hand in a new channel).
      expect((await two.claimChannel({ team: A, channel: 'C0NEW' }))?.subscriptions).toEqual([]);
      await one.close();
      await two.close();
      await store.close();
    });

    test('markPending stores the pending run only while the session holds the channel', async () => {
      const store = await open();
      await seeded(store);
      const one = await store.openClaims();
      const two = await store.openClaims();
      await one.claimDue(NOW, 10);
      const pending = {
        key: 'subc1@x',
        paperIds: ['p1'],
        papersSince: NOW.toISOString(),
        startedAt: NOW.toISOString(),
      };
      expect(await two.markPending({ team: A, id: 'subc1' }, pending)).toBe(false);
      expect((await store.get(A, 'subc1'))?.pendingRun).toBeUndefined();
      expect(await one.markPending({ team: A, id: 'subc1' }, pending)).toBe(true);
      expect((await store.get(A, 'subc1'))?.pendingRun).toEqual(pending);
      expect(await one.markPending({ team: A, id: 'gone' }, pending)).toBe(false);
      await one.release([{ team: A, channel: 'C1' }]);
      expect(await one.markPending({ team: A, id: 'subc1' }, pending)).toBe(false);
      await one.close();
      expect(await one.markPending({ team: A, id: 'subc2' }, pending)).toBe(false);
      await two.close();
      await store.close();
    });

    test('a replica that dies leaves its claimed channels to the next replica that claims', async () => {
      const store = await open();
      await seeded(store);
      const dying = await store.openClaims();
      expect(await dying.claimDue(NOW, 2)).toHaveLength(2);
      if (under.killSessions) await under.killSessions();
      else await dying.close();
      const next = await store.openClaims();
      expect(names(await next.claimDue(NOW, 10))).toEqual([`${A}/C1`, `${A}/C2`, `${A}/C3`, `${B}/C4`]);
      await expect(
        dying.markPending(
          { team: A, id: 'subc1' },
          { key: 'k', paperIds: [], papersSince: NOW.toISOString() },
        ),
      ).resolves.toBe(false);
      expect(dying.lost).toBe(true);
      await next.close();
      await store.close();
    });

    test('a claim’s ledger has every paper posted since a day before the earliest window of its digests', async () => {
      const store = await open();
      await store.add(
        subscription('aaaa', {
          team: A,
          papersSince: '2026-11-26T09:00:00.000Z',
          nextRunAt: NOW.toISOString(),
        }),
      );
      await store.add(
        subscription('bbbb', {
          team: A,
          papersSince: '2026-11-20T09:00:00.000Z',
          nextRunAt: NOW.toISOString(),
        }),
      );
      await store.recordRuns([
        {
          key: { team: A, id: 'aaaa' },
          run: {
            ...run('2026-11-19T12:00:00Z', ['day-before-window']),
            nextRunAt: NOW,
            papersSince: '2026-11-26T09:00:00.000Z',
          },
        },
        {
          key: { team: A, id: 'bbbb' },
          run: {
            ...run('2026-11-26T12:00:00Z', ['recent']),
            nextRunAt: NOW,
            papersSince: '2026-11-20T09:00:00.000Z',
          },
        },
      ]);
      const claims = await store.openClaims();
      const [general] = await claims.claimDue(NOW, 1);
      expect(general?.posted).toMatchObject({
        'day-before-window': '2026-11-19T12:00:00.000Z',
        recent: '2026-11-26T12:00:00.000Z',
      });
      await claims.close();
      await store.close();
    });
  });
}
