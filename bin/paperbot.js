#!/usr/bin/env node
// The `paperbot` command (`npx paperbot …`). It lives outside dist/ on purpose: npx links a
// package's commands the first time it meets the package, and a command pointing into a dist/
// not built yet is never linked, not even after the build. This file exists from the first
// clone on; it runs the compiled CLI, building it first when it is missing.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = new URL('../dist/cli.js', import.meta.url);

if (!existsSync(cli)) {
  const tsc = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url));
  if (!existsSync(tsc)) {
    process.stderr.write(
      'paperbot is not installed yet: run `npm ci` in its folder first (it builds it too).\n',
    );
    process.exit(1);
  }
  const built = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}
await import(cli.href);
