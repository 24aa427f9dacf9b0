import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { z } from 'zod';
import type { Logger } from '../logger.js';
import { type Corpus, writeFileAtomically } from '../papers/corpus.js';
import { PaperCollection } from '../papers/merge.js';
import { MINISEARCH_VERSION } from './miniSearchIndex.js';
import { INDEX_FORMAT, PaperIndex } from './paperIndex.js';

/** The index snapshot file inside a data directory. */
export function snapshotFile(dataDir: string): string {
  return join(dataDir, 'index.v8');
}

// Checked by tag, not `instanceof`: deserialised values may come from another realm (as under jest).
const tagged = <T>(tag: string) =>
  z.custom<T>((value) => Object.prototype.toString.call(value) === `[object ${tag}]`, {
    message: `expected ${tag}`,
  });

/** What a snapshot was written for: it is used only for the same three. */
const Header = z.object({
  format: z.string(),
  /** The minisearch version whose internal state the index holds. */
  minisearch: z.string(),
  /** The fingerprint of the corpus the index was built from. */
  corpus: z.string(),
});
/**
 * The snapshot: a header and the index (see SavedIndex), written with `v8.serialize`. Not JSON: at
 * 80k papers `JSON.parse` plus `MiniSearch.loadJS` took ~6 s, and a JSON snapshot of ~1M papers
 * would be longer than V8's longest string.
 */
const Snapshot = Header.extend({
  index: z.object({
    mini: z.object({
      terms: z.array(z.string()),
      fieldCounts: tagged<Uint8Array>('Uint8Array'),
      fieldIds: tagged<Uint8Array>('Uint8Array'),
      postingCounts: tagged<Int32Array>('Int32Array'),
      documents: tagged<Int32Array>('Int32Array'),
      frequencies: tagged<Int32Array>('Int32Array'),
      fieldIdsByName: z.record(z.string(), z.number()),
      documentIds: z.array(z.string().nullable()),
      fieldLengths: tagged<Int32Array>('Int32Array'),
      averageFieldLength: z.array(z.number()),
      documentCount: z.number(),
    }),
    table: z.object({
      terms: z.array(z.string()),
      sequenceStarts: tagged<Int32Array>('Int32Array'),
      sequenceTerms: tagged<Int32Array>('Int32Array'),
      segmentLengths: tagged<Int32Array>('Int32Array'),
      arrived: tagged<Float64Array>('Float64Array'),
      published: tagged<Int32Array>('Int32Array'),
      hasCode: tagged<Uint8Array>('Uint8Array'),
      live: tagged<Uint8Array>('Uint8Array'),
      authors: z.array(z.string()),
    }),
  }),
});

/** How the index was obtained at start-up, for the log line and for tests. */
export type IndexOrigin = 'snapshot' | 'built';

/**
 * Opens the search index for a corpus, over a collection of its papers (returned too: the one owner
 * of the papers, which the index resolves its hits with): from the snapshot in `dataDir` when it was written for
 * exactly this corpus, index format and minisearch version, otherwise by indexing the corpus and
 * writing a new snapshot. A missing, stale or unreadable snapshot is never an error, only a rebuild.
 */
export async function openIndex(
  dataDir: string,
  corpus: Corpus,
  logger: Logger,
): Promise<{ index: PaperIndex; origin: IndexOrigin; papers: PaperCollection }> {
  const file = snapshotFile(dataDir);
  const papers = new PaperCollection(corpus.papers);
  const restored = await readSnapshot(file, corpus, papers, logger);
  if (restored) return { index: restored, origin: 'snapshot', papers };

  const index = PaperIndex.build(papers);
  try {
    await writeSnapshot(file, index, corpus.fingerprint);
  } catch (error) {
    // The bot works without a snapshot; it only starts slower next time.
    logger.warn(`Could not write the index snapshot ${file}: ${(error as Error).message}`);
  }
  return { index, origin: 'built', papers };
}

/** Writes the snapshot of `index`, tagged with the corpus fingerprint it belongs to. */
export async function writeSnapshot(
  file: string,
  index: PaperIndex,
  corpusFingerprint: string,
): Promise<void> {
  const snapshot = {
    format: INDEX_FORMAT,
    minisearch: MINISEARCH_VERSION,
    corpus: corpusFingerprint,
    index: index.save(),
  };
  await writeFileAtomically(file, serialize(snapshot));
}

async function readSnapshot(
  file: string,
  corpus: Corpus,
  papers: PaperCollection,
  logger: Logger,
): Promise<PaperIndex | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch {
    return undefined;
  }
  try {
    const raw: unknown = deserialize(bytes);
    // The header first: a snapshot of another format or minisearch version may have another shape.
    const header = Header.safeParse(raw);
    if (
      header.success &&
      (header.data.format !== INDEX_FORMAT ||
        header.data.minisearch !== MINISEARCH_VERSION ||
        header.data.corpus !== corpus.fingerprint)
    ) {
      logger.info(
        `Index snapshot ${file} is for another corpus, index format or minisearch version; re-indexing.`,
      );
      return undefined;
    }
    const parsed = Snapshot.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`${issue?.path.join('.') || 'snapshot'}: ${issue?.message}`);
    }
    return PaperIndex.restore(parsed.data.index, papers);
  } catch (error) {
    logger.warn(`Index snapshot ${file} is unreadable (${(error as Error).message}); re-indexing.`);
    return undefined;
  }
}
