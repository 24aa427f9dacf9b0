import { join } from 'node:path';
import { isPackedStringData, type PackedStringData } from '../packedStrings.js';
import type { CorpusPosition } from '../papers/corpusStore.js';
import { readSectionFile, type Section, writeSectionFile } from '../sectionFile.js';
import type { DocumentIndex, SavedDocumentIndex } from './documentIndex.js';
import type { SavedTable } from './documentTable.js';
import type { SavedMiniSearch } from './miniSearchIndex.js';
import { MINISEARCH_VERSION } from './miniSearchIndex.js';

/**
 * The identity of the index layout: fields, term processing and what the snapshot holds. A
 * snapshot written under another format is rebuilt, so bump this whenever any of those change.
 * (Ranking parameters are applied at search time and need no bump.)
 */
export const INDEX_FORMAT = 'paperbot-index/6';

/** The index snapshot file inside a data directory. */
export function snapshotFile(dataDir: string): string {
  return join(dataDir, 'index.snapshot');
}

/** What a snapshot was written for: it is used only for the same three. */
interface Header {
  format: string;
  /** The minisearch version whose internal state the index holds. */
  minisearch: string;
  /** Where in the corpus the index was: its papers are those of the corpus up to there. */
  corpus: CorpusPosition;
}

/** The rest of the header, for a snapshot of this format. */
interface IndexHeader extends Header {
  fieldIdsByName: Record<string, number>;
  averageFieldLength: number[];
}

// The header is checked by hand rather than with zod: snapshots are read in the search workers,
// and loading zod would be a good part of a worker's start-up.
const isString = (value: unknown): value is string => typeof value === 'string';
const isNumber = (value: unknown): value is number => typeof value === 'number';
const isRecordOf = (value: unknown, item: (value: unknown) => boolean): boolean =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every(item);

function isHeader(value: unknown): value is Header {
  if (typeof value !== 'object' || value === null) return false;
  const header = value as Record<string, unknown>;
  return (
    isString(header.format) &&
    isString(header.minisearch) &&
    isRecordOf(header.corpus, (item) => isString(item) || isNumber(item))
  );
}

function isIndexHeader(header: Header): header is IndexHeader {
  const rest = header as unknown as Record<string, unknown>;
  return (
    isRecordOf(rest.fieldIdsByName, isNumber) &&
    Array.isArray(rest.averageFieldLength) &&
    rest.averageFieldLength.every(isNumber)
  );
}

/**
 * The sections of a snapshot and the array each holds. Strings are packed (see packedStrings.ts):
 * their UTF-8 bytes and offsets, and for those looked up by value their sorted order, so that a
 * restore reads them in place.
 */
const SECTIONS = {
  'terms.offsets': Uint32Array,
  'terms.bytes': Uint8Array,
  'terms.order': Int32Array,
  'mini.fieldCounts': Uint8Array,
  'mini.fieldIds': Uint8Array,
  'mini.postingCounts': Int32Array,
  'mini.documents': Int32Array,
  'mini.frequencies': Int32Array,
  'mini.documentIds.offsets': Uint32Array,
  'mini.documentIds.bytes': Uint8Array,
  'mini.documentIds.order': Int32Array,
  'mini.fieldLengths': Int32Array,
  'table.sequenceStarts': Int32Array,
  'table.sequenceTerms': Int32Array,
  'table.segmentLengths': Int32Array,
  'table.arrived': Float64Array,
  'table.published': Int32Array,
  'table.hasCode': Uint8Array,
  'table.live': Uint8Array,
  'table.authors.offsets': Uint32Array,
  'table.authors.bytes': Uint8Array,
} as const;

/** A snapshot that cannot be used: another format or version, or damaged; `reason` says which. */
export class UnusableSnapshot extends Error {
  constructor(
    message: string,
    /** True for a snapshot of another format or minisearch version (not damaged, only old). */
    readonly outdated = false,
  ) {
    super(message);
  }
}

/**
 * Writes the snapshot of `index`, tagged with the corpus position its papers are from, as a
 * section file (see sectionFile.ts): the arrays as their bytes, so that reading it back is a read
 * and a few views, not a deserialisation, and writing it does not stop the thread for long.
 */
