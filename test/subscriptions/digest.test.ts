import { describe, expect, test } from '@jest/globals';
import { Library } from '../../src/library.js';
import { silentLogger } from '../../src/logger.js';
import { nextPapersSince, selectDigest } from '../../src/subscriptions/digest.js';
import { Scheduler } from '../../src/subscriptions/scheduler.js';
import { createMemoryStore } from '../../src/subscriptions/store.js';
import { FakeClock, RecordingPoster } from '../support/bot.js';
import { makePaper } from '../support/papers.js';
import { subscription } from '../support/subscriptions.js';

const paper = (title: string, arrivedAt: string, abstract = '') => makePaper({ title, arrivedAt, abstract });

/** Papers on other topics, so that the topic's words are as rare as in a real corpus. */
const background = Array.from({ length: 12 }, (_, i) =>
  paper(`Protein Structure Prediction ${i}`, '2026-10-01T00:00:00.000Z', 'Folding proteins with sequences.'),
);
const index = await Library.inMemory([
  paper('Reward Model Ensembles', '2026-11-01T00:00:00.000Z'),
  paper('Ensembles of Reward Models, Revisited', '2026-11-05T00:00:00.000Z'),
  paper('Mitigating Overoptimization with Reward Model Ensembles', '2026-11-03T00:00:00.000Z'),
  paper('Reward Shaping in Games', '2026-11-04T00:00:00.000Z'),
  paper('Diffusion Models', '2026-11-06T00:00:00.000Z'),
  ...background,
]);
const titles = (digest: { hits: { paper: { title: string } }[] }) =>
  digest.hits.map((hit) => hit.paper.title);

describe('selectDigest', () => {
  test('only strong matches of the topic, newest arrival first', async () => {
    // Three papers have all three words of the topic. "Reward Shaping" and "Diffusion Models"
    // have one word of three, a third of the topic's weight at most: below the relevance floor.
    expect(titles(await selectDigest({ topic: 'reward model ensembles' }, index, {}))).toEqual([
      'Ensembles of Reward Models, Revisited',
      'Mitigating Overoptimization with Reward Model Ensembles',
      'Reward Model Ensembles',
    ]);
  });

  test('papers already posted in the channel are never selected again', async () => {
    const posted = { [makePaper({ title: 'Reward Model Ensembles' }).id]: '2026-11-04T09:00:00.000Z' };
    expect(titles(await selectDigest({ topic: 'reward model ensembles' }, index, posted))).toEqual([
      'Ensembles of Reward Models, Revisited',
      'Mitigating Overoptimization with Reward Model Ensembles',
    ]);
  });

  test('after a digest, only papers that arrived since its window start (less the margin)', async () => {
    // "Mitigating…" arrived 2026-11-03T00:00, more than the margin before this window.
    const hits = await selectDigest(
      { topic: 'reward model ensembles', papersSince: '2026-11-03T06:00:00.000Z' },
      index,
      {},
    );
    expect(titles(hits)).toEqual(['Ensembles of Reward Models, Revisited']);
  });

  test('a paper stamped just before the last digest ran, but found after it, is in the next one, once', async () => {
    // The refresh stamped it at 23:59:50 and was still fetching when the digest ran at midnight.
    const late = await selectDigest(
      { topic: 'reward model ensembles', papersSince: '2026-11-05T00:00:10.000Z' },
      index,
      {},
    );
    expect(titles(late)).toEqual(['Ensembles of Reward Models, Revisited']);
    const posted = {
      [makePaper({ title: 'Ensembles of Reward Models, Revisited' }).id]: '2026-11-06T00:00:00.000Z',
    };
    expect(
      titles(
        await selectDigest(
          { topic: 'reward model ensembles', papersSince: '2026-11-05T00:00:10.000Z' },
          index,
          posted,
        ),
      ),
    ).toEqual([]);
  });

  test('at most the limit, and nothing for a topic that matches nothing', async () => {
    expect(await selectDigest({ topic: 'reward model ensembles' }, index, {}, 2)).toMatchObject({
      hits: { length: 2 },
      overflow: true,
    });
    expect(await selectDigest({ topic: 'quantum chromodynamics' }, index, {})).toMatchObject({
      hits: [],
      overflow: false,
    });
  });
});

