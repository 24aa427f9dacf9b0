import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { describeQuery, parseQuery } from '../../src/search/query.js';

const plain = { words: [], phrases: [], excluded: [], authors: [], hasCode: false };

describe('parseQuery', () => {
  test('plain words', () => {
    expect(parseQuery('reward model ensembles')).toEqual({
      query: { ...plain, words: ['reward', 'model', 'ensembles'] },
      problems: [],
    });
  });

  test('every operator at once', () => {
    const { query, problems } = parseQuery(
      'diffusion "human feedback" -survey author:"Yann LeCun" author:hinton has:code after:2024-01-01 before:2025-06-30',
    );
    expect(problems).toEqual([]);
    expect(query).toEqual({
      words: ['diffusion'],
      phrases: ['human feedback'],
      excluded: ['survey'],
      authors: ['yann lecun', 'hinton'],
      hasCode: true,
      after: '2024-01-01',
      before: '2025-06-30',
    });
  });

  test('curly quotes from Slack clients work like straight ones; an unclosed quote runs to the end', () => {
    expect(parseQuery('“reward model” ensembles').query.phrases).toEqual(['reward model']);
    expect(parseQuery('ensembles "reward model').query.phrases).toEqual(['reward model']);
  });

  test('a one-word phrase is just a word; an excluded phrase excludes its words', () => {
    expect(parseQuery('"RLHF"').query).toEqual({ ...plain, words: ['RLHF'] });
    expect(parseQuery('-"survey paper"').query.excluded).toEqual(['survey', 'paper']);
  });

  test('a colon that is not an operator stays text', () => {
    expect(parseQuery('re:thinking https://arxiv.org/abs/1').query.words).toEqual([
      're:thinking',
      'https://arxiv.org/abs/1',
    ]);
  });

  test.each([
    ['after:2024-13-01', '`after:2024-13-01` is not a date; write it as `after:2024-01-31`.'],
    ['before:tomorrow', '`before:tomorrow` is not a date; write it as `before:2024-12-31`.'],
    ['has:pdf', '`has:pdf` is not a filter I know; try `has:code`.'],
    ['author:', '`author:` needs a value, e.g. `author:hinton`.'],
    ['-has:code', '`-has:` is not supported; use `has:` without the minus.'],
  ])('%s is a problem: %s', (text, problem) => {
    expect(parseQuery(text).problems).toEqual([problem]);
  });

  test('describeQuery writes a parsed query back so that it parses to the same query', () => {
    const { query } = parseQuery('a "b c" -d author:"e f" has:code after:2024-01-01 before:2024-02-01');
    expect(describeQuery(query)).toBe('a "b c" -d author:"e f" has:code after:2024-01-01 before:2024-02-01');
    expect(parseQuery(describeQuery(query)).query).toEqual(query);
  });

  test('never throws, whatever the text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        const { query, problems } = parseQuery(text);
        expect(Array.isArray(problems)).toBe(true);
        expect(Array.isArray(query.words)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
