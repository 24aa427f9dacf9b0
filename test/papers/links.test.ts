import { describe, expect, test } from '@jest/globals';
import { dedupeUrls, findLinks, normaliseUrl } from '../../src/papers/links.js';

describe('normaliseUrl', () => {
  test.each([
    // Sentence punctuation after a URL belongs to the sentence.
    ['https://github.com/AkideLiu/BPKD.', 'https://github.com/AkideLiu/BPKD'],
    ['https://neu-vi.github.io/SportsSlomo/.', 'https://neu-vi.github.io/SportsSlomo/'],
    ['https://ml-dragon.github.io/web.', 'https://ml-dragon.github.io/web'],
    // Authors often omit the scheme.
    ['github.com/deel-ai/Craft.', 'https://github.com/deel-ai/Craft'],
    ['www.example.org/project),', 'https://www.example.org/project'],
    // A repository link is reduced to the repository, whatever page of it was linked.
    ['https://github.com/owner/repo/tree/main/src', 'https://github.com/owner/repo'],
    ['https://github.com/owner/repo.git', 'https://github.com/owner/repo'],
    ['https://www.github.com/owner/repo#readme', 'https://github.com/owner/repo'],
    ['https://gitlab.com/group/project/-/tree/main', 'https://gitlab.com/group/project'],
    // Balanced parentheses are part of the URL (Wikipedia style); a stray closing one is not.
    ['https://en.wikipedia.org/wiki/Lion_(optimizer))', 'https://en.wikipedia.org/wiki/Lion_(optimizer)'],
    ['https://example.org/a?b=1#frag', 'https://example.org/a?b=1'],
  ])('%s → %s', (raw, expected) => {
    expect(normaliseUrl(raw)).toBe(expected);
  });

  test.each(['https://', 'https://localhost/x', 'github.com/', 'not a url'])('%s is not a link', (raw) => {
    expect(normaliseUrl(raw)).toBeUndefined();
  });
});

describe('findLinks', () => {
  test('splits code repositories from project pages and drops LaTeX duplicates', () => {
    const text =
      'Code is at https://anonymous.4open.science/r/STD-PLM-F3BA{https://anonymous.4open.science/r/STD-PLM-F3BA}. ' +
      'See https://github.com/alaamaalouf/AutoCoreset{https://github.com/alaamaalouf/AutoCoreset}. ' +
      'Project page: https://sites.google.com/view/few-shot-icpl/home. Mirror: GitHub.com/AlaaMaalouf/autocoreset';
    expect(findLinks(text)).toEqual({
      code: ['https://anonymous.4open.science/r/STD-PLM-F3BA', 'https://github.com/alaamaalouf/AutoCoreset'],
      project: ['https://sites.google.com/view/few-shot-icpl/home'],
    });
  });

  test('finds nothing in text without links', () => {
    expect(findLinks('We study e.g. losses, i.e. cross-entropy. See Sec. 3.')).toEqual({
      code: [],
      project: [],
    });
  });
});

describe('dedupeUrls', () => {
  test('keeps the first spelling, ignoring case and a trailing slash', () => {
    expect(dedupeUrls(['https://x.org/A', 'https://x.org/a/', 'https://y.org'])).toEqual([
      'https://x.org/A',
      'https://y.org',
    ]);
  });
});
