import { processTerm, tokenize, WORD } from '../search/text.js';
import { escapeMrkdwn, truncate } from './mrkdwn.js';

// A sentence ends at . ! or ? followed by white space and a capital, digit or bracket.
const SENTENCE_END = /(?<=[.!?])\s+(?=[\p{Lu}\p{N}(["'])/u;

/**
 * A one- or two-sentence excerpt of an abstract for a card, as mrkdwn: the sentence with the most
 * distinct matched terms (the first sentence when none match), the next one too while it fits,
 * and every word whose index term was matched in bold. All abstract text is escaped.
 */
export function abstractSnippet(abstract: string, matchedTerms: readonly string[], maxChars = 320): string {
  const sentences = abstract.replace(/\s+/g, ' ').trim().split(SENTENCE_END).filter(Boolean);
  if (sentences.length === 0) return '';
  const matched = new Set(matchedTerms);
  let best = 0;
  let bestCount = 0;
  sentences.forEach((sentence, i) => {
    const count = new Set(
      tokenize(sentence)
        .map(processTerm)
        .filter((t) => t && matched.has(t)),
    ).size;
    if (count > bestCount) [best, bestCount] = [i, count];
  });
  let excerpt = sentences[best] as string;
  const next = sentences[best + 1];
  if (next !== undefined && excerpt.length + next.length + 1 <= maxChars) excerpt += ` ${next}`;
  const prefix = best > 0 ? '…' : '';
  return prefix + highlight(truncate(excerpt, maxChars), matched);
}

// URLs are left as written: bold markers inside one would break Slack's automatic linking.
const URL_OR_WORD = new RegExp(String.raw`\bhttps?:\/\/\S+|` + WORD.source, 'gu');

/** Escapes text and wraps each word whose index term is in `matched` in `*bold*` (never inside a URL). */
export function highlight(text: string, matched: ReadonlySet<string>): string {
  let out = '';
  let last = 0;
  for (const match of text.matchAll(URL_OR_WORD)) {
    const word = match[0];
    const start = match.index;
    out += escapeMrkdwn(text.slice(last, start));
    const term = processTerm(word);
    out += term && matched.has(term) ? `*${word}*` : escapeMrkdwn(word);
    last = start + word.length;
  }
  return out + escapeMrkdwn(text.slice(last));
}
