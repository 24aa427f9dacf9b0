import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { SlackMessage } from '../../src/blocks/message.js';
import { PAPER_COMMANDS } from '../../src/bot/paperCommand.js';
import { expectValidMessage } from '../support/blockKit.js';
import { type BotFixture, commandContext, makeBot } from '../support/bot.js';
import { shippedPapers } from '../support/papers.js';

// Every example of the list of commands (the help and the Home tab show them) and every line
// typed in README.md's fenced blocks, run as written on the bundled corpus, offline, a week after
// its newest paper and later: each must answer usefully.

const README = fileURLToPath(new URL('../../README.md', import.meta.url));

/** The `/paper …` and `@paperbot …` lines typed in README.md's fenced blocks (after a prompt or alone). */
function readmeLines(markdown: string): string[] {
  const lines: string[] = [];
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*```/.test(line)) {
      fenced = !fenced;
      continue;
    }
    const typed = fenced
      ? /^\s*(?:paperbot>\s*|\$\s*)?((?:\/paper|@paperbot)\b.*)$/.exec(line)?.[1]
      : undefined;
    if (typed) lines.push(typed.trim());
  }
  return lines;
}

/** What an answer must never be for an example: no match, a usage line, a refusal. */
const NOT_USEFUL = [
  'No papers match',
  'No strong match',
  'is not among my papers',
  'Say which',
  'Tell me what to look for',
  'Did you mean the command',
  ':warning:',
  'no longer',
];

let fixture: BotFixture;
const context = commandContext();

beforeAll(async () => {
  fixture = await makeBot({ papers: shippedPapers(), now: '2026-12-07T12:00:00Z' });
});
afterAll(async () => {
  await fixture.index.close();
});

/** The answer to a line as typed in Slack or the console; `<id>` is the channel's first subscription. */
async function answer(line: string): Promise<SlackMessage> {
  const [subscription] = await fixture.store.inChannel(context);
  const typed = line.replace('<id>', subscription?.id ?? 'nosuch');
  const mention = /^@paperbot\b(.*)$/.exec(typed);
  if (mention)
    return fixture.replies.toMention(mention[1] ?? '', {
      inThread: false,
      threadParentText: async () => undefined,
    });
  return fixture.replies.toCommand(typed.replace(/^\/paper\b\s*/, ''), context);
}

function expectUseful(line: string, message: SlackMessage): void {
  expectValidMessage(message);
  const shown = `${message.text}\n${JSON.stringify(message.blocks)}`;
  for (const phrase of NOT_USEFUL)
    if (shown.includes(phrase)) throw new Error(`${line} answered: ${shown.slice(0, 600)}`);
  expect(message.blocks?.length ?? 0).toBeGreaterThan(0);
}

describe('every example of the list of commands', () => {
  const examples = PAPER_COMMANDS.flatMap((spec) => spec.examples);

  test('there are examples of every command', () => {
    expect(examples.length).toBeGreaterThanOrEqual(PAPER_COMMANDS.length);
  });

  // In list order: the subscribe example makes the subscription that `<id>` stands for.
  test.each(examples)('%s', async (line) => {
    expectUseful(line, await answer(line));
  });
});

describe("README.md's typed lines", () => {
  const lines = readmeLines(readFileSync(README, 'utf8'));

  test('the README shows some', () => {
    expect(lines.length).toBeGreaterThan(0);
  });

  test.each(lines)('%s', async (line) => {
    expectUseful(line, await answer(line));
  });
});

describe('the issue, replayed as written on the bundled corpus', () => {
  test('/paper cite 2310.02743 gives the BibTeX of Reward Model Ensembles', async () => {
    const message = await answer('/paper cite 2310.02743');
    expect(message.text).toBe('BibTeX for Reward Model Ensembles Help Mitigate Overoptimization');
    expect(JSON.stringify(message.blocks)).toMatch(/@misc\{coste2023reward,.*eprint += \{2310\.02743\}/);
  });

  test.each(['/paper 2501.12948', '/paper https://arxiv.org/abs/2501.12948', '/paper arXiv:2501.12948'])(
    '%s answers with DeepSeek-R1 first',
    async (line) => {
      const message = await answer(line);
      expect(JSON.stringify(message.blocks)).toMatch(/DeepSeek-R1: Incentivizing Reasoning Capability/);
      expectUseful(line, message);
    },
  );

  test.each(['@paperbot <https://arxiv.org/abs/2501.12948>', '@paperbot 2501.12948'])(
    '%s answers in the thread with DeepSeek-R1',
    async (line) => {
      const message = await answer(line);
      expect(JSON.stringify(message.blocks)).toMatch(/DeepSeek-R1: Incentivizing Reasoning Capability/);
      expectUseful(line, message);
    },
  );

  test('offline, an arXiv id the corpus lacks is said to be missing, with what to do', async () => {
    const message = await answer('/paper 2999.99999');
    expect(message.text).toContain(
      `arXiv:2999.99999 is not among my ${fixture.index.size.toLocaleString('en-US')} papers. Search with words of its title;`,
    );
  });

  test('/paper trending and trending week show the latest period the corpus has, and say so', async () => {
    for (const [line, title] of [
      ['/paper trending', 'Trending: the two days to 20 Aug 2026'],
      ['/paper trending week', 'Trending: the week to 20 Aug 2026'],
    ] as const) {
      const message = await answer(line);
      expect(message.text.startsWith(`${title}:\n1. `)).toBe(true);
      expect(JSON.stringify(message.blocks)).toContain('my newest are from 20 Aug 2026');
    }
  });

  test('a date window after the newest paper says how recent the corpus is', async () => {
    const message = await answer('/paper diffusion after:2026-12-01');
    expect(message.text).toContain(
      'No papers match “diffusion after:2026-12-01”. I have no paper published on or after 1 Dec 2026: my newest are from 20 Aug 2026.',
    );
  });

  test('/paper author:hinton says that no paper of the corpus is by such an author', async () => {
    const message = await answer('/paper author:hinton');
    expect(message.text).toContain(
      `No papers match “author:hinton”. None of my ${fixture.index.size.toLocaleString('en-US')} papers has an author named “hinton”.`,
    );
  });

  test('/paper author:lecun lists papers by Yann LeCun', async () => {
    const message = await answer('/paper author:lecun');
    expectUseful('/paper author:lecun', message);
    expect(JSON.stringify(message.blocks)).toContain('Yann LeCun');
  });

  test('spekulative decodng suggests speculative decoding and finds it', async () => {
    const message = await answer('/paper spekulative decodng');
    const shown = JSON.stringify(message.blocks);
    expect(shown).toContain('Did you mean “speculative decoding”?');
    expect(shown).toMatch(/Speculative Decoding/);
  });

  test('help me find diffusion papers finds diffusion papers, @paperbot help answers with help', async () => {
    const found = await answer('/paper help me find diffusion papers');
    expect(found.text).not.toContain('How to use paperbot');
    expect(JSON.stringify(found.blocks)).not.toContain('Did you mean');
    expect(JSON.stringify(found.blocks)).toMatch(/Diffusion/);
    expect((await answer('@paperbot help')).text).toContain('How to use paperbot');
  });

  test.each([
    '/paper resume screening with large language models',
    '/paper trending topics in NLP',
    '/paper taste and smell prediction',
    '/paper pause prediction in speech',
  ])('%s is a search that asks whether the command was meant', async (line) => {
    const message = await answer(line);
    const shown = JSON.stringify(message.blocks);
    expect(shown).toContain('Did you mean the command');
    expect(message.blocks?.some((block) => block.type === 'actions' || block.type === 'section')).toBe(true);
    expect(shown).not.toContain('Say which subscription');
  });
});
