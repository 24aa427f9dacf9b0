import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startPostgres } from './embeddedPostgres.js';

/**
 * Once per jest run: checks that the shared test data is there, and starts one PostgreSQL server
 * from node_modules for every suite (globalTeardown.js stops it). Suites make their own databases
 * on it (test/support/postgres.ts), found through PAPERBOT_TEST_POSTGRES_URL.
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
  globalThis.paperbotPostgres = await startPostgres();
  // The workers start after this and inherit the environment.
  process.env.PAPERBOT_TEST_POSTGRES_URL = globalThis.paperbotPostgres.adminUrl;
}
