import type { Logger } from './logger.js';
import { type Corpus, loadCorpus } from './papers/corpus.js';
import type { PaperIndex } from './search/paperIndex.js';
import { type IndexOrigin, openIndex } from './search/snapshot.js';

/** The corpus of a data directory and its search index, ready to answer. */
export interface Library {
  corpus: Corpus;
  index: PaperIndex;
  origin: IndexOrigin;
}

/** Loads the corpus of `dataDir` (or the bundled one) and opens its index, logging how long it took. */
export async function openLibrary(dataDir: string, logger: Logger): Promise<Library> {
  const started = performance.now();
  const corpus = await loadCorpus(dataDir);
  const { index, origin } = await openIndex(dataDir, corpus, logger);
  const ms = Math.round(performance.now() - started);
  logger.info(
    `${index.size} papers from ${corpus.file}; index ${origin === 'snapshot' ? 'loaded from snapshot' : 'built'} in ${ms} ms`,
  );
  return { corpus, index, origin };
}
