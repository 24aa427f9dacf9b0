import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { recapMessage, whoMessage } from '../../src/blocks/team.js';
import { parsePaperCommand } from '../../src/bot/paperCommand.js';
import { Replies } from '../../src/bot/replies.js';
import type { Sighting } from '../../src/discussions/discussion.js';
import { createMemoryDiscussionStore } from '../../src/discussions/store.js';
import { peopleOf } from '../../src/discussions/teamMemory.js';
import { silentLogger } from '../../src/logger.js';
import { blockKitViolations, liveMarkup } from '../support/blockKit.js';
import { commandContext, makeBot } from '../support/bot.js';
import { makePaper } from '../support/papers.js';

const at = (minute: number) => `2026-11-26T12:${String(minute).padStart(2, '0')}:00.000Z`;
const seen = (ts: number, paperId: string, fields: Partial<Sighting> = {}): Sighting => ({
  team: 'T0TEST',
  channel: 'C0ML',
  ts: `1700000000.${String(ts).padStart(6, '0')}`,
  threadTs: `1700000000.${String(ts).padStart(6, '0')}`,
  paperId,
  kind: 'link',
  user: 'U0BOB',
  at: at(ts),
  ...fields,
});

describe('/paper who: parsing', () => {
  test('a topic, forget me, and a clear problem when the topic is missing', () => {
    expect(parsePaperCommand('who reward models')).toMatchObject({ kind: 'who', topic: 'reward models' });
    expect(parsePaperCommand('WHO forget   me')).toEqual({ kind: 'who-forget' });
    expect(parsePaperCommand('who')).toMatchObject({ kind: 'invalid', problems: [{ field: 'command' }] });
    expect(parsePaperCommand('who after:yesterday')).toMatchObject({ kind: 'invalid' });
  });

  test('recap takes week (the default) or month; a recap subscription is stored as the topic recap', () => {
    expect(parsePaperCommand('recap')).toEqual({ kind: 'recap', period: 'week' });
    expect(parsePaperCommand('Recap MONTH')).toEqual({ kind: 'recap', period: 'month' });
    // Other words after "recap" are a search that asks whether the command was meant.
    expect(parsePaperCommand('recap of the year')).toMatchObject({
      kind: 'search',
      note: 'Did you mean the command `/paper recap [week|month]`? These are papers for your words.',
    });
    expect(parsePaperCommand('subscribe Recap weekly at 9am')).toMatchObject({
      kind: 'subscribe',
      topic: 'recap',
      cadence: 'weekly',
      time: '09:00',
    });
  });
});

describe('the people behind sightings', () => {
  test('most papers first, then threads, then most recent; digests and the unnamed never count', () => {
    const people = peopleOf(
      [
        seen(1, 'p1'),
        seen(2, 'p2', { threadTs: '1700000000.000001', replyCount: 9 }), // a reply in the same thread
        seen(3, 'p1', { user: 'U0CAROL', channel: 'C0GENERAL' }),
        seen(4, 'p2', { user: 'U0DAVE' }),
        seen(5, 'p3', { user: 'U0DAVE', kind: 'mention' }),
        seen(6, 'p4', { user: undefined, kind: 'digest' }),
        seen(7, 'p4', { user: 'U0GONE' }),
      ],
      new Set(['U0GONE']),
    );
    expect(people.map((p) => [p.user, p.papers, p.threads])).toEqual([
      ['U0DAVE', 2, 2],
      ['U0BOB', 2, 1],
      ['U0CAROL', 1, 1],
    ]);
    // The thread to open is the liveliest one.
    expect(people[1]?.thread.replyCount).toBe(9);
  });
});

