import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { blockKitViolations, liveMarkup } from '../support/blockKit.js';
import { commandContext, makeBot } from '../support/bot.js';

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
  'reward',
  'model',
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
        fc.constantFrom('', 'subscribe ', 'unsubscribe ', 'digest now '),
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
