import { describe, expect, test } from '@jest/globals';
import { parsePaperCommand } from '../../src/bot/paperCommand.js';
import { blockKitViolations, liveMarkup, sectionTexts } from '../support/blockKit.js';
import { commandContext, makeBot } from '../support/bot.js';
import { HF_NOW, recentHfPapers } from '../support/hfPapers.js';

const bot = () => makeBot({ papers: recentHfPapers(7), now: HF_NOW });
const valid = (message: { text: string; blocks: unknown[] }) => {
  expect(blockKitViolations(message as never)).toEqual([]);
  expect(liveMarkup(message as never)).toEqual([]);
};
/** The titles of a message's cards, in order. */
const titles = (message: { blocks: unknown[] }) =>
  sectionTexts(message).flatMap((text) => /^\*(.+?)\*\n/.exec(text)?.[1] ?? []);

describe('parsing the anchors', () => {
  test.each([
    ['cite 2310.02743', { kind: 'cite', arxivId: '2310.02743' }],
    ['cite arXiv:2310.02743v3', { kind: 'cite', arxivId: '2310.02743' }],
    ['cite https://arxiv.org/pdf/2310.02743v2.pdf', { kind: 'cite', arxivId: '2310.02743' }],
    ['cite https://huggingface.co/papers/2608.19880', { kind: 'cite', arxivId: '2608.19880' }],
    ['cite hep-th/9901001', { kind: 'cite', arxivId: 'hep-th/9901001' }],
    ['cite Math.ag/0101001', { kind: 'cite', arxivId: 'math.AG/0101001' }],
    ['cite reward model ensembles', { kind: 'cite', text: 'reward model ensembles' }],
    ['trending', { kind: 'trending', period: 'today' }],
    ['Trending WEEK', { kind: 'trending', period: 'week' }],
    ['subscribe trending', { kind: 'subscribe', topic: 'top 5 trending' }],
    ['subscribe Top 3 Trending weekly', { kind: 'subscribe', topic: 'top 3 trending', cadence: 'weekly' }],
    [
      'subscribe author:"Yann LeCun" weekly',
      { kind: 'subscribe', topic: 'author:"Yann LeCun"', cadence: 'weekly' },
    ],
  ])('%s', (text, expected) => {
    expect(parsePaperCommand(text)).toMatchObject(expected);
  });

  test.each([
    ['cite', 'Say which paper'],
    ['subscribe top 11 trending', 'Trending digests hold 1 to 10 papers'],
    ['subscribe top 0 trending', 'Trending digests hold 1 to 10 papers'],
  ])('%s is refused with what to type', (text, message) => {
    const command = parsePaperCommand(text);
    expect(command.kind).toBe('invalid');
    expect(JSON.stringify(command)).toContain(message);
  });
});

