import { existsSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { boltBundle } from './boltBundle.js';
import { adminUrlOf, freePort, startPostgres } from './embeddedPostgres.js';

/**
 * Once per jest run: checks that the shared test data is there, starts one PostgreSQL server
 * from node_modules for every suite (globalTeardown.js stops it), and gives the run a temp folder
 * of its own. Suites make their own databases on the server (test/support/postgres.ts), found
 * through PAPERBOT_TEST_POSTGRES_URL. The server starts while the first suites load (initdb takes
 * seconds): test/support/postgres.ts waits for PAPERBOT_TEST_POSTGRES_READY, a file that says
 * the server is up (empty) or why it did not start. Bolt is bundled into one file for the suites
 * that load it (test/support/boltBundle.js), once per install.
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
  // The workers start after this and inherit the environment (test/support/slackBolt.cjs reads it).
  const bundle = await boltBundle();
  if (bundle) process.env.PAPERBOT_TEST_BOLT_BUNDLE = bundle;
  const port = await freePort();
  // Started before TMPDIR moves (startPostgres reads it at once): the server's folder must be one
  // its own user can reach.
  const starting = startPostgres({ port });
  globalThis.paperbotPostgres = starting;
  // The workers start after this and inherit the environment.
  process.env.PAPERBOT_TEST_POSTGRES_URL = adminUrlOf(port);
  // Everything the run puts in the temp folder (tempDir() of test/support/tmp.ts, the fixtures
  // built once per run) goes in one folder, which globalTeardown.js checks and removes.
  globalThis.paperbotTemp = { outer: process.env.TMPDIR, run: mkdtempSync(join(tmpdir(), 'paperbot-run-')) };
  process.env.TMPDIR = globalThis.paperbotTemp.run;
  const ready = join(globalThis.paperbotTemp.run, 'paperbot-fixture-postgres-ready');
  process.env.PAPERBOT_TEST_POSTGRES_READY = ready;
  // Written aside and renamed: a worker that sees the file reads all of it.
  const say = (text) => {
    writeFileSync(`${ready}.tmp`, text);
    renameSync(`${ready}.tmp`, ready);
  };
  starting.then(
    () => say(''),
    (error) => say(`${error?.stack ?? error}`),
  );
}
