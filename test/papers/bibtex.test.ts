import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { bibtex, bibtexText, citationKey } from '../../src/papers/bibtex.js';
import { makePaper } from '../support/papers.js';

const attention = makePaper({
  id: '1706.03762',
  arxivId: '1706.03762',
  title: 'Attention Is All You Need',
  authors: ['Ashish Vaswani', 'Noam Shazeer', 'Niki Parmar'],
  published: '2017-06-12',
  categories: ['cs.CL', 'cs.LG'],
  links: { page: 'https://arxiv.org/abs/1706.03762', code: [], project: [] },
});

/**
 * A minimal reader of one BibTeX entry, as BibTeX reads it: `@type{key,` then `name = {value}`
 * fields, braces nesting, `\x` escaping the next character. Returns the fields, or throws where
 * the entry is malformed, so a test sees whether hostile text could end a field or add one.
 */
function readEntry(entry: string): { type: string; key: string; fields: Record<string, string> } {
  const head = /^@(\w+)\{([^,\s]+),\n/.exec(entry);
  if (!head) throw new Error(`no entry head in ${entry}`);
  const fields: Record<string, string> = {};
  let i = head[0].length;
  for (;;) {
    const name = /^ {2}(\w+) *= \{/.exec(entry.slice(i));
    if (!name) break;
    i += name[0].length;
    let depth = 1;
    let value = '';
    while (depth > 0) {
      const c = entry[i];
      if (c === undefined) throw new Error('unterminated field');
      if (c === '\\') {
        value += entry.slice(i, i + 2);
        i += 2;
        continue;
      }
      if (c === '{') depth++;
      if (c === '}') depth--;
      if (depth > 0) value += c;
      i++;
    }
    fields[name[1] as string] = value;
    if (entry.slice(i, i + 2) === ',\n') i += 2;
  }
  if (entry.slice(i) !== '\n}') throw new Error(`trailing text: ${JSON.stringify(entry.slice(i))}`);
  return { type: head[1] as string, key: head[2] as string, fields };
}

describe('bibtex', () => {
  test('an arXiv paper: @misc with eprint, archivePrefix and primaryClass, as arXiv exports it', () => {
    expect(bibtex(attention)).toBe(
      [
        '@misc{vaswani2017attention,',
        '  title         = {Attention Is All You Need},',
        '  author        = {Ashish Vaswani and Noam Shazeer and Niki Parmar},',
        '  year          = {2017},',
        '  eprint        = {1706.03762},',
        '  archivePrefix = {arXiv},',
        '  primaryClass  = {cs.CL},',
        '  url           = {https://arxiv.org/abs/1706.03762}',
        '}',
      ].join('\n'),
    );
  });

  test('without categories there is no primaryClass; without an arXiv id, the page is the url', () => {
    const hf = { ...attention, categories: undefined } as never;
    expect(bibtex(hf)).not.toContain('primaryClass');
    const seed = makePaper({
      title: 'A Paper From a Listing',
      links: { code: ['https://github.com/o/r'], project: [] },
    });
    expect(readEntry(bibtex(seed))).toEqual({
      type: 'misc',
      key: 'a-paper-from-a-listing',
      fields: { title: 'A Paper From a Listing', howpublished: '\\url{https://github.com/o/r}' },
    });
  });

  test("LaTeX's special characters are escaped; names with 'and' or a comma stay one author", () => {
    expect(bibtexText('50% of {x} & $y_1$ #2 ~ ^ \\ `code`')).toBe(
      "50\\% of \\{x\\} \\& \\$y\\_1\\$ \\#2 \\textasciitilde{} \\textasciicircum{} \\textbackslash{} 'code'",
    );
    const entry = readEntry(
      bibtex({ ...attention, authors: ['Tom and Jerry', 'Smith, Jr.', 'Ada Lovelace'] }),
    );
    expect(entry.fields.author).toBe('{Tom and Jerry} and {Smith, Jr.} and Ada Lovelace');
  });

  test('keys are ASCII: last name, year, first word that is not a stop word', () => {
    expect(
      citationKey({ ...attention, authors: ['Jürgen Schmidhuber'], title: 'The Fast Weight Programmers' }),
    ).toBe('schmidhuber2017fast');
    expect(citationKey({ ...attention, authors: [], published: undefined })).toBe('1706.03762');
  });

  test('whatever a title, an author or a category says, the entry has exactly its own fields', () => {
    const hostile = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.string({
        unit: fc.constantFrom('{', '}', '\\', '%', '@', ',', '=', '\n', '`', '"', ' and ', 'x'),
        maxLength: 40,
      }),
      fc.constantFrom('}, note = {pwned', '\\input{/etc/passwd}', '```', '<!channel>', '\u202e', '\ud800'),
    );
    fc.assert(
      fc.property(
        hostile.filter((t) => t.trim() !== ''),
        fc.array(
          hostile.filter((t) => t.trim() !== ''),
          { maxLength: 5 },
        ),
        hostile,
        (title, authors, category) => {
          const paper = { ...attention, title, authors, categories: [category] };
          const entry = readEntry(bibtex(paper));
          const expected = [
            'title',
            ...(authors.length ? ['author'] : []),
            'year',
            'eprint',
            'archivePrefix',
          ];
          expect(Object.keys(entry.fields).filter((f) => f !== 'primaryClass' && f !== 'url')).toEqual(
            expected,
          );
          expect(entry.key).toMatch(/^[a-z0-9.-]+$/);
          // No LaTeX command but the escapes' own, and no backtick that could end a Slack code block.
          const unescaped = (value: string) =>
            value.replace(/\\(textbackslash|textasciitilde|textasciicircum)\{\}|\\[{}$&%#_]/g, '');
          for (const [name, value] of Object.entries(entry.fields)) {
            if (name === 'author') {
              // Braces only group a whole name ("{Tom and Jerry}"), one group per author.
              const group = String.raw`(?:\{[^{}\\\x60]*\}|[^{}\\\x60]*)`;
              expect(unescaped(value)).toMatch(new RegExp(`^${group}( and ${group})*$`));
            } else expect(unescaped(value)).not.toMatch(/[\\{}`]/);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
