import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../logger.js';
import { isPackedStringData, type PackedStringData } from '../packedStrings.js';
import { readSectionFile, writeSectionFile } from '../sectionFile.js';

/** The catalog beside the corpus file (see FileCorpusStore). */
export function catalogFile(dataDir: string): string {
  return join(dataDir, 'papers.catalog');
}

/** The layout of the catalog file: a catalog of another layout is not read (the corpus is read instead). */
const CATALOG_FORMAT = 'paperbot-catalog/2';

/**
 * What the catalog file keeps of a corpus file, so that start-up need not read the papers: where
 * the file's accepted lines end and the fingerprint of the bytes up to there (with the links of
 * its chain, see ChainHash, and the file's identity, size and modification time when it was
 * written), which the file must still start with for the rest to be trusted; and, per paper, its
 * identity, arrival and where its latest line is. Strings are packed (see packedStrings.ts), the
 * ids with their sorted order, so that opening reads them in place.
 */
export interface SavedCatalog {
  header: {
    offset: number;
    fingerprint: string;
    /** The corpus file when the catalog was written. */
    file: { ino: number; size: number; mtimeMs: number };
    lineCount: number;
    rows: number;
    needsNewline: boolean;
    positions: Array<{ fingerprint: string; offset: number }>;
  };
  columns: {
    ids: PackedStringData;
    idOrder: Int32Array;
    arxivIds: PackedStringData;
    titles: PackedStringData;
    arrivals: Float64Array;
    offsets: Float64Array;
    lengths: Uint32Array;
    canonical: Uint8Array;
    /** The fingerprint chain's links, 32 bytes per complete block (see ChainHash). */
    links: Uint8Array;
  };
}

/** Writes the catalog file of a data directory (atomically). */
export async function writeCatalog(dataDir: string, { header, columns }: SavedCatalog): Promise<void> {
  const { ids, idOrder, arxivIds, titles, ...arrays } = columns;
  await writeSectionFile(
    catalogFile(dataDir),
    { format: CATALOG_FORMAT, ...header },
    {
      ...arrays,
      'ids.offsets': ids.offsets,
      'ids.bytes': ids.bytes,
      idOrder,
      'arxivIds.offsets': arxivIds.offsets,
      'arxivIds.bytes': arxivIds.bytes,
      'titles.offsets': titles.offsets,
      'titles.bytes': titles.bytes,
    },
  );
}

/**
 * The catalog file's contents, when there is a readable one of this layout: none when there is no
 * file or one of another layout; none, with a warning, when it cannot be read or does not add up
 * (the corpus is then read instead).
 */
export async function readCatalog(dataDir: string, logger: Logger): Promise<SavedCatalog | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(catalogFile(dataDir));
  } catch {
    return undefined;
  }
  try {
    const { header, sections } = readSectionFile(bytes);
    const saved = header as SavedCatalog['header'] & { format?: unknown };
    if (saved?.format !== CATALOG_FORMAT) return undefined;
    const strings = (name: string) => ({
      offsets: sections.get(`${name}.offsets`),
      bytes: sections.get(`${name}.bytes`),
    });
    const [ids, arxivIds, titles] = [strings('ids'), strings('arxivIds'), strings('titles')];
    if (!(isPackedStringData(ids) && isPackedStringData(arxivIds) && isPackedStringData(titles)))
      throw new Error('its strings are damaged');
    const columns = {
      ids,
      idOrder: sections.get('idOrder') as Int32Array,
      arxivIds,
      titles,
      arrivals: sections.get('arrivals') as Float64Array,
      offsets: sections.get('offsets') as Float64Array,
      lengths: sections.get('lengths') as Uint32Array,
      canonical: sections.get('canonical') as Uint8Array,
      links: sections.get('links') as Uint8Array,
    };
    const count = ids.offsets.length - 1;
    const consistent =
      columns.idOrder instanceof Int32Array &&
      columns.idOrder.length === count &&
      arxivIds.offsets.length === count + 1 &&
      titles.offsets.length === count + 1 &&
      columns.arrivals instanceof Float64Array &&
      columns.arrivals.length === count &&
      columns.offsets instanceof Float64Array &&
      columns.offsets.length === count &&
      columns.lengths instanceof Uint32Array &&
      columns.lengths.length === count &&
      columns.canonical instanceof Uint8Array &&
      columns.canonical.length === count &&
      columns.links instanceof Uint8Array &&
      typeof saved.file?.ino === 'number' &&
      typeof saved.file.size === 'number' &&
      typeof saved.file.mtimeMs === 'number' &&
      typeof saved.offset === 'number' &&
      typeof saved.fingerprint === 'string';
    if (!consistent) throw new Error('its columns do not add up');
    return { header: saved, columns };
  } catch (error) {
    logger.warn(
      `The corpus catalog ${catalogFile(dataDir)} is unreadable (${(error as Error).message}); reading the corpus.`,
    );
    return undefined;
  }
}
