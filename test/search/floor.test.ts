import { describe, expect, test } from '@jest/globals';
import { blocksOf, expectValidMessage, sectionTexts } from '../support/blockKit.js';
import { commandContext, makeBot } from '../support/bot.js';
import { makePaper } from '../support/papers.js';

// The relevance floor as people see it: /paper, mentions and previews never present weak hits
// as answers. A small corpus; each expectation says why a paper is a strong match or not.

const papers = [
  makePaper({
    title: 'Reward Model Ensembles',
    abstract: 'Ensembles of reward models reduce overoptimization.',
  }),
  makePaper({
    title: 'Ensembles of Reward Models, Revisited',
    abstract: 'We revisit reward model ensembles.',
  }),
  makePaper({ title: 'Reward Shaping in Games', abstract: 'Shaping rewards for game agents.' }),
  // Papers on other topics, so that the words above are as rare as in a real corpus.
  ...Array.from({ length: 12 }, (_, i) =>
    makePaper({ title: `Protein Structure Prediction ${i}`, abstract: 'Folding proteins from sequences.' }),
  ),
];
const outsideThread = { inThread: false, threadParentText: async () => undefined };
const header = (message: { blocks?: unknown[] }) =>
  (blocksOf(message)[0] as { text?: { text?: string } }).text?.text;
const contextLine = (message: { blocks?: unknown[] }) =>
  (blocksOf(message)[1] as unknown as { elements: { text: string }[] }).elements.at(-1)?.text;

describe('the relevance floor in answers', () => {
  test('strong matches are presented as answers; weaker ones after them, said to be weaker', async () => {
    // Two titles have all three words (and the pairs "reward model", "model ensembles"): strong.
    // "Reward Shaping in Games" has one word of three, a third of the query: weak.
    const { replies } = await makeBot({ papers });
    const message = await replies.toCommand('reward model ensembles', commandContext());
    expect(header(message)).toBe('Papers for “reward model ensembles”');
    expect(contextLine(message)).toBe('2 strong matches, then the closest of 3 papers');
    const blocks = blocksOf(message) as { type: string; elements?: { text: string }[] }[];
    const separator = blocks.findIndex((block) => block.elements?.[0]?.text === 'Weaker matches:');
    const cardTitles = sectionTexts(message).map((text) => /^\*(.+?)\*/.exec(text)?.[1]);
    expect(cardTitles).toEqual([
      'Reward Model Ensembles',
      'Ensembles of Reward Models, Revisited',
      'Reward Shaping in Games',
    ]);
    // The separator sits between the second and the third card.
    expect(blocks.slice(separator).filter((block) => block.type === 'section')).toHaveLength(1);
    expectValidMessage(message);
  });

  test('a list of strong matches counts them', async () => {
    const { replies } = await makeBot({ papers });
    const message = await replies.toCommand('protein structure prediction', commandContext());
    expect(contextLine(message)).toBe('Top 5 of 12 strong matches, best first');
    expect(message.text).toMatch(
      /^Top 5 of 12 strong matches, best first for “protein structure prediction”:\n1\. /,
    );
  });

  test('a topic the corpus lacks gets "No strong match" and the closest papers, with a suggestion', async () => {
    // "sourdough" and "fermentation" are in no paper: most of the query is unmatched.
    const { replies } = await makeBot({ papers });
    const message = await replies.toCommand('reward shaping for sourdough fermentation', commandContext());
    expect(header(message)).toBe('No strong match for “reward shaping for sourdough fermentation”');
    // Every paper with "reward" shares a word; the one with "shaping" too comes first.
    expect(contextLine(message)).toBe(
      'The closest papers of 3 that share words with it. Try other words for the same idea, or fewer of them.',
    );
    expect(message.text).toMatch(
      /^No strong match for “reward shaping for sourdough fermentation”; closest papers:\n1\. Reward Shaping in Games\n2\. /,
    );
    expectValidMessage(message);
  });

  test('a mention says so too', async () => {
    const { replies } = await makeBot({ papers });
    const message = await replies.toMention(
      '<@UPAPERBOT> any papers on reward shaping for sourdough?',
      outsideThread,
    );
    expect(header(message)).toBe('No strong match for “reward shaping for sourdough”');
    expectValidMessage(message);
  });

  test('a subscription preview shows strong matches only, and says when there are none', async () => {
    const { replies } = await makeBot({ papers });
    const strong = await replies.toCommand('subscribe reward model ensembles', commandContext());
    expect(
      sectionTexts(strong)
        .slice(1)
        .map((text) => /^\*(.+?)\*/.exec(text)?.[1]),
    ).toEqual(['Reward Model Ensembles', 'Ensembles of Reward Models, Revisited']); // same arrival: best first
    const none = await replies.toCommand(
      'subscribe sourdough reward shaping',
      commandContext({ channel: 'C0OTHER' }),
    );
    expect(JSON.stringify(none.blocks)).toContain(
      'No paper matches it strongly yet: digests post strong matches as they arrive.',
    );
  });
});
