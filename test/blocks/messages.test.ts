import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { pageValue, parsePageValue } from '../../src/blocks/messages.js';

describe('the "More results" button value', () => {
  test('carries any query and offset, and reads back the same, in at most the query plus 6 characters', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 1000, unit: 'binary' }),
        fc.integer({ min: 0, max: 10_000 }),
        (query, offset) => {
          const value = pageValue({ query, offset });
          expect(value.length).toBeLessThanOrEqual(query.length + 6);
          expect(parsePageValue(value)).toEqual({ query, offset });
        },
      ),
      { numRuns: 300 },
    );
  });

  test('buttons of older versions ({"q", "o"} JSON) still work; anything else is out of date', () => {
    expect(parsePageValue('{"q":"reward model","o":5}')).toEqual({ query: 'reward model', offset: 5 });
    for (const stale of ['', 'x:reward', '{"q":1}', '99999999:x', `5:${'x'.repeat(1001)}`]) {
      expect(parsePageValue(stale)).toBeUndefined();
    }
  });
});