describe('a new paper is never crowded out by older matches', () => {
  // 300 older papers match "graph neural networks" strongly (in their titles, twice in their
  // abstracts); one new paper is about them too, but only in its abstract: a weaker match than all
  // 300, and still a strong one (it clears the floor), so it is the digest.
  const old = Array.from({ length: 300 }, (_, i) =>
    paper(
      `Graph Neural Networks for Molecules, Part ${i}`,
      '2026-11-01T00:00:00.000Z',
      'Graph neural networks learn on graphs. We train graph neural networks on molecules.',
    ),
  );
  const newcomer = paper(
    'Message Passing on Railway Timetables',
    '2026-11-26T10:00:00.000Z',
    'We schedule trains with graph neural networks: stations are nodes, graph neural networks pass messages along tracks.',
  );
  const now = '2026-11-27T09:00:00Z';
  const due = subscription('aaaa', {
    topic: 'graph neural networks',
    lastRunAt: '2026-11-26T09:00:00.000Z',
    papersSince: '2026-11-26T09:00:00.000Z',
    nextRunAt: '2026-11-27T09:00:00.000Z',
  });

  async function setup() {
    const store = createMemoryStore();
    const poster = new RecordingPoster();
    const clock = new FakeClock(new Date(now));
    const papers = [...old, newcomer, ...background];
    const scheduler = new Scheduler({
      store,
      index: await Library.inMemory(papers),
      poster,
      now: clock.now,
      logger: silentLogger,
    });
    return { store, poster, scheduler };
  }
  const postedTitles = (poster: RecordingPoster) =>
    poster.posts.map((post) => post.message.text.split('\n').slice(1));

  test('it ranks below all 300, and is still the digest', async () => {
    const papers = await Library.inMemory([...old, newcomer, ...background]);
    const { query } = {
      query: {
        words: ['graph', 'neural', 'networks'],
        phrases: [],
        excluded: [],
        authors: [],
        hasCode: false,
      },
    };
    const all = await papers.search(query, { limit: 301 });
    expect(all.hits.at(-1)?.paper.title).toBe(newcomer.title);
    expect(all.strong).toBe(301);
    expect(titles(await selectDigest(due, papers, {}))).toEqual([newcomer.title]);
  });

  test('a scheduled tick posts it', async () => {
    const { store, poster, scheduler } = await setup();
    await store.add(due);
    expect(await scheduler.tick()).toEqual([{ subscriptionId: 'aaaa', outcome: 'posted', papers: 1 }]);
    expect(postedTitles(poster)).toEqual([[`1. ${newcomer.title}`]]);
  });

  test('a tick with a first-run subscription beside it posts it', async () => {
    const { store, poster, scheduler } = await setup();
    await store.add(due);
    await store.add(subscription('bbbb', { topic: 'protein structure', channel: 'C0OTHER' }));
    const runs = await scheduler.tick();
    expect(runs.find((run) => run.subscriptionId === 'aaaa')).toEqual({
      subscriptionId: 'aaaa',
      outcome: 'posted',
      papers: 1,
    });
    expect(poster.posts.find((post) => post.channel === 'C0GENERAL')?.message.text).toContain(
      `1. ${newcomer.title}`,
    );
  });

  test('`digest now` posts it', async () => {
    const { store, poster, scheduler } = await setup();
    await store.add({ ...due, nextRunAt: '2026-11-28T09:00:00.000Z' });
    expect(await scheduler.runNow((await store.get('T0TEST', 'aaaa')) as typeof due)).toEqual({
      subscriptionId: 'aaaa',
      outcome: 'posted',
      papers: 1,
    });
    expect(postedTitles(poster)).toEqual([[`1. ${newcomer.title}`]]);
  });
});

describe('nextPapersSince', () => {
  const runAt = new Date('2026-11-07T09:00:00Z');
  const sub = { createdAt: '2026-11-02T00:00:00.000Z' };

  test('moves to the run when nothing was left over', async () => {
    expect(nextPapersSince(sub, { hits: [], overflow: false }, runAt)).toBe('2026-11-07T09:00:00.000Z');
  });

  test('stays put when papers were left over, so they come in the next digest', async () => {
    expect(
      nextPapersSince(
        { ...sub, papersSince: '2026-11-05T09:00:00.000Z' },
        { hits: [], overflow: true },
        runAt,
      ),
    ).toBe('2026-11-05T09:00:00.000Z');
  });

  test("a first digest's left-overs from before subscribing are not carried over", () => {
    expect(nextPapersSince(sub, { hits: [], overflow: true }, runAt)).toBe('2026-11-02T00:00:00.000Z');
  });
});