describe('/paper cite', () => {
  test('by arXiv id: the BibTeX in a code block, escaped for Slack', async () => {
    const { replies } = await bot();
    const message = await replies.toCommand('cite 2608.20336', commandContext());
    const [about, code] = sectionTexts(message);
    expect(about).toBe(
      ':bookmark: BibTeX for “WithEveryone: Unified Planning and Identity Grounding for Group Image Generation”',
    );
    expect(code).toMatch(/^```\n@misc\{xu2026witheveryone,\n {2}title {9}= \{WithEveryone: Unified Planning/);
    expect(code).toContain('eprint        = {2608.20336}');
    expect(code).toContain('archivePrefix = {arXiv}');
    expect(code).toMatch(/\n}\n```$/);
    valid(message);
  });

  test('by words: the best strong match, naming the next ones; unknown ids and weak matches say so', async () => {
    const { replies } = await bot();
    const found = await replies.toCommand('cite EnvHarness awakening static worlds', commandContext());
    expect(sectionTexts(found)[0]).toContain('EnvHarness: Awakening Static Worlds for Agent Learning');
    expect(sectionTexts(found)[1]).toContain('eprint        = {2608.19880}');
    const unknown = await replies.toCommand('cite 1706.03762', commandContext());
    expect(unknown.text).toContain('arXiv:1706.03762 is not among my papers yet');
    const nothing = await replies.toCommand('cite medieval cooking recipes', commandContext());
    expect(nothing.text).toMatch(/No papers match|No paper matches/);
  });

  test('a long author list is shortened with "and others" only when the entry would not fit', async () => {
    const papers = recentHfPapers(7);
    const crowded = {
      ...(papers[0] as (typeof papers)[0]),
      authors: Array.from({ length: 400 }, (_, i) => `Author Number ${i}`),
    };
    const { replies } = await makeBot({ papers: [crowded], now: HF_NOW });
    const message = await replies.anchors.cite(crowded.id);
    const code = sectionTexts(message)[1] ?? '';
    expect(code).toMatch(/Author Number 0 and .* and Author Number 49 and others\},/);
    expect(code).toMatch(/\n}\n```$/);
    valid(message);
    const { replies: few } = await bot();
    expect(sectionTexts(await few.anchors.cite('2608.19880'))[1]).not.toContain('others');
  });

  test('the Cite button answers the same entry', async () => {
    const { replies } = await bot();
    const fromButton = await replies.anchors.cite('2608.20336');
    expect(fromButton).toEqual(await replies.toCommand('cite 2608.20336', commandContext()));
    expect((await replies.anchors.cite('gone')).text).toContain('no longer in the corpus');
  });
});

describe('/paper trending', () => {
  test('today: the most upvoted papers published yesterday or today, with cards', async () => {
    const { replies } = await bot();
    const message = await replies.toCommand('trending', commandContext());
    // By upvotes (163, 38, 32, 30, 24), papers of 2026-08-20 and -21 only.
    expect(titles(message)).toEqual([
      'EnvHarness: Awakening Static Worlds for Agent Learning',
      '4DAnyone: Create Anyone in 4D from a Casual Monocular Video',
      'SWE-bench Science: Can Coding Agents Resolve Engineering Tasks in Science?',
      'WithEveryone: Unified Planning and Identity Grounding for Group Image Generation',
      'MemTrapBench: Benchmarking Cognitive Traps in LLM Memory Use',
    ]);
    expect(JSON.stringify(message.blocks.slice(0, 2))).toMatch(/Trending today.*published since 20 Aug 2026/);
    expect(message.text).toContain('1. EnvHarness: Awakening Static Worlds for Agent Learning (163 upvotes)');
    valid(message);
  });

  test('week reaches back seven days; an empty period says what to try', async () => {
    const { replies } = await bot();
    const week = await replies.toCommand('trending week', commandContext());
    expect(titles(week).slice(0, 2)).toEqual([
      'EnvHarness: Awakening Static Worlds for Agent Learning',
      'Zetta ζ: An Efficient Closed-Loop Embodied Harness for Self-Evolving Physical Intelligence',
    ]);
  });

  test('a corpus with nothing that recent says so and shows the latest period it has', async () => {
    const { replies: later } = await makeBot({ papers: recentHfPapers(7), now: '2026-12-01T12:00:00Z' });
    const today = await later.toCommand('trending', commandContext());
    expect(today.text).toMatch(/^Trending: the two days to 20 Aug 2026:\n1\. /);
    expect(JSON.stringify(today.blocks)).toContain(
      'No paper published since 30 Nov 2026 has Hugging Face upvotes here: my newest are from 20 Aug 2026. These are the most upvoted of the latest two days I have.',
    );
    expect(titles(today)[0]).toBe('EnvHarness: Awakening Static Worlds for Agent Learning');
    const week = await later.toCommand('trending week', commandContext());
    expect(week.text).toMatch(/^Trending: the week to 20 Aug 2026:\n1\. /);
    valid(today);
    valid(week);
    // Nothing with upvotes at all: the period asked for, and what to try.
    const unvoted = recentHfPapers(7).map(({ upvotes: _upvotes, ...paper }) => paper);
    const { replies: none } = await makeBot({ papers: unvoted, now: '2026-12-01T12:00:00Z' });
    expect((await none.toCommand('trending', commandContext())).text).toContain(
      'No paper published since 30 Nov 2026 has Hugging Face upvotes yet. Try `/paper trending week`.',
    );
  });
});

describe('following authors', () => {
  test('a channel that follows an author sees them marked on its cards; other channels do not', async () => {
    const { replies } = await bot();
    const subscribed = await replies.toCommand(
      'subscribe author:"Nuno Vasconcelos" weekly',
      commandContext(),
    );
    expect(subscribed.text).toContain('Subscribed this channel to author:"Nuno Vasconcelos"');
    // The preview: his papers, marked.
    expect(sectionTexts(subscribed).filter((t) => t.includes('*Nuno Vasconcelos* (followed)'))).toHaveLength(
      3,
    );
    const search = await replies.toCommand('author:vasconcelos', commandContext());
    expect(JSON.stringify(search)).toContain('*Nuno Vasconcelos* (followed)');
    // Elsewhere he is one of the "et al." of these papers.
    const elsewhere = await replies.toCommand('author:vasconcelos', commandContext({ channel: 'C0OTHER' }));
    expect(titles(elsewhere)).toEqual(titles(search));
    // Nobody is followed there; the searched author is only named, in bold, as the reason for the match.
    expect(JSON.stringify(elsewhere)).not.toMatch(/\(followed\)/);
    expect(JSON.stringify(elsewhere)).toContain('*Nuno Vasconcelos* et al.');
    valid(search);
  });

  test('mention answers in the channel mark them too', async () => {
    const { replies } = await bot();
    await replies.toCommand('subscribe author:vasconcelos', commandContext());
    const answer = await replies.toMention(
      '<@UPAPERBOT> any work on self-supervised visual on-policy distillation?',
      {
        where: commandContext(),
        inThread: false,
        threadParentText: async () => undefined,
      },
    );
    expect(JSON.stringify(answer)).toContain('*Nuno Vasconcelos* (followed)');
  });

  test("an author subscription's digest posts their new papers, marked, then nothing twice", async () => {
    const { replies, scheduler, poster, clock } = await bot();
    await replies.toCommand('subscribe author:vasconcelos daily', commandContext());
    clock.advance(24 * 3600_000);
    await scheduler.tick();
    expect(poster.posts).toHaveLength(1);
    const [post] = poster.posts;
    expect(post?.message.text).toMatch(/^3 new papers on author:vasconcelos/);
    expect(JSON.stringify(post?.message)).toContain('*Nuno Vasconcelos* (followed)');
    clock.advance(24 * 3600_000);
    await scheduler.tick();
    expect(poster.posts).toHaveLength(1);
  });

  test('a "top N trending" subscription posts the most upvoted papers of its period, never one twice', async () => {
    const { replies, scheduler, poster, store } = await bot();
    const subscribed = await replies.toCommand('subscribe top 2 trending daily', commandContext());
    expect(subscribed.text).toContain('Subscribed this channel to top 2 trending');
    expect(titles(subscribed)).toEqual([
      'EnvHarness: Awakening Static Worlds for Agent Learning',
      '4DAnyone: Create Anyone in 4D from a Casual Monocular Video',
    ]);
    const [subscription] = await store.inChannel(commandContext());
    if (!subscription) throw new Error('not stored');
    await scheduler.runNow(subscription);
    await scheduler.runNow((await store.get('T0TEST', subscription.id)) ?? subscription);
    expect(poster.posts.map((post) => post.message.text.split('\n'))).toEqual([
      [
        'The 2 most upvoted new papers of the last day:',
        '1. EnvHarness: Awakening Static Worlds for Agent Learning',
        '2. 4DAnyone: Create Anyone in 4D from a Casual Monocular Video',
      ],
      [
        'The 2 most upvoted new papers of the last day:',
        '1. SWE-bench Science: Can Coding Agents Resolve Engineering Tasks in Science?',
        '2. WithEveryone: Unified Planning and Identity Grounding for Group Image Generation',
      ],
    ]);
    for (const post of poster.posts) valid(post.message);
  });
});
