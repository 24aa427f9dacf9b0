import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { followUpMessage, withCitationCounts, withDiscussions } from '../../src/blocks/discussions.js';
import { digestMessage } from '../../src/blocks/subscriptions.js';
import { tasteMessage, whyThisMessage } from '../../src/blocks/taste.js';
import { Library } from '../../src/library.js';
import { createMemoryStore } from '../../src/subscriptions/store.js';
import { describeTaste, explainPick } from '../../src/subscriptions/taste.js';
import { blockKitViolations, liveMarkup } from '../support/blockKit.js';
import { commandContext, makeBot } from '../support/bot.js';
import { makePaper } from '../support/papers.js';
import { subscription } from '../support/subscriptions.js';

/** Pieces of text that Slack would act on, or that break naive parsers. */
const hostile = fc.constantFrom(
  '<!channel>',
  '<!here>',
  '<!everyone>',
  '<@U0BOSS>',
  '<#C0SECRET|general>',
  '<https://evil.example|login>',
  '&lt;',
  '>',
  '*',
  '`',
  '"',
  '-',
  ':',
  '\u202e',
  '\u0000',
  '\ud800',
  'after:',
  'before:<!here>',
  'author:',
  'has:',
  'subscribe',
  'unsubscribe',
  'pause',
  'digest now',
  'at',
  'tz',
  'weekly',
  'taste',
  'reset',
  'confirm',
  'reward',
  'model',
  'cite',
  'trending',
  'top 5 trending',
  'who',
  'forget me',
  'recap',
  'author:"<!channel>"',
  '2310.02743',
  'https://arxiv.org/abs/2310.02743v2',
);
const command = fc
  .array(fc.oneof(hostile, fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 8 })), {
    maxLength: 12,
  })
  .map((parts) => parts.join(' '));

