import { packStrings, sortedOrderOf } from '../packedStrings.js';
import { type DocumentTable, SEGMENTS } from './documentTable.js';
import type { SavedMiniSearch, TermDocument } from './miniSearchIndex.js';
import { FIELDS, type Field } from './ranking.js';

/** minisearch's fields, each made from segments of a document's text (see {@link Field}). */
export const FIELD_SEGMENTS: Record<Field, readonly number[]> = {
  text: [SEGMENTS.indexOf('title'), SEGMENTS.indexOf('abstract')],
  title: [SEGMENTS.indexOf('title')],
  authors: [SEGMENTS.indexOf('authors')],
  keywords: [SEGMENTS.indexOf('keywords')],
};

/**
 * minisearch's state for the documents of a table built at once ({@link DocumentTable.build}),
 * numbered as there: the terms of each document field counted from its term sequence, every list's
 * size found in a first pass, its postings written in place in a second, in document order.
 */
export function layOutPostings(table: DocumentTable, ids: readonly string[]): SavedMiniSearch {
  const vocabulary = table.vocabularySize;
  const fields = FIELDS.length;
  const sizes = new Int32Array(vocabulary * fields);
  const stamps = new Int32Array(vocabulary).fill(-1);
  const counts = new Int32Array(vocabulary);
  const fieldLengths = new Int32Array(ids.length * fields);
  const lengthSums = new Float64Array(fields);
  const ranges = fieldRanges(table);
  for (let n = 0; n < ids.length; n++) {
    const [sequence, start] = table.sequenceAt(n);
    for (let f = 0; f < fields; f++) {
      const [from, to] = ranges(n, f, start);
      const mark = n * fields + f;
      let unique = 0;
      for (let i = from; i < to; i++) {
        const id = sequence[i] as number;
        if (stamps[id] === mark) continue;
        stamps[id] = mark;
        sizes[id * fields + f] = (sizes[id * fields + f] as number) + 1;
        unique++;
      }
      // As minisearch counts it: the distinct terms of the field, and an empty field's one blank.
      const length = unique || 1;
      fieldLengths[mark] = length;
      lengthSums[f] = (lengthSums[f] as number) + length;
    }
  }
  const fieldCounts = new Uint8Array(vocabulary);
  let lists = 0;
  let postings = 0;
  for (let key = 0; key < sizes.length; key++) {
    if (sizes[key] === 0) continue;
    lists++;
    postings += sizes[key] as number;
    const term = Math.floor(key / fields);
    fieldCounts[term] = (fieldCounts[term] as number) + 1;
  }
  const fieldIds = new Uint8Array(lists);
  const postingCounts = new Int32Array(lists);
  const cursors = new Int32Array(sizes.length);
  let list = 0;
  let at = 0;
  for (let key = 0; key < sizes.length; key++) {
    const size = sizes[key] as number;
    if (size === 0) continue;
    fieldIds[list] = key % fields;
    postingCounts[list++] = size;
    cursors[key] = at;
    at += size;
  }
  const documents = new Int32Array(postings);
  const frequencies = new Int32Array(postings);
  const touched = new Int32Array(vocabulary);
  for (let n = 0; n < ids.length; n++) {
    const [sequence, start] = table.sequenceAt(n);
    for (let f = 0; f < fields; f++) {
      const [from, to] = ranges(n, f, start);
      let distinct = 0;
      for (let i = from; i < to; i++) {
        const id = sequence[i] as number;
        if (counts[id] === 0) touched[distinct++] = id;
        counts[id] = (counts[id] as number) + 1;
      }
      for (let i = 0; i < distinct; i++) {
        const id = touched[i] as number;
        const key = id * fields + f;
        const cursor = cursors[key] as number;
        documents[cursor] = n;
        frequencies[cursor] = counts[id] as number;
        cursors[key] = cursor + 1;
        counts[id] = 0;
      }
    }
  }
  const packedIds = packStrings(ids);
  return {
    fieldCounts,
    fieldIds,
    postingCounts,
    documents,
    frequencies,
    fieldIdsByName: Object.fromEntries(FIELDS.map((field, f) => [field, f])),
    documentIds: packedIds,
    documentIdOrder: sortedOrderOf(packedIds),
    fieldLengths,
    averageFieldLength: Array.from(lengthSums, (sum) => sum / Math.max(ids.length, 1)),
  };
}

/**
 * Where field `f` of document `n` is in its term sequence (which starts at `start`): each field is
 * a run of consecutive segments (see FIELD_SEGMENTS).
 */
function fieldRanges(table: DocumentTable): (n: number, f: number, start: number) => [number, number] {
  const firsts = FIELDS.map((field) => FIELD_SEGMENTS[field][0] as number);
  const lasts = FIELDS.map((field) => FIELD_SEGMENTS[field].at(-1) as number);
  return (n, f, start) => {
    let from = start;
    for (let s = 0; s < (firsts[f] as number); s++) from += table.segmentLength(n, s);
    let to = from;
    for (let s = firsts[f] as number; s <= (lasts[f] as number); s++) to += table.segmentLength(n, s);
    return [from, to];
  };
}

/** The document minisearch indexes: each field's terms, made from the document's segments. */
export function termDocument(
  id: string,
  segments: Record<(typeof SEGMENTS)[number], string[]>,
): TermDocument {
  const fields: Record<string, string> = {};
  for (const field of FIELDS) {
    fields[field] = FIELD_SEGMENTS[field]
      .flatMap((segment) => segments[SEGMENTS[segment] as (typeof SEGMENTS)[number]])
      .join(' ');
  }
  return { id, fields };
}
