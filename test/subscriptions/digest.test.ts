import { describe, expect, test } from '@jest/globals';
import { PaperIndex } from '../../src/search/paperIndex.js';
import {
  digestSearchIndex,
  nextPapersSince,
  requiredTerms,
  selectDigest,
} from '../../src/subscriptions/digest.js';
import { makePaper } from '../support/papers.js';

const paper = (title: string, arrivedAt: string, abstract = '') => makePaper({ title, arrivedAt, abstract });

const index = PaperIndex.build([
  paper('Reward Model Ensembles', '2026-11-01T00:00:00.000Z'),
  paper('Reward Models for Robots', '2026-11-03T00:00:00.000Z'),
  paper('Ensembles of Reward Models, Revisited', '2026-11-05T00:00:00.000Z'),
  paper('Reward Shaping in Games', '2026-11-04T00:00:00.000Z'),
  paper('Diffusion Models', '2026-11-06T00:00:00.000Z'),
]);
const titles = (digest: { hits: { paper: { title: string } }[] }) =>
  digest.hits.map((hit) => hit.paper.title);

describe('selectDigest', () => {
  test('only papers matching the topic above the floor, newest arrival first', () => {
    // "reward model" has two terms: both are required, so "Reward Shaping" and "Diffusion Models" are noise.
    expect(titles(selectDigest({ topic: 'reward model' }, index, {}))).toEqual([
      'Ensembles of Reward Models, Revisited',
      'Reward Models for Robots',
      'Reward Model Ensembles',
    ]);
  });

  test('papers already posted in the channel are never selected again', () => {
    const posted = { [makePaper({ title: 'Reward Models for Robots' }).id]: '2026-11-04T09:00:00.000Z' };
    expect(titles(selectDigest({ topic: 'reward model' }, index, posted))).not.toContain(
      'Reward Models for Robots',
    );
  });

  test('after a digest, only papers that arrived since its window start', () => {
    const hits = selectDigest({ topic: 'reward model', papersSince: '2026-11-03T00:00:00.000Z' }, index, {});
    expect(titles(hits)).toEqual(['Ensembles of Reward Models, Revisited']);
  });

  test('at most the limit, and nothing for a topic that matches nothing', () => {
    expect(selectDigest({ topic: 'reward model' }, index, {}, 2)).toMatchObject({
      hits: { length: 2 },
      overflow: true,
    });
    expect(selectDigest({ topic: 'protein folding' }, index, {})).toEqual({ hits: [], overflow: false });
  });

  test('the floor requires two thirds of a longer topic', () => {
    expect([1, 2, 3, 4, 5, 6].map(requiredTerms)).toEqual([1, 2, 2, 3, 4, 4]);
  });
});

describe('nextPapersSince', () => {
  const runAt = new Date('2026-11-07T09:00:00Z');
  const sub = { createdAt: '2026-11-02T00:00:00.000Z' };

  test('moves to the run when nothing was left over', () => {
    expect(nextPapersSince(sub, { hits: [], overflow: false }, runAt)).toBe('2026-11-07T09:00:00.000Z');
  });

  test('stays put when papers were left over, so they come in the next digest', () => {
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

describe('digestSearchIndex', () => {
  test('after a run, a small index of the recent papers only', () => {
    const recent = digestSearchIndex(index, [
      { papersSince: '2026-11-04T12:00:00.000Z' },
      { papersSince: '2026-11-05T12:00:00.000Z' },
    ]);
    expect(recent.size).toBe(2); // arrived after the earliest last run: the 5th and the 6th
  });

  test('a first run searches the whole index', () => {
    expect(digestSearchIndex(index, [{ papersSince: '2026-11-05T12:00:00.000Z' }, {}])).toBe(index);
  });
});
