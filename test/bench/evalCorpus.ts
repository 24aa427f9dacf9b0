import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Library } from '../../src/library.js';
import type { Logger } from '../../src/logger.js';
import { corpusFile, serialiseCorpus, writeFileAtomically } from '../../src/papers/corpus.js';
import { loadRealCorpus } from './scale.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SHARED = fileURLToPath(new URL('../../../shared/data/', import.meta.url));
/** Where evaluation corpora are cached (gitignored). */
export const CACHE_DIR = join(ROOT, '.cache');

/** The files whose content makes the corpus: its sources, their parsers and the merge recipe. */
function recipeFiles(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory()
        ? walk(join(dir, entry.name))
        : entry.name.endsWith('.ts')
          ? [join(dir, entry.name)]
          : [],
    );
  return [
    ...walk(join(ROOT, 'src', 'papers')),
    join(ROOT, 'test', 'bench', 'corpora.ts'),
    join(ROOT, 'test', 'bench', 'scale.ts'),
  ].sort();
}

/** A key that changes when the source data or the code that turns it into papers changes. */
function recipeKey(): string {
  const hash = createHash('sha256');
  for (const file of recipeFiles()) hash.update(file.slice(ROOT.length)).update(readFileSync(file));
  for (const data of ['daily-arxiv/papers.jsonl.gz', 'hf-daily-papers/daily_papers.jsonl.gz']) {
    const info = statSync(join(SHARED, data));
    hash.update(`${data}:${info.size}:${info.mtimeMs}`);
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * The 85k real corpus (see loadRealCorpus) as a paperbot data directory under `.cache/`, opened the
 * way the bot opens its own (corpus file, then the index snapshot beside it). The first run merges
 * the sources and indexes them (about a minute); later runs load the cached corpus and snapshot.
 * A change of the sources or of the code that parses them makes a new directory.
 */
export async function openRealCorpus(
  logger: Logger,
): Promise<{ library: Library; dir: string; seconds: number; cached: boolean }> {
  const started = performance.now();
  const key = recipeKey();
  const parent = join(CACHE_DIR, 'eval-85k');
  const dir = join(parent, key);
  const cached = existsSync(corpusFile(dir));
  if (!cached) {
    if (existsSync(parent))
      for (const old of readdirSync(parent)) rmSync(join(parent, old), { recursive: true, force: true });
    await writeFileAtomically(corpusFile(dir), serialiseCorpus(await loadRealCorpus()));
  }
  const library = await Library.open(dir, logger);
  return {
    library,
    dir,
    seconds: (performance.now() - started) / 1000,
    cached: cached && library.origin === 'snapshot',
  };
}
