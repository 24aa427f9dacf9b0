import { describe, expect, test } from '@jest/globals';
import { editDistance, Spelling } from '../../src/search/spelling.js';

describe('edit distance', () => {
  test.each([
    ['speculative', 'speculative', 0],
    ['spekulative', 'speculative', 1],
    ['decodng', 'decoding', 1],
    ['transfromer', 'transformer', 1], // two neighbours swapped
    ['difusion', 'diffusion', 1],
    ['retreival', 'retrieval', 1],
    ['kitten', 'sitting', 3],
  ])('%s → %s: %i', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
    expect(editDistance(b, a)).toBe(distance);
  });

  test('stops at the bound', () => {
    expect(editDistance('kitten', 'sitting', 2)).toBe(2);
    expect(editDistance('a', 'abcdef', 3)).toBe(3);
  });
});

describe('spelling suggestions from titles', () => {
  test('built in turns, the same spellings', async () => {
    const titles = Array.from(
      { length: 12_000 },
      (_, i) => `speculative decoding ${i % 2 ? 'draft' : 'verify'}`,
    );
    const inTurns = await Spelling.fromTitlesInTurns(titles);
    expect(inTurns.size).toBe(Spelling.fromTitles(titles).size);
    expect(inTurns.correct(['spekulative'])).toEqual(['speculative']);
  });

  const spelling = Spelling.fromTitles([
    'fast inference from transformers via speculative decoding',
    'speculative decoding with big little decoder',
    'denoising diffusion probabilistic models',
    'dense passage retrieval for open domain question answering',
    'small language models',
  ]);

  test('misspelt words become the closest title words; known and short words stay', () => {
    expect(spelling.correct(['spekulative', 'decodng'])).toEqual(['speculative', 'decoding']);
    expect(spelling.correct(['difusion', 'modles'])).toEqual(['diffusion', 'models']);
    expect(spelling.correct(['Retreival'])).toEqual(['retrieval']);
    expect(spelling.correct(['speculative', 'decoding'])).toBeUndefined();
    // Five letters or fewer: too close to other words to guess ("smell" is not "small").
    expect(spelling.correct(['smell'])).toBeUndefined();
    // Nothing within reach: left as typed.
    expect(spelling.correct(['photosynthesis'])).toBeUndefined();
  });
});
