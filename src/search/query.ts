import { isIsoDay } from '../papers/day.js';
import { termsOf } from './text.js';

/**
 * A search query, parsed once from what the user typed. Words keep their raw form here; the index
 * applies the shared term processing when it searches.
 */
export interface PaperQuery {
  /** Free words; a paper matching more of them ranks higher. */
  words: string[];
  /** Quoted phrases: each must appear, its words in order, in the title or abstract. */
  phrases: string[];
  /** Words a paper must not contain (`-word`). */
  excluded: string[];
  /** Author name fragments (`author:hinton`, `author:"yann lecun"`); each must match an author. */
  authors: string[];
  /** `has:code`: only papers with a code repository. */
  hasCode: boolean;
  /** `after:YYYY-MM-DD`: published on or after this day. */
  after?: string;
  /** `before:YYYY-MM-DD`: published before this day. */
  before?: string;
}

/** A query with only the given parts: no words, phrases, exclusions, authors or filters otherwise. */
export function paperQuery(parts: Partial<PaperQuery> = {}): PaperQuery {
  return { words: [], phrases: [], excluded: [], authors: [], hasCode: false, ...parts };
}

/** The outcome of parsing: the query, and one sentence per part that could not be understood. */
export interface ParsedQuery {
  query: PaperQuery;
  problems: string[];
}

// A token is an optionally negated, optionally field-prefixed bare word or quoted string. An
// unterminated quote runs to the end of the text, as users expect when they forget to close it.
const TOKEN = /(-?)(?:([a-z]+):)?(?:"([^"]*)"?|(\S*))/giu;

/** Parses query text such as `reward models "human feedback" -survey author:smith has:code after:2024-01-01`. */
export function parseQuery(text: string): ParsedQuery {
  const query = paperQuery();
  const problems: string[] = [];
  // Slack clients often turn straight quotes into curly ones.
  const normalised = text.replace(/[“”„‟«»]/g, '"');
  for (const match of normalised.matchAll(TOKEN)) {
    const [whole, minus, rawField, quoted, bare] = match;
    if (!whole) continue; // the empty match between two spaces
    const value = (quoted ?? bare ?? '').trim();
    const field = rawField?.toLowerCase();
    if (field === undefined || !FIELDS.has(field)) {
      // Not an operator: a word, phrase or exclusion ("re:thinking" is just words).
      const words = field === undefined ? value : whole.replace(/^-/, '');
      if (minus) query.excluded.push(...words.split(/\s+/).filter(Boolean));
      else if (quoted !== undefined && field === undefined) {
        if (termsOf(value).length > 1) query.phrases.push(value);
        else query.words.push(...value.split(/\s+/).filter(Boolean));
      } else if (words) query.words.push(words);
      continue;
    }
    if (minus) {
      problems.push(`\`-${field}:\` is not supported; use \`${field}:\` without the minus.`);
      continue;
    }
    if (!value) {
      problems.push(`\`${field}:\` needs a value, e.g. \`${EXAMPLES[field]}\`.`);
      continue;
    }
    switch (field) {
      case 'author':
        query.authors.push(value.toLowerCase());
        break;
      case 'has':
        if (value.toLowerCase() === 'code') query.hasCode = true;
        else problems.push(`\`has:${value}\` is not a filter I know; try \`has:code\`.`);
        break;
      case 'after':
      case 'before':
        if (isIsoDay(value)) query[field] = value;
        else problems.push(`\`${field}:${value}\` is not a date; write it as \`${EXAMPLES[field]}\`.`);
        break;
    }
  }
  return { query, problems };
}

const EXAMPLES: Record<string, string> = {
  author: 'author:hinton',
  has: 'has:code',
  after: 'after:2024-01-31',
  before: 'before:2024-12-31',
};
const FIELDS = new Set(Object.keys(EXAMPLES));

/** True when the query asks for nothing at all (no words, phrases or filters). */
export function isEmptyQuery(query: PaperQuery): boolean {
  return !hasSearchTerms(query) && !hasFilters(query) && query.excluded.length === 0;
}

/** True when the query has words or phrases that carry meaning (not only stop words). */
export function hasSearchTerms(query: PaperQuery): boolean {
  return termsOf([...query.words, ...query.phrases].join(' ')).length > 0;
}

/** True when the query has a filter that narrows results without ranking them. */
export function hasFilters(query: PaperQuery): boolean {
  return query.authors.length > 0 || query.hasCode || query.after !== undefined || query.before !== undefined;
}

/** The query written back in canonical form, for headers and fallback text. */
export function describeQuery(query: PaperQuery): string {
  const quote = (s: string) => (/\s/.test(s) ? `"${s}"` : s);
  return [
    ...query.words,
    ...query.phrases.map((p) => `"${p}"`),
    ...query.excluded.map((w) => `-${w}`),
    ...query.authors.map((a) => `author:${quote(a)}`),
    ...(query.hasCode ? ['has:code'] : []),
    ...(query.after ? [`after:${query.after}`] : []),
    ...(query.before ? [`before:${query.before}`] : []),
  ].join(' ');
}
