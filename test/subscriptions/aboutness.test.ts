import { describe, expect, test } from '@jest/globals';
import { Library } from '../../src/library.js';
import { acronymsOf, describeEvidence, PASS_MARK, TopicJudge } from '../../src/subscriptions/aboutness.js';
import { ChannelTaste, selectDigest, type TopicSignal } from '../../src/subscriptions/digest.js';
import { makePaper } from '../support/papers.js';

const TOPIC = 'vision-language-action models';

const onTopic = makePaper({
  title: 'Scaling Vision-Language-Action Models with Real-World Trajectories',
  abstract:
    'Vision-language-action models map images and instructions to robot actions. We train a vision-language-action model on 100K hours of trajectories. It generalises to new objects.',
  published: '2026-11-02',
  arrivedAt: '2026-11-05T00:00:00.000Z',
});
const byAcronym = makePaper({
  title: 'TurboVLA: Real-Time Control at 32 Hz',
  abstract:
    'Robot policies must act fast. TurboVLA distils a large vision-language-action (VLA) model into a small one that runs at 32 Hz. It keeps the success rate of the large VLA on manipulation tasks.',
  published: '2026-11-04',
  arrivedAt: '2026-11-01T00:00:00.000Z',
});
const inPassing = makePaper({
  title: 'A Benchmark of Household Chores for Embodied Agents',
  abstract:
    'We present a benchmark of 500 household chores. Tasks need long-horizon planning in cluttered kitchens. We evaluate planners, scripted policies and baselines such as vision-language-action models. Language planners fail on half of the chores.',
  published: '2026-11-03',
  arrivedAt: '2026-11-03T00:00:00.000Z',
});
const background = Array.from({ length: 12 }, (_, i) =>
  makePaper({
    title: `Protein Structure Prediction ${i}`,
    abstract: 'Folding proteins with sequences and models.',
  }),
);

describe('TopicJudge', () => {
  const judge = new TopicJudge(TOPIC, { vision: 2, languag: 1, action: 2.5, model: 0.3 });

  test('a paper whose title and opening are the topic passes both strictnesses; the reasons say so', () => {
    const { score, evidence } = judge.judge(onTopic, 3);
    expect(score).toBeGreaterThanOrEqual(PASS_MARK.strict);
    expect(evidence).toMatchObject({
      title: 1,
      opening: 1,
      every: true,
      phraseInTitle: true,
      onlyInLists: false,
    });
    expect(evidence.sentences).toEqual({ about: 2, of: 3 });
    expect(describeEvidence(evidence)).toEqual([
      'the topic is in its title',
      'its abstract opens on the topic',
      '2 of its 3 abstract sentences concern it',
    ]);
  });

  test("the topic's acronym counts as the topic, also inside a coined name", () => {
    const { evidence } = judge.judge(byAcronym, 1);
    expect(evidence).toMatchObject({ title: 1, acronym: 'TurboVLA'.slice(5), phrase: true, every: true });
    expect(describeEvidence(evidence)).toContain("it uses the topic's acronym VLA");
  });

  test('a topic named only as an example or baseline is a passing mention, below the strict mark', () => {
    const { score, evidence } = judge.judge(inPassing, 1);
    expect(evidence).toMatchObject({ title: 0, onlyInLists: true });
    expect(score).toBeLessThan(PASS_MARK.strict);
    const named = { ...inPassing, abstract: inPassing.abstract.replace('baselines such as', 'with') };
    expect(judge.judge(named, 1).evidence.onlyInLists).toBe(false);
    expect(judge.judge(named, 1).score).toBeGreaterThan(score);
    expect(describeEvidence(evidence)).toContain(
      'but the abstract names the topic only in a list or comparison',
    );
  });

  test('a stronger search match raises the score, all else equal; no text beats the best possible', () => {
    expect(judge.judge(inPassing, 3).score).toBeGreaterThan(judge.judge(inPassing, 1).score);
    for (const paper of [onTopic, byAcronym, inPassing])
      for (const match of [0.1, 1, 4])
        expect(judge.judge(paper, match).score).toBeLessThanOrEqual(judge.bestPossible(match));
  });

  test('a match that trails the best of its day scores lower; no text beats the best possible', () => {
    expect(judge.judge(onTopic, 1, 0.5).score).toBeLessThan(judge.judge(onTopic, 1, 1).score);
    for (const lead of [0.2, 1]) {
      expect(judge.judge(onTopic, 1, lead).score).toBeLessThanOrEqual(judge.bestPossible(1, lead));
      expect(judge.bestPossible(1, lead)).toBeLessThanOrEqual(judge.bestPossible(1, 1));
    }
  });

  test("the share of a paper's other words among the topic's related words counts, and is told", () => {
    // Related words as the learnt signal gives them: index terms, the topic's own left out.
    const related = ['robot', 'trajectori', 'imag', 'instruct', 'vision'];
    const withSignal = new TopicJudge(TOPIC, { vision: 2, languag: 1, action: 2.5, model: 0.3 }, { related });
    const { evidence } = withSignal.judge(onTopic, 1);
    // Of its 15 words that are not the topic's, 5 are related: trajectories (twice), images,
    // instructions, robot; `vision` is the topic's own and does not count.
    expect(evidence.related).toBeCloseTo(5 / 15, 5);
    expect(describeEvidence(evidence)).toContain('33% of its other words are ones papers on the topic use');
    // The same paper scores higher the more of its words the topic's papers use.
    const unrelated = new TopicJudge(
      TOPIC,
      { vision: 2, languag: 1, action: 2.5, model: 0.3 },
      { related: ['protein'] },
    );
    expect(unrelated.judge(onTopic, 1).evidence.related).toBe(0);
    expect(withSignal.judge(onTopic, 1).score).toBeGreaterThan(unrelated.judge(onTopic, 1).score);
    expect(withSignal.judge(onTopic, 1).score).toBeLessThanOrEqual(withSignal.bestPossible(1));
    // Without the signal there is no such evidence, and nothing is said of it.
    expect(judge.judge(onTopic, 1).evidence.related).toBeUndefined();
    expect(describeEvidence(judge.judge(onTopic, 1).evidence).join(' ')).not.toContain('other words');
  });

  test('a paper read for one topic is judged for another as if read afresh', () => {
    const memory = new TopicJudge('agent memory');
    const copy = { title: onTopic.title, abstract: onTopic.abstract };
    memory.judge(onTopic, 1);
    expect(judge.judge(onTopic, 2)).toEqual(judge.judge(copy, 2));
    expect(memory.judge(byAcronym, 1)).toEqual(
      memory.judge({ title: byAcronym.title, abstract: byAcronym.abstract }, 1),
    );
  });

  test("the topic's words stand together within its length plus two words, in any order", () => {
    const together = (title: string) => judge.evidence({ title, abstract: 'Nothing here.' }).phraseInTitle;
    expect(together('Action Models for Vision and Language')).toBe(true);
    expect(together('Vision and Language Models Learn to Act on Real Robots, an Action Study')).toBe(false);
  });

  test('acronyms: initials of three letters or more, with and without small and last words', () => {
    expect([...acronymsOf(TOPIC)].sort()).toEqual(['VLA', 'VLAM']);
    expect([...acronymsOf('mixture of experts')]).toEqual(['MOE']);
    expect(acronymsOf('time series').size).toBe(0);
    // Dropping the last word of "LLM quantization" leaves LLM, which is not the topic.
    expect([...acronymsOf('LLM quantization')]).toEqual(['LLMQ']);
    expect([...acronymsOf('RLHF')]).toEqual(['RLHF']);
  });
});

