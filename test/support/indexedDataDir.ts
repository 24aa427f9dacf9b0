import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './tmp.js';

const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));
/** What a first start writes into an empty data folder: the bundled corpus's catalog and index. */
const FIRST_START_FILES = ['papers.catalog', 'index.snapshot'];

/**
 * The data folder a first start of the compiled bot leaves, made once per jest run (in the run's
 * temp folder, which globalTeardown.js removes): a console start on an empty folder, which indexes
 * the bundled corpus and writes the catalog and the index snapshot.
 */
function template(): string {
  const dir = join(tmpdir(), 'paperbot-fixture-indexed-data');
  if (existsSync(dir)) return dir;
  const building = mkdtempSync(join(tmpdir(), 'paperbot-indexing-'));
  try {
    const built = spawnSync(process.execPath, [MAIN], {
      env: {
        PATH: process.env.PATH ?? '',
        PAPERBOT_DATA_DIR: building,
        PAPERBOT_REFRESH_HF: 'off',
        PAPERBOT_REFRESH_ARXIV: 'off',
      },
      input: '',
      encoding: 'utf8',
    });
    const missing = FIRST_START_FILES.filter((file) => !existsSync(join(building, file)));
    if (built.status !== 0 || missing.length > 0)
      throw new Error(`The console did not index the bundled corpus (missing ${missing}):\n${built.stderr}`);
    // Two workers may build it at once: the first rename wins, the other's copy is dropped.
    try {
      renameSync(building, dir);
    } catch (error) {
      if (!existsSync(dir)) throw error;
    }
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
  return dir;
}

/**
 * A new temp folder (removed like {@link tempDir}'s) holding what a first start of the bot on an
 * empty data folder writes, so that a spawned bot loads the bundled corpus's index from its
 * snapshot instead of building it again: for tests about something other than the first start.
 */
export function indexedDataDir(prefix = 'paperbot-test-'): string {
  const source = template();
  const dir = tempDir(prefix);
  for (const file of FIRST_START_FILES) copyFileSync(join(source, file), join(dir, file));
  return dir;
}
