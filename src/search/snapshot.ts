import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { Logger } from '../logger.js';
import { type Corpus, writeFileAtomically } from '../papers/corpus.js';
import { INDEX_FORMAT, PaperIndex } from './paperIndex.js';

/** The index snapshot file inside a data directory. */
export function snapshotFile(dataDir: string): string {
  return join(dataDir, 'index.json');
}

const Snapshot = z.object({
  format: z.string(),
  corpus: z.string(),
  index: z.record(z.string(), z.unknown()),
});

/** How the index was obtained at start-up, for the log line and for tests. */
export type IndexOrigin = 'snapshot' | 'built';

/**
 * Opens the search index for a corpus: from the snapshot in `dataDir` when it was written for
 * exactly this corpus and index format, otherwise by indexing the corpus and writing a new
 * snapshot. A missing, stale or unreadable snapshot is never an error, only a rebuild.
 */
export async function openIndex(
  dataDir: string,
  corpus: Corpus,
  logger: Logger,
): Promise<{ index: PaperIndex; origin: IndexOrigin }> {
  const file = snapshotFile(dataDir);
  const restored = await readSnapshot(file, corpus, logger);
  if (restored) return { index: restored, origin: 'snapshot' };

  const index = PaperIndex.build(corpus.papers);
  try {
    await writeSnapshot(file, index, corpus.fingerprint);
  } catch (error) {
    // The bot works without a snapshot; it only starts slower next time.
    logger.warn(`Could not write the index snapshot ${file}: ${(error as Error).message}`);
  }
  return { index, origin: 'built' };
}

/** Writes the snapshot of `index`, tagged with the corpus fingerprint it belongs to. */
export async function writeSnapshot(
  file: string,
  index: PaperIndex,
  corpusFingerprint: string,
): Promise<void> {
  const snapshot = { format: INDEX_FORMAT, corpus: corpusFingerprint, index: index.toJSON() };
  await writeFileAtomically(file, JSON.stringify(snapshot));
}

async function readSnapshot(file: string, corpus: Corpus, logger: Logger): Promise<PaperIndex | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const snapshot = Snapshot.parse(JSON.parse(text));
    if (snapshot.format !== INDEX_FORMAT || snapshot.corpus !== corpus.fingerprint) {
      logger.info(`Index snapshot ${file} is for another corpus or index format; re-indexing.`);
      return undefined;
    }
    // biome-ignore lint/suspicious/noExplicitAny: minisearch validates its own serialised shape.
    return PaperIndex.fromJSON(snapshot.index as any, corpus.papers);
  } catch (error) {
    logger.warn(`Index snapshot ${file} is unreadable (${(error as Error).message}); re-indexing.`);
    return undefined;
  }
}