describe('hostile /paper text', () => {
  test('every answer is valid Block Kit and acts on nothing the user typed', async () => {
    const { replies } = await makeBot();
    await fc.assert(
      fc.asyncProperty(command, async (text) => {
        const message = await replies.toCommand(text, commandContext());
        expect(blockKitViolations(message)).toEqual([]);
        expect(liveMarkup(message)).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });

  test('4,000-character hostile commands (the longest Slack sends) are answered validly too', async () => {
    const { replies } = await makeBot();
    const long = fc
      .array(hostile, { minLength: 400, maxLength: 600 })
      .map((parts) => parts.join(' ').slice(0, 4000));
    await fc.assert(
      fc.asyncProperty(
        long,
        fc.constantFrom(
          '',
          'subscribe ',
          'unsubscribe ',
          'digest now ',
          'cite ',
          'trending ',
          'who ',
          'recap ',
        ),
        async (text, prefix) => {
          const message = await replies.toCommand(prefix + text, commandContext());
          expect(blockKitViolations(message)).toEqual([]);
          expect(liveMarkup(message)).toEqual([]);
        },
      ),
      { numRuns: 60 },
    );
  });

  test('button values never exceed 2,000 characters, whatever the query (JSON would escape \\ " and controls)', async () => {
    const { replies } = await makeBot();
    const escapes = fc.string({
      unit: fc.constantFrom('\\', '"', '\u0001', '\u001f', ' ', '-', ':'),
      minLength: 800,
      maxLength: 993,
    });
    await fc.assert(
      fc.asyncProperty(escapes, async (tail) => {
        const message = await replies.toCommand(`reward ${tail}`, commandContext());
        expect(message.text).toMatch(/^Top \d+ of \d+ strong matches/); // a result list, with its buttons
        expect(blockKitViolations(message)).toEqual([]);
      }),
      { numRuns: 40 },
    );
  });

  test.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty x'])(
    '%j is a search, not a subcommand',
    async (text) => {
      // Found by the property above: a plain-object lookup reached Object.prototype and crashed.
      const { replies } = await makeBot();
      const message = await replies.toCommand(text, commandContext());
      expect(message.text).toMatch(
        /^(:mag: No papers match|No strong match for|Top \d+ of|\d+ papers?,|\d+ strong)/,
      );
    },
  );

  test('a filter value that tries to broadcast is quoted inert', async () => {
    const { replies } = await makeBot();
    const message = await replies.toCommand('diffusion after:<!channel>', commandContext());
    expect(message.text).toContain('`after:&lt;!channel&gt;` is not a date');
  });
});

describe('hostile mentions', () => {
  test('questions and thread parents never produce invalid or live output', async () => {
    const { replies } = await makeBot();
    await fc.assert(
      fc.asyncProperty(command, command, fc.boolean(), async (question, parent, inThread) => {
        const message = await replies.toMention(`<@UPAPERBOT> ${question}`, {
          inThread,
          threadParentText: async () => parent,
        });
        expect(blockKitViolations(message)).toEqual([]);
        expect(liveMarkup(message)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});

describe('hostile text in the anchors: author names, BibTeX fields, summaries, keywords', () => {
  const text = fc.oneof(
    hostile,
    fc.string({ maxLength: 30 }),
    fc.constantFrom('}, note = {pwned', '\\input{x}', '```', '*bold*', '_x_', '~', '%', '<@U0BOSS|boss>'),
  );
  const words = fc.array(text, { minLength: 1, maxLength: 6 }).map((parts) => parts.join(' '));
  const hostilePaper = fc.record({
    title: words.filter((t) => t.trim() !== ''),
    authors: fc.array(
      words.filter((t) => t.trim() !== ''),
      { maxLength: 6 },
    ),
    aiSummary: words.filter((t) => t.trim() !== ''),
    aiKeywords: fc.array(
      words.filter((t) => t.trim() !== ''),
      { maxLength: 4 },
    ),
    category: words,
  });

  test('cards, citations, trending lists and author follows stay valid and inert', async () => {
    await fc.assert(
      fc.asyncProperty(hostilePaper, words, async (fields, followed) => {
        const paper = makePaper({
          id: '2608.00001',
          arxivId: '2608.00001',
          title: fields.title,
          authors: fields.authors,
          aiSummary: fields.aiSummary,
          aiKeywords: fields.aiKeywords,
          categories: [fields.category],
          upvotes: 7,
          published: '2026-08-21',
          links: { page: 'https://huggingface.co/papers/2608.00001', code: [], project: [] },
        });
        const { replies } = await makeBot({ papers: [paper], now: '2026-08-21T12:00:00Z' });
        const context = commandContext();
        const answers = [
          await replies.toCommand(`subscribe author:"${followed.replace(/"/g, '')}"`, context),
          await replies.toCommand('cite 2608.00001', context),
          await replies.anchors.cite(paper.id),
          await replies.toCommand('trending', context),
          await replies.toCommand(`cite ${fields.title}`, context),
          await replies.searchPage('after:2026-01-01', 0, context),
        ];
        for (const message of answers) {
          expect(blockKitViolations(message)).toEqual([]);
          expect(liveMarkup(message)).toEqual([]);
        }
        // The entry is one code block: nothing in it can close the block early.
        const code = JSON.stringify(answers[1]?.blocks[1]).match(/```/g) ?? [];
        expect(code).toHaveLength(2);
      }),
      { numRuns: 150 },
    );
  });
});

/** Hostile text of paper titles and abstracts (a source is a stranger too), up to Paper's limits. */
const hostileText = (maxLength: number) =>
  fc
    .array(fc.oneof(hostile, fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 8 })), {
      minLength: 1,
      maxLength: 40,
    })
    .map((parts) => parts.join(' ').slice(0, maxLength) || 'x');

describe('hostile text in the memory, follow-ups and taste', () => {
  test('cards with "discussed in", follow-ups, the taste and "Why this?" stay valid and inert', async () => {
    await fc.assert(
      fc.asyncProperty(
        hostileText(1000),
        hostileText(3000),
        hostileText(200),
        fc.constantFrom('C0ML', 'C0GENERAL', '<!channel>', 'G0PRIV', 'c0lower'),
        fc.constantFrom(
          'https://fake.slack.com/archives/C0ML/p1700000000000100',
          `https://fake.slack.com/${'x'.repeat(3100)}`,
          undefined,
        ),
        fc.option(fc.nat(100_000), { nil: undefined }),
        async (title, abstract, topic, channel, permalink, replyCount) => {
          const liked = makePaper({ id: 'liked', title, abstract });
          const disliked = makePaper({
            id: 'disliked',
            title: `${title} ${abstract}`.slice(0, 1000),
            abstract,
          });
          const picked = makePaper({ id: 'picked', title: `${topic} ${title}`.slice(0, 1000), abstract });
          const index = await Library.inMemory([liked, disliked, picked]);
          const votes = { liked: 'like', disliked: 'dislike' } as const;
          const hit = { paper: picked, score: 1, matchedTerms: [] };
          const digest = digestMessage(subscription('abcd', { topic }), [hit]);
          const noted = withDiscussions(
            digest,
            new Map([
              [
                picked.id,
                {
                  newest: {
                    team: 'T0TEST',
                    channel,
                    ts: '1700000000.000100',
                    threadTs: '1700000000.000100',
                    paperId: picked.id,
                    kind: 'mention' as const,
                    at: '2026-11-26T12:00:00.000Z',
                    ...(permalink ? { permalink } : {}),
                    ...(replyCount === undefined ? {} : { replyCount }),
                  },
                  others: replyCount ?? 0,
                },
              ],
            ]),
            'C0GENERAL',
            new Date('2026-11-27T12:00:00Z'),
          );
          const messages = [
            noted,
            followUpMessage(picked, { kind: 'code', url: 'https://github.com/a/b?x=<!channel>&y=>' }),
            followUpMessage(picked, { kind: 'upvotes', threshold: 100, upvotes: 101 }),
            followUpMessage(picked, { kind: 'cited', by: disliked.id }, disliked),
            withCitationCounts(
              noted,
              new Map([
                [
                  picked.id,
                  {
                    citationCount: replyCount ?? 0,
                    influentialCitationCount: 3,
                    fetchedAt: '2026-11-26T00:00:00.000Z',
                  },
                ],
              ]),
            ),
            tasteMessage(await describeTaste(votes, index)),
            whyThisMessage(await explainPick(topic, picked, votes, index)),
          ];
          for (const message of messages) {
            expect(blockKitViolations(message)).toEqual([]);
            expect(liveMarkup(message)).toEqual([]);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  test('/paper taste and "Why this?" over hostile votes and ids answer validly', async () => {
    const store = createMemoryStore();
    const { replies } = await makeBot({ store });
    const where = { team: 'T0TEST', channel: 'C0GENERAL' };
    await fc.assert(
      fc.asyncProperty(hostileText(200), hostileText(300), async (paperId, value) => {
        await store.recordFeedback(where, paperId, 'like');
        for (const message of [
          await replies.taste.taste(where),
          await replies.taste.whyThis(where, value),
          await replies.taste.reset(where, false),
        ]) {
          expect(blockKitViolations(message)).toEqual([]);
          expect(liveMarkup(message)).toEqual([]);
        }
      }),
      { numRuns: 100 },
    );
  });
});
