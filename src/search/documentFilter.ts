import type { SearchRequest } from './documentIndex.js';
import { type DocumentTable, dayNumber, foldName, UNKNOWN_DAY } from './documentTable.js';
import type { MiniSearchIndex } from './miniSearchIndex.js';
import { FIELDS } from './ranking.js';
import { termsOf, unique } from './text.js';

/**
 * The filters of a request (exclusions and phrases included) as one test on a document number;
 * undefined when nothing is filtered, so that the common search tests nothing per document.
 */
export function documentFilter(
  mini: MiniSearchIndex,
  table: DocumentTable,
  request: SearchRequest,
  phrases: number[][],
): ((n: number) => boolean) | undefined {
  const { query } = request;
  const excluded = numbersMatchingAny(mini, unique(termsOf(query.excluded.join(' '))));
  for (const id of request.excludeIds ?? []) {
    const n = mini.documentNumber(id);
    if (n !== undefined) excluded.add(n);
  }
  const after = query.after === undefined ? undefined : dayNumber(query.after);
  const before = query.before === undefined ? undefined : dayNumber(query.before);
  const arrivedAfter = request.arrivedAfter === undefined ? undefined : Date.parse(request.arrivedAfter);
  const authors = query.authors.map(foldName);
  if (
    excluded.size === 0 &&
    !query.hasCode &&
    arrivedAfter === undefined &&
    after === undefined &&
    before === undefined &&
    authors.length === 0 &&
    phrases.length === 0
  )
    return undefined;
  const { arrivals, publishedDays, hasCode } = table;
  return (n) => {
    if (excluded.has(n)) return false;
    if (query.hasCode && hasCode[n] !== 1) return false;
    if (arrivedAfter !== undefined && !((arrivals[n] as number) > arrivedAfter)) return false;
    if (after !== undefined || before !== undefined) {
      // Date filters keep only papers whose date is known to be in range.
      const day = publishedDays[n] as number;
      if (day === UNKNOWN_DAY) return false;
      if (after !== undefined && day < after) return false;
      if (before !== undefined && day >= before) return false;
    }
    if (authors.length > 0) {
      const names = table.authors(n).split('\n');
      if (!authors.every((wanted) => names.some((name) => name.includes(wanted)))) return false;
    }
    return phrases.every((phrase) => containsPhrase(table, n, phrase));
  };
}

/** The documents having any of the terms, in any field. */
function numbersMatchingAny(mini: MiniSearchIndex, terms: string[]): Set<number> {
  const found = new Set<number>();
  for (const term of terms) {
    for (const field of FIELDS) {
      const postings = mini.postings(term, mini.fieldIds[field] as number);
      if (!postings) continue;
      for (let i = postings.start; i < postings.start + postings.size; i++)
        found.add(postings.documents[i] as number);
    }
  }
  return found;
}

/** Whether the phrase's terms appear consecutively in the document's title or abstract. */
function containsPhrase(table: DocumentTable, n: number, phrase: readonly number[]): boolean {
  const sequence = table.sequence(n);
  let start = 0;
  for (const segment of [0, 1]) {
    const end = start + table.segmentLength(n, segment);
    for (let at = start; at + phrase.length <= end; at++) {
      let i = 0;
      while (i < phrase.length && sequence[at + i] === phrase[i]) i++;
      if (i === phrase.length) return true;
    }
    start = end;
  }
  return false;
}
