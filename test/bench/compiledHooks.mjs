// Module hooks for compiled.mjs: a module that resolves into src/ is loaded from dist/ instead.
// Registered after tsx, so these run first and short-circuit tsx for those modules.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const SRC = new URL('../../src/', import.meta.url).href;
const DIST = new URL('../../dist/', import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  if (!resolved.url.startsWith(SRC)) return resolved;
  const url = `${DIST}${resolved.url.slice(SRC.length).replace(/\.ts$/, '.js')}`;
  if (!existsSync(fileURLToPath(url))) throw new Error(`${url} is missing: run \`npm run build\` first`);
  return { url, format: 'module', shortCircuit: true };
}

export async function load(url, context, nextLoad) {
  if (!url.startsWith(DIST)) return nextLoad(url, context);
  return { format: 'module', source: readFileSync(fileURLToPath(url), 'utf8'), shortCircuit: true };
}