export async function writeIndexSnapshot(
  file: string,
  index: DocumentIndex,
  corpus: CorpusPosition,
): Promise<void> {
  const saved = index.save();
  const header: IndexHeader = {
    format: INDEX_FORMAT,
    minisearch: MINISEARCH_VERSION,
    corpus,
    fieldIdsByName: saved.mini.fieldIdsByName,
    averageFieldLength: saved.mini.averageFieldLength,
  };
  const sections: Record<keyof typeof SECTIONS, Section> = {
    'terms.offsets': saved.terms.offsets,
    'terms.bytes': saved.terms.bytes,
    'terms.order': saved.termOrder,
    'mini.fieldCounts': saved.mini.fieldCounts,
    'mini.fieldIds': saved.mini.fieldIds,
    'mini.postingCounts': saved.mini.postingCounts,
    'mini.documents': saved.mini.documents,
    'mini.frequencies': saved.mini.frequencies,
    'mini.documentIds.offsets': saved.mini.documentIds.offsets,
    'mini.documentIds.bytes': saved.mini.documentIds.bytes,
    'mini.documentIds.order': saved.mini.documentIdOrder,
    'mini.fieldLengths': saved.mini.fieldLengths,
    'table.sequenceStarts': saved.table.sequenceStarts,
    'table.sequenceTerms': saved.table.sequenceTerms,
    'table.segmentLengths': saved.table.segmentLengths,
    'table.arrived': saved.table.arrived,
    'table.published': saved.table.published,
    'table.hasCode': saved.table.hasCode,
    'table.live': saved.table.live,
    'table.authors.offsets': saved.table.authors.offsets,
    'table.authors.bytes': saved.table.authors.bytes,
  };
  await writeSectionFile(file, header, sections);
}

/**
 * The saved index in a snapshot's bytes and the corpus position it was written for. Throws an
 * {@link UnusableSnapshot} for a snapshot of another format or minisearch version, or a damaged one.
 * The arrays are views of `bytes`.
 */
export function readIndexSnapshot(bytes: Uint8Array): { corpus: CorpusPosition; saved: SavedDocumentIndex } {
  let file: ReturnType<typeof readSectionFile>;
  try {
    file = readSectionFile(bytes);
  } catch (error) {
    throw new UnusableSnapshot((error as Error).message);
  }
  // The header first: a snapshot of another format or minisearch version may have another shape.
  const header = file.header;
  if (!isHeader(header)) throw new UnusableSnapshot('it has no header');
  if (header.format !== INDEX_FORMAT || header.minisearch !== MINISEARCH_VERSION)
    throw new UnusableSnapshot(
      `it is of index format ${header.format} and minisearch ${header.minisearch}`,
      true,
    );
  if (!isIndexHeader(header)) throw new UnusableSnapshot('its header is incomplete');
  const section = <T>(name: keyof typeof SECTIONS): T => {
    const value = file.sections.get(name);
    if (!(value instanceof SECTIONS[name]))
      throw new UnusableSnapshot(`its section ${name} is missing or damaged`);
    return value as T;
  };
  const strings = (name: 'terms' | 'mini.documentIds' | 'table.authors'): PackedStringData => {
    const packed = { offsets: section(`${name}.offsets`), bytes: section(`${name}.bytes`) };
    if (!isPackedStringData(packed)) throw new UnusableSnapshot(`its section ${name} is damaged`);
    return packed;
  };
  const mini: SavedMiniSearch = {
    fieldCounts: section('mini.fieldCounts'),
    fieldIds: section('mini.fieldIds'),
    postingCounts: section('mini.postingCounts'),
    documents: section('mini.documents'),
    frequencies: section('mini.frequencies'),
    fieldIdsByName: header.fieldIdsByName,
    documentIds: strings('mini.documentIds'),
    documentIdOrder: section('mini.documentIds.order'),
    fieldLengths: section('mini.fieldLengths'),
    averageFieldLength: header.averageFieldLength,
  };
  const table: SavedTable = {
    sequenceStarts: section('table.sequenceStarts'),
    sequenceTerms: section('table.sequenceTerms'),
    segmentLengths: section('table.segmentLengths'),
    arrived: section('table.arrived'),
    published: section('table.published'),
    hasCode: section('table.hasCode'),
    live: section('table.live'),
    authors: strings('table.authors'),
  };
  return {
    corpus: header.corpus,
    saved: { terms: strings('terms'), termOrder: section('terms.order'), mini, table },
  };
}
