import type { PaperSearch, SearchOptions, SearchResults } from './paperSearch.js';
import type { PaperQuery } from './query.js';
import { STOP_WORDS, tokenize } from './text.js';

/**
 * Words shorter than this are never corrected: short words have too many neighbours ("smell" is
 * one edit from "small", "gan" from "gnn"), and a real word missing from the titles is not a typo.
 */
const MIN_LENGTH = 6;

/**
 * Spelling correction for queries that match (almost) nothing: each query word that no title uses
 * becomes the title word closest to it (at most one edit for words up to 8 letters, two beyond;
 * ties go to the word more titles use). Titles, not abstracts: their words are the names of topics
 * and methods, which is what people misspell in a search ("spekulative decodng").
 */
export class Spelling {
  private readonly byLength = new Map<number, string[]>();

  private constructor(private readonly counts: ReadonlyMap<string, number>) {
    for (const word of counts.keys()) {
      const list = this.byLength.get(word.length) ?? [];
      list.push(word);
      this.byLength.set(word.length, list);
    }
  }

  /** The words of these titles, counted. */
  static fromTitles(titles: Iterable<string>): Spelling {
    const counts = new Map<string, number>();
    for (const title of titles) countWords(title, counts);
    return new Spelling(counts);
  }

  /**
   * The same, giving the event loop a turn every few thousand titles: the bot's thread also
   * acknowledges Slack's requests, and 80,000 titles take a noticeable fraction of a second.
   */
  static async fromTitlesInTurns(titles: Iterable<string>): Promise<Spelling> {
    const counts = new Map<string, number>();
    let read = 0;
    for (const title of titles) {
      countWords(title, counts);
      if (++read % TITLES_PER_TURN === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    return new Spelling(counts);
  }

  /** Distinct words known. */
  get size(): number {
    return this.counts.size;
  }

  /** The closest known spelling of each word (the word itself when known or not correctable). */
  correctWord(word: string): string {
    const lower = word.toLowerCase();
    if (lower.length < MIN_LENGTH || !isWord(lower) || this.counts.has(lower)) return word;
    const limit = lower.length <= 8 ? 1 : 2;
    let best: string | undefined;
    let bestDistance = limit + 1;
    let bestCount = 0;
    for (let length = lower.length - limit; length <= lower.length + limit; length++) {
      for (const candidate of this.byLength.get(length) ?? []) {
        // Exact up to bestDistance (ties count), cut off beyond it.
        const distance = editDistance(lower, candidate, bestDistance + 1);
        if (distance > limit) continue;
        const count = this.counts.get(candidate) ?? 0;
        if (distance < bestDistance || (distance === bestDistance && count > bestCount)) {
          best = candidate;
          bestDistance = distance;
          bestCount = count;
        }
      }
    }
    return best ?? word;
  }

  /** The words with each misspelling corrected, or undefined when none was. */
  correct(words: readonly string[]): string[] | undefined {
    const corrected = words.map((word) => this.correctWord(word));
    return corrected.some((word, i) => word !== words[i]) ? corrected : undefined;
  }
}

/** Titles read between two turns of the event loop. */
const TITLES_PER_TURN = 5000;

function countWords(title: string, counts: Map<string, number>): void {
  for (const word of tokenize(title.toLowerCase()))
    if (isWord(word)) counts.set(word, (counts.get(word) ?? 0) + 1);
}

/** Letters only, three or more, and not a stop word. */
function isWord(word: string): boolean {
  return word.length >= 3 && /^\p{L}+$/u.test(word) && !STOP_WORDS.has(word);
}

/**
 * The optimal-string-alignment distance (insertions, deletions, substitutions, and transpositions
 * of neighbours), or any number ≥ `bound` as soon as it must be at least that.
 */
export function editDistance(a: string, b: string, bound = Number.POSITIVE_INFINITY): number {
  if (Math.abs(a.length - b.length) >= bound) return bound;
  let before = new Array<number>(b.length + 1).fill(0);
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  let current = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        value = Math.min(value, (before[j - 2] as number) + 1);
      current[j] = value;
      if (value < rowMin) rowMin = value;
    }
    if (rowMin >= bound) return bound;
    [before, previous, current] = [previous, current, before];
  }
  return previous[b.length] as number;
}

/** A search's results, and the corrected words when the correction found more. */
export interface CorrectedResults {
  results: SearchResults;
  /** The query's words as searched, when a misspelling was corrected. */
  corrected?: string[];
}

/**
 * Searches, and when the query's words match (almost) nothing, none above the relevance floor,
 * searches again with their closest spellings: the corrected search is answered when it finds
 * strong matches (or any, when the query found none at all).
 */
export async function searchCorrectingSpelling(
  index: PaperSearch,
  query: PaperQuery,
  options: SearchOptions,
  /** The spellings to suggest from, asked for only when needed (none: no suggestions). */
  spelling: () => Spelling | undefined | Promise<Spelling | undefined>,
): Promise<CorrectedResults> {
  const results = await index.search(query, options);
  const corrected = results.strong === 0 ? (await spelling())?.correct(query.words) : undefined;
  if (!corrected) return { results };
  const better = await index.search({ ...query, words: corrected }, options);
  return better.strong > 0 || (results.total === 0 && better.total > 0)
    ? { results: better, corrected }
    : { results };
}
