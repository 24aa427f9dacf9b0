import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import {
  boldText,
  escapeMrkdwn,
  escapeToFit,
  plainFromSlackMarkup,
  plainText,
  truncate,
} from '../../src/blocks/mrkdwn.js';
import { abstractSnippet, highlight } from '../../src/blocks/snippet.js';

describe('escapeMrkdwn', () => {
  test('escapes the three characters Slack asks for, and drops control and bidi characters', () => {
    expect(escapeMrkdwn('<!channel> & <@U1> \u202Egnp.exe\u0007')).toBe(
      '&lt;!channel&gt; &amp; &lt;@U1&gt; gnp.exe',
    );
  });

  test('never leaves a raw < or > and never an unescaped &', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const escaped = escapeMrkdwn(text);
        expect(escaped).not.toMatch(/[<>]/);
        expect(escaped).not.toMatch(/&(?!amp;|lt;|gt;)/);
      }),
      { numRuns: 500 },
    );
  });
});

describe('truncate and escapeToFit', () => {
  test('truncate ends with an ellipsis and never splits a surrogate pair', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('ab😀cd', 4)).toBe('ab…');
    expect(truncate('short', 10)).toBe('short');
  });

  test('escapeToFit never exceeds the limit, even when entities grow the text', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('&', '<', 'a', '😀') }),
        fc.integer({ min: 0, max: 60 }),
        (text, max) => {
          const fitted = escapeToFit(text, max);
          expect(fitted.length).toBeLessThanOrEqual(max);
          expect(fitted).not.toMatch(/&(?!amp;|lt;|gt;)/); // no entity cut in half
        },
      ),
      { numRuns: 500 },
    );
  });

  test('a limit of 0 (or less) gives the empty string at once, not an endless loop', () => {
    expect(truncate('abc', 0)).toBe('');
    expect(escapeToFit('abc', 0)).toBe('');
    expect(escapeToFit('&&&', 1)).toBe('…'); // "&amp;" cannot fit in 1, the ellipsis can
    expect(escapeToFit('abc', -5)).toBe('');
  });

  test('boldText escapes, fits, and cannot be ended early by a * in the text', () => {
    expect(boldText('a *b* <!here>', 100)).toBe('*a ∗b∗ &lt;!here&gt;*');
    expect(boldText('x'.repeat(300), 200)).toBe(`*${'x'.repeat(199)}…*`);
  });

  test('plainText collapses white space and is never empty', () => {
    expect(plainText('  a\n\tb  ', 10)).toEqual({ type: 'plain_text', text: 'a b', emoji: false });
    expect(plainText('', 10).text).toBe(' ');
  });
});

describe('plainFromSlackMarkup', () => {
  test('keeps what a person wrote, without mentions, broadcasts or link targets', () => {
    const plain = plainFromSlackMarkup(
      '<@U1> see <https://x.org|the paper> &amp; <https://y.org> <!here> <#C1|general>',
    );
    expect(plain.replace(/\s+/g, ' ').trim()).toBe('see the paper &');
  });
});

describe('abstract snippets', () => {
  const abstract = 'First sentence is about nothing. Then reward models appear here. A third one follows.';

  test('picks the sentence with the most matched terms, adds the next while it fits, and bolds matches', () => {
    expect(abstractSnippet(abstract, ['reward', 'model'])).toBe(
      '…Then *reward* *models* appear here. A third one follows.',
    );
  });

  test('falls back to the opening when nothing matches', () => {
    expect(abstractSnippet(abstract, [], 40)).toBe('First sentence is about nothing.');
  });

  test('never bolds inside a URL and escapes the text around matches', () => {
    expect(highlight('See https://github.com/a/reward-model & <reward>', new Set(['reward']))).toBe(
      'See https://github.com/a/reward-model &amp; &lt;*reward*&gt;',
    );
  });
});