describe('/paper who over the memory', () => {
  test('without an audience only the channel itself is seen; forget me is remembered', async () => {
    const { index, store, scheduler } = await makeBot({
      papers: [makePaper({ id: 'p1', title: 'Reward model ensembles' })],
    });
    const discussions = createMemoryDiscussionStore();
    await discussions.record([seen(1, 'p1', { channel: 'C0GENERAL' }), seen(2, 'p1', { user: 'U0CAROL' })]);
    const replies = new Replies({
      index,
      store,
      scheduler,
      discussions,
      now: () => new Date(at(30)),
      logger: silentLogger,
    });
    const answer = await replies.toCommand('who reward model', commandContext());
    expect(answer.text).toBe('1 person shared or discussed papers on reward model');
    expect(liveMarkup(answer)).toEqual(['<@U0BOB>']);
    await replies.toCommand('who forget me', commandContext({ user: 'U0BOB' }));
    expect(await discussions.unnamed('T0TEST')).toEqual(['U0BOB']);
    const after = await replies.toCommand('who reward model', commandContext());
    expect(after.text).toContain('Nobody has shared or discussed papers on reward model');
  });

  test('hostile topics, user ids, channels and permalinks stay valid and inert', () => {
    const text = fc.oneof(
      fc.constantFrom('<!channel>', '<@U0BOSS>', '<#C0SECRET|x>', '*', '`', '&lt;', '\u202e', '\ud800'),
      fc.string({ maxLength: 20 }),
    );
    fc.assert(
      fc.property(
        fc.array(text, { minLength: 1, maxLength: 200 }).map((parts) => parts.join(' ')),
        fc.array(
          fc.record({
            user: fc.oneof(
              text.filter((t) => t.length > 0 && t.length <= 40),
              fc.constant('U0BOB'),
            ),
            channel: fc.constantFrom('C0ML', '<!channel>', 'G0PRIV', 'c0lower'),
            permalink: fc.constantFrom(
              'https://fake.slack.com/archives/C0ML/p1700000000000100',
              `https://fake.slack.com/${'x'.repeat(3100)}`,
              undefined,
            ),
          }),
          { maxLength: 12 },
        ),
        (topic, rows) => {
          const sightings = rows.map((row, i) =>
            seen(i, `p${i}`, {
              user: row.user,
              channel: row.channel,
              ...(row.permalink ? { permalink: row.permalink } : {}),
            }),
          );
          const message = whoMessage(topic, peopleOf(sightings, new Set()).slice(0, 10), 'C0GENERAL');
          expect(blockKitViolations(message)).toEqual([]);
          // Only mentions paperbot writes itself, of the sightings' user ids (a random string can be
          // one, e.g. "U00"); nothing from the topic or from a user field that is not an id.
          const ids = new Set(rows.map((row) => row.user).filter((user) => /^[UW][A-Z0-9]{2,}$/.test(user)));
          expect(liveMarkup(message).filter((m) => !ids.has(m.slice(2, -1)))).toEqual([]);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('recap messages', () => {
  test('hostile titles, code URLs, channels and permalinks stay valid and inert, at any size', () => {
    const text = fc.oneof(
      fc.constantFrom('<!channel>', '<@U0BOSS>', '<#C0SECRET|x>', '*', '`', '&lt;', '\u202e', '\ud800'),
      fc.string({ maxLength: 30 }),
    );
    const words = fc.array(text, { minLength: 1, maxLength: 60 }).map((parts) => parts.join(' ') || 'x');
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            title: words,
            channel: fc.constantFrom('C0ML', '<!channel>', 'G0PRIV', 'c0lower'),
            replies: fc.nat(10_000),
            url: words.map((w) => `https://github.com/${w.slice(0, 400)}`),
          }),
          { maxLength: 12 },
        ),
        fc.constantFrom('day', 'week', 'month' as const),
        fc.boolean(),
        (rows, period, forChannel) => {
          const papers = rows.map((row, i) => makePaper({ id: `p${i}`, title: row.title.slice(0, 1000) }));
          const message = recapMessage(
            {
              period,
              since: '2026-11-19T12:00:00.000Z',
              until: '2026-11-26T12:00:00.000Z',
              discussed: rows.slice(0, 10).map((row, i) => ({
                paper: papers[i] as ReturnType<typeof makePaper>,
                threads: 1,
                replies: row.replies,
                shares: 1,
                votes: i % 2,
                where: [seen(i, `p${i}`, { channel: row.channel, replyCount: row.replies })],
              })),
              news: rows.slice(0, 8).map((row, i) => ({
                paper: papers[i] as ReturnType<typeof makePaper>,
                news: [
                  { kind: 'code' as const, url: row.url },
                  { kind: 'version' as const, version: 3 },
                ],
              })),
            },
            'C0GENERAL',
            forChannel,
          );
          expect(blockKitViolations(message)).toEqual([]);
          expect(liveMarkup(message)).toEqual([]);
        },
      ),
      { numRuns: 150 },
    );
  });
});
