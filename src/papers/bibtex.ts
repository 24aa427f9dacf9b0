import { normaliseTitle, type Paper } from './paper.js';

// C0/C1 controls, bidi overrides and line breaks: nothing a citation field needs, and what could
// make it read differently in an editor than it parses.
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point.
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]+/g;

/**
 * Text as the value of a braced BibTeX field: LaTeX's special characters escaped, so that a title
 * or a name can neither close the field (`}`), start a command (`\`), comment out the rest (`%`),
 * nor enter math mode. Backticks become apostrophes (LaTeX reads a backtick as an opening quote,
 * and three of them would end the Slack code block the entry is shown in).
 */
export function bibtexText(text: string): string {
  return text
    .toWellFormed()
    .replace(INVISIBLE, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[\\{}$&%#_^~`]/g, (c) => BIBTEX_ESCAPES[c] as string);
}

const BIBTEX_ESCAPES: Record<string, string> = {
  '\\': '\\textbackslash{}',
  '{': '\\{',
  '}': '\\}',
  $: '\\$',
  '&': '\\&',
  '%': '\\%',
  '#': '\\#',
  _: '\\_',
  '^': '\\textasciicircum{}',
  '~': '\\textasciitilde{}',
  '`': "'",
};

/**
 * One author for BibTeX's `author` list, which splits on the word "and" and reads "Last, First"
 * at a comma: a name holding either is braced whole, so it stays one author as written.
 */
function bibtexName(name: string): string {
  const text = bibtexText(name);
  return /\band\b|,/i.test(text) ? `{${text}}` : text;
}

/**
 * The citation key: the first author's last name, the year and the first word of the title that
 * is not a stop word, in ASCII letters and digits (`vaswani2017attention`, as Google Scholar writes
 * them); the arXiv id or the title's slug when a part is missing.
 */
export function citationKey(
  paper: Pick<Paper, 'id' | 'arxivId' | 'title' | 'authors' | 'published'>,
): string {
  const ascii = (text: string) => normaliseTitle(text).replace(/[^a-z0-9 ]/g, '');
  const last =
    ascii(paper.authors[0] ?? '')
      .split(' ')
      .filter(Boolean)
      .at(-1) ?? '';
  const word =
    ascii(paper.title)
      .split(' ')
      .find((w) => w.length > 2 && !KEY_STOP_WORDS.has(w)) ?? '';
  const year = paper.published?.slice(0, 4) ?? '';
  if (last && year) return `${last}${year}${word}`;
  const fallback = (paper.arxivId ?? ascii(paper.title).replace(/ /g, '-')).replace(/[^a-z0-9.-]/gi, '');
  return `${last}${last ? '-' : ''}${fallback}`.slice(0, 80) || 'paper';
}

const KEY_STOP_WORDS = new Set([
  'the',
  'and',
  'for',
  'with',
  'from',
  'towards',
  'toward',
  'are',
  'via',
  'how',
  'what',
  'when',
  'why',
  'does',
  'can',
  'not',
  'all',
  'you',
  'your',
  'our',
]);

/**
 * A BibTeX entry for a paper, in the style of arXiv's own export: `@misc` with title, authors,
 * year, and for arXiv papers `eprint`, `archivePrefix` and `primaryClass` (its first listed
 * category, when known); a `url` to the paper's page. Every value is escaped with
 * {@link bibtexText}, so nothing in a title or a name can end a field or add one. `maxAuthors`
 * shortens a long author list to its first names "and others".
 */
export function bibtex(paper: Paper, options: { maxAuthors?: number } = {}): string {
  const fields: Array<[string, string]> = [['title', bibtexText(paper.title)]];
  const max = options.maxAuthors ?? Number.POSITIVE_INFINITY;
  if (paper.authors.length > 0) {
    // BibTeX's own way to shorten a list: "and others" (printed "et al.").
    const named = paper.authors.slice(0, max).map(bibtexName);
    fields.push(['author', [...named, ...(paper.authors.length > max ? ['others'] : [])].join(' and ')]);
  }
  if (paper.published) fields.push(['year', paper.published.slice(0, 4)]);
  if (paper.arxivId) {
    fields.push(['eprint', paper.arxivId], ['archivePrefix', 'arXiv']);
    const primary = paper.categories?.[0];
    if (primary && /^[a-z-]+(\.[A-Za-z-]+)?$/.test(primary)) fields.push(['primaryClass', primary]);
    fields.push(['url', `https://arxiv.org/abs/${paper.arxivId}`]);
  } else if (paper.links.page) fields.push(['url', bibtexUrl(paper.links.page)]);
  else if (paper.links.code[0]) fields.push(['howpublished', `\\url{${bibtexUrl(paper.links.code[0])}}`]);
  const width = Math.max(...fields.map(([name]) => name.length));
  const body = fields.map(([name, value]) => `  ${name.padEnd(width)} = {${value}}`).join(',\n');
  return `@misc{${citationKey(paper)},\n${body}\n}`;
}

/** A URL inside a field (read verbatim by biblatex): percent-encode what could end the field. */
function bibtexUrl(url: string): string {
  return url.replace(/[{}\\\s`]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}
