import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPostgres } from './embeddedPostgres.js';

/**
 * Once per jest run: checks that the shared test data is there, starts one PostgreSQL server
 * from node_modules for every suite (globalTeardown.js stops it), and gives the run a temp folder
 * of its own. Suites make their own databases on the server (test/support/postgres.ts), found
 * through PAPERBOT_TEST_POSTGRES_URL.
 */
export default async function globalSetup() {
  // Many tests replay the real public data of ../shared (seed page, HF and arXiv items, SciFact) in
  // place. Without it every one of them would fail on its own ENOENT; say once what is missing.
  const shared = fileURLToPath(new URL('../../../shared/', import.meta.url));
  for (const needed of ['seed', 'data/scifact', 'data/daily-arxiv', 'data/hf-daily-papers']) {
    if (!existsSync(`${shared}${needed}`)) {
      throw new Error(
        `The tests read the shared test data in ${shared} (missing: ${needed}). Clone paperbot beside the shared/ folder, as CI does.`,
      );
    }
  }
  // Started before TMPDIR moves: the server's folder must be one its own user can reach.
  globalThis.paperbotPostgres = await startPostgres();
  // The workers start after this and inherit the environment.
  process.env.PAPERBOT_TEST_POSTGRES_URL = globalThis.paperbotPostgres.adminUrl;
  // Everything the run puts in the temp folder (tempDir() of test/support/tmp.ts, the fixtures
  // built once per run) goes in one folder, which globalTeardown.js checks and removes.
  globalThis.paperbotTemp = { outer: process.env.TMPDIR, run: mkdtempSync(join(tmpdir(), 'paperbot-run-')) };
  process.env.TMPDIR = globalThis.paperbotTemp.run;
}