const index = await Library.inMemory([onTopic, byAcronym, inPassing, ...background]);

describe('selectDigest with a strictness', () => {
  test('strict leaves out a paper that names the topic only in passing; newest publication first', async () => {
    const digest = await selectDigest({ topic: TOPIC, strictness: 'strict' }, index, {});
    // TurboVLA arrived first but was published last.
    expect(digest.hits.map((hit) => hit.paper.id)).toEqual([byAcronym.id, onTopic.id]);
    for (const hit of digest.hits)
      expect(digest.about?.[hit.paper.id]?.score).toBeGreaterThanOrEqual(PASS_MARK.strict);
  });

  test("the index's related words for the topic reach the judge, and its evidence", async () => {
    const asked: Array<[string, number | undefined]> = [];
    const signal: TopicSignal = {
      relatedTerms: async (text, count) => {
        asked.push([text, count]);
        return [{ term: 'trajectori' }];
      },
    };
    const withSignal = Object.assign(Object.create(index) as Library, signal);
    const digest = await selectDigest({ topic: TOPIC, strictness: 'broad' }, withSignal, {});
    expect(asked).toEqual([[TOPIC, 50]]);
    expect(digest.about?.[onTopic.id]?.evidence.related).toBeGreaterThan(0);
    expect(digest.about?.[byAcronym.id]?.evidence.related).toBe(0);
    // A plain index has no signal: the evidence says nothing of related words.
    const plain = await selectDigest({ topic: TOPIC, strictness: 'broad' }, index, {});
    expect(plain.about?.[onTopic.id]?.evidence.related).toBeUndefined();
  });

  test('broad posts at least what strict posts', async () => {
    const strict = await selectDigest({ topic: TOPIC, strictness: 'strict' }, index, {});
    const broad = await selectDigest({ topic: TOPIC, strictness: 'broad' }, index, {});
    for (const hit of strict.hits) expect(broad.hits.map((h) => h.paper.id)).toContain(hit.paper.id);
  });
});

describe("the channel's votes", () => {
  // The topic is one of several threads here: enough for `broad`, not for `strict`.
  const chores = makePaper({
    title: 'Household Chores for Embodied Agents',
    abstract:
      'We present a benchmark of 500 household chores for robots. We fine-tune vision-language-action models on chores and compare planners. Long-horizon planning remains hard.',
  });
  const liked = makePaper({
    title: 'Kitchen Chores for Household Robots',
    abstract: 'A benchmark of household chores for robots: planners and long-horizon planning in kitchens.',
  });

  test('a paper much like one the channel liked needs only the broad evidence', async () => {
    // A plainer paper on the topic the same day, so that this one is not the day's best match.
    const sameDay = { ...onTopic, id: 'same-day', arrivedAt: chores.arrivedAt };
    const library = await Library.inMemory([chores, liked, sameDay, ...background]);
    const posted = { [liked.id]: '2026-11-01T09:00:00.000Z' };
    const ids = (digest: { hits: { paper: { id: string } }[] }) =>
      digest.hits.map((hit) => hit.paper.id).filter((id) => id !== sameDay.id);
    expect(ids(await selectDigest({ topic: TOPIC, strictness: 'strict' }, library, posted))).toEqual([]);
    expect(ids(await selectDigest({ topic: TOPIC, strictness: 'broad' }, library, posted))).toEqual([
      chores.id,
    ]);
    const taste = await ChannelTaste.of({ [liked.id]: 'like' }, library);
    expect(
      ids(await selectDigest({ topic: TOPIC, strictness: 'strict' }, library, posted, 5, taste)),
    ).toEqual([chores.id]);
    const disliking = await ChannelTaste.of({ [liked.id]: 'dislike' }, library);
    expect(
      ids(await selectDigest({ topic: TOPIC, strictness: 'broad' }, library, posted, 5, disliking)),
    ).toEqual([]);
  });
});
