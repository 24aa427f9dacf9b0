// Plain JavaScript: globalSetup.js runs without the TypeScript transform.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CACHE = join(ROOT, 'node_modules', '.cache', 'paperbot');

/**
 * @slack/bolt and its dependencies bundled into one CommonJS file by esbuild (which tsx brings),
 * for test/support/slackBolt.cjs: made once per install (named after the installed packages,
 * node_modules/.package-lock.json) in node_modules/.cache, where jest keeps its own cache.
 * Resolves to its path, or to undefined when esbuild is not there (the tests then load Bolt's
 * files one by one, only slower).
 */
export async function boltBundle() {
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    return undefined;
  }
  const installed = join(ROOT, 'node_modules', '.package-lock.json');
  const key = createHash('sha256')
    .update(existsSync(installed) ? readFileSync(installed) : '')
    .update(esbuild.version)
    .digest('hex')
    .slice(0, 16);
  const file = join(CACHE, `slack-bolt-${key}.cjs`);
  if (existsSync(file)) return file;
  mkdirSync(CACHE, { recursive: true });
  // Bundles of earlier installs go.
  for (const old of readdirSync(CACHE).filter((name) => name.startsWith('slack-bolt-')))
    rmSync(join(CACHE, old), { force: true });
  const building = `${file}.${process.pid}.tmp`;
  await esbuild.build({
    entryPoints: [join(ROOT, 'node_modules', '@slack', 'bolt', 'dist', 'index.js')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: `node${process.versions.node.split('.')[0]}`,
    outfile: building,
    logLevel: 'error',
  });
  renameSync(building, file);
  return file;
}
