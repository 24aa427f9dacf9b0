import { readdirSync, rmSync } from 'node:fs';

/** Fixtures built once per run (test/support/fakeSources.ts): kept until the run ends. */
const FIXTURE = /^paperbot-fixture-/;

/**
 * Stops the PostgreSQL server that globalSetup.js started, and removes the run's temp folder,
 * naming what a test left in it: a test removes what it makes (tempDir() does), also when it fails.
 */
export default async function globalTeardown() {
  // A server that did not start has nothing to stop (the suites that needed it said why).
  const server = await globalThis.paperbotPostgres?.catch(() => undefined);
  await server?.stop();
  const temp = globalThis.paperbotTemp;
  if (!temp) return;
  const left = readdirSync(temp.run).filter((name) => !FIXTURE.test(name));
  if (left.length > 0)
    process.stderr.write(
      `Tests left ${left.length} entries in the temp folder (use tempDir() of test/support/tmp.ts): ${left.join(', ')}\n`,
    );
  rmSync(temp.run, { recursive: true, force: true });
  if (temp.outer === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = temp.outer;
}
