import { stemmer } from 'stemmer';

/**
 * English stop words, plus words every abstract uses ("paper", "propose", "show") that carry no
 * topic. Dropping them keeps posting lists short and stops "any papers on X?" from matching
 * everything.
 */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  `a about above after again against all am an and any are as at be because been before being below
  between both but by can could did do does doing down during each few for from further had has have
  having he her here hers herself him himself his how i if in into is it its itself just me more most
  my myself no nor not of off on once only or other our ours ourselves out over own same she should so
  some such than that the their theirs them themselves then there these they this those through to too
  under until up very was we were what when where which while who whom why will with would you your
  yours yourself yourselves also et al via vs using use based paper papers propose proposed show`
    .split(/\s+/)
    .filter(Boolean),
);

// Letters and digits are word characters; everything else (spaces, hyphens, slashes, punctuation,
// emoji) separates words, so "Anti-Spoofing" yields "anti" and "spoofing".
export const WORD = /[\p{L}\p{N}]+/gu;

/** Splits text into raw words (not yet lower-cased or stemmed). */
export function tokenize(text: string): string[] {
  return text.match(WORD) ?? [];
}

/** Words longer than this are not language (hashes, base64, hostile input) and are not indexed. */
const MAX_TERM_LENGTH = 40;

/**
 * Turns one raw word into its index term: lower-cased, accents folded, Porter-stemmed; null for a
 * stop word. The same function runs at index and query time, so "models" finds "model".
 */
export function processTerm(word: string): string | null {
  const cached = termCache.get(word);
  if (cached !== undefined) return cached;
  const term = computeTerm(word);
  // Vocabulary is Zipfian: a bounded memo answers most words of every abstract indexed or rendered.
  if (termCache.size >= TERM_CACHE_SIZE) termCache.clear();
  termCache.set(word, term);
  return term;
}

const TERM_CACHE_SIZE = 200_000;
const termCache = new Map<string, string | null>();

function computeTerm(word: string): string | null {
  const lower = word.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
  if (lower.length === 0 || lower.length > MAX_TERM_LENGTH || STOP_WORDS.has(lower)) return null;
  return stemmer(lower);
}

/** The index terms of a text, in order (stop words dropped). */
export function termsOf(text: string): string[] {
  const terms: string[] = [];
  for (const word of tokenize(text)) {
    const term = processTerm(word);
    if (term) terms.push(term);
  }
  return terms;
}

/** Each item once, in the order first seen. */
export function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}
