import { describe, expect, test } from '@jest/globals';
import { Library } from '../../src/library.js';
import type { Paper } from '../../src/papers/paper.js';
import { termsOf } from '../../src/search/text.js';
import { ChannelTaste, DISLIKE_FLOOR, selectDigest } from '../../src/subscriptions/digest.js';
import { describeTaste, explainPick } from '../../src/subscriptions/taste.js';
import { makePaper } from '../support/papers.js';

const paper = (id: string, title: string, abstract: string, arrivedAt = '2026-11-01T00:00:00.000Z') =>
  makePaper({ id, title, abstract, arrivedAt });

/** Papers on other topics, so that the topic's words are as rare as in a real corpus. */
const background = Array.from({ length: 12 }, (_, i) =>
  paper(`bg${i}`, `Protein Structure Prediction ${i}`, 'Folding proteins with sequences.'),
);
const liked = paper(
  'liked',
  'Reward model ensembles mitigate overoptimization',
  'Ensembles of reward models reduce overoptimization in reinforcement learning from human feedback.',
);
const disliked = paper(
  'disliked',
  'Reward hacking benchmarks for language agents',
  'A benchmark suite of reward hacking tasks for language agents in simulated web environments.',
);
const index = await Library.inMemory([
  liked,
  disliked,
  // Close to the liked paper: same words about ensembles and overoptimization.
  paper(
    'like-liked',
    'Reward model ensembles against overoptimization, revisited',
    'Ensembles of reward models and overoptimization in reinforcement learning from human feedback, again.',
    '2026-11-02T00:00:00.000Z',
  ),
  // Close to the disliked paper: hacking benchmarks for agents.
  paper(
    'like-disliked',
    'More reward hacking benchmarks for language agents',
    'A larger benchmark suite of reward hacking tasks for language agents in web environments.',
    '2026-11-04T00:00:00.000Z',
  ),
  // Neither: a reward paper about something else.
  paper(
    'neutral',
    'Reward shaping for robot locomotion',
    'Dense reward shaping helps quadruped robots learn to walk.',
    '2026-11-03T00:00:00.000Z',
  ),
  ...background,
]);
const votes = { liked: 'like', disliked: 'dislike' } as const;
const taste = await ChannelTaste.of(votes, index);
const get = async (id: string) => (await index.get(id)) as Paper;

describe('ChannelTaste', () => {
  test('resembles the liked and disliked papers by shared terms', async () => {
    const { liked: toLiked, disliked: toDisliked } = taste.resemblance(await get('like-liked'));
    expect(toLiked.paper?.id).toBe('liked');
    expect(toLiked.similarity).toBeGreaterThan(0.4);
    expect(toDisliked.similarity).toBeLessThan(0.1);
  });

  test('a paper much like a disliked one (and unlike the liked ones) falls below the floor', async () => {
    expect(taste.resemblance(await get('like-disliked')).disliked.similarity).toBeGreaterThanOrEqual(
      DISLIKE_FLOOR,
    );
    expect(taste.rejects(await get('like-disliked'))).toBe(true);
    expect(taste.rejects(await get('like-liked'))).toBe(false);
    expect(taste.rejects(await get('neutral'))).toBe(false); // shares "reward" only: not enough
  });

  test('a digest leaves out papers below the floor, and puts papers like the liked ones first', async () => {
    const topic = { topic: 'reward' };
    // Without votes, newest arrival first: like-disliked (11-04), neutral (11-03), like-liked (11-02)…
    const plain = await selectDigest(topic, index, { liked: 'x', disliked: 'x' }, 5);
    expect(plain.hits.map((h) => h.paper.id)).toEqual(['like-disliked', 'neutral', 'like-liked']);
    // With them: like-liked first (it resembles a 👍), like-disliked gone (it resembles a 👎).
    const tasted = await selectDigest(topic, index, { liked: 'x', disliked: 'x' }, 5, taste);
    expect(tasted.hits.map((h) => h.paper.id)).toEqual(['like-liked', 'neutral']);
    expect(tasted.overflow).toBe(false);
  });
});

describe('the taste, for people to read', () => {
  test('liked and disliked papers, and the heaviest words (title words count three times)', async () => {
    const view = await describeTaste({ ...votes, gone: 'like' }, index, 4);
    expect(view.votes).toBe(3); // a vote on a paper no longer in the corpus still counts
    expect(view.liked.map((p) => p.id)).toEqual(['liked']);
    expect(view.disliked.map((p) => p.id)).toEqual(['disliked']);
    // "reward" is in both papers alike and cancels out. The liked paper's words in its title (3)
    // and abstract (1) weigh 4 ("models" counts as "model"), ties alphabetical; "mitigate" only
    // in its title: 3.
    expect(view.heaviest.map((w) => w.word)).toEqual(['ensembles', 'model', 'overoptimization', 'mitigate']);
    expect(view.heaviest.map((w) => w.weight)).toEqual([4, 4, 4, 3]);
    expect(view.against.map((w) => w.word).slice(0, 2)).toEqual(['agents', 'benchmark']); // spelled as met most (a tie: the first alphabetically)
    expect(view.heaviest.some((w) => w.word === 'reward')).toBe(false);
  });

  test('no votes: nothing learnt', async () => {
    expect(await describeTaste({}, index)).toEqual({
      votes: 0,
      liked: [],
      disliked: [],
      heaviest: [],
      against: [],
    });
  });

  test('why a paper was picked: the topic words it has, the liked paper it resembles', async () => {
    const why = await explainPick('reward model ensembles -survey', await get('like-liked'), votes, index);
    expect(why.matchedWords).toEqual(['reward', 'model', 'ensembles']);
    expect(why.liked.paper?.id).toBe('liked');
    expect(why.disliked.similarity).toBeLessThan(0.1);
  });

  test("why a paper was picked says how much of it is in the topic's related words, when it has them", async () => {
    const paper = await get('like-liked');
    const terms = termsOf(`${paper.title} ${paper.abstract}`).filter(
      (t) => !termsOf('reward model ensembles').includes(t),
    );
    const related = [...new Set(terms)].slice(0, 3);
    const share = terms.filter((t) => related.includes(t)).length / terms.length;
    const why = await explainPick('reward model ensembles', paper, votes, index, undefined, related);
    expect(why.about).toContain(
      `${Math.round(share * 100)}% of its other words are ones papers on the topic use`,
    );
    const without = await explainPick('reward model ensembles', paper, votes, index);
    expect(without.about.join(' ')).not.toContain('other words');
  });
});
