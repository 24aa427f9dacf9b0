#!/usr/bin/env node
// The `paperbot` command (`npx paperbot …`). It lives outside dist/ on purpose: npx links a
// package's commands the first time it meets the package, and a command pointing into a dist/
// not built yet is never linked, not even after the build. This file exists from the first
// clone on; it runs the compiled CLI, building it first when it is missing.
//
// `--build` is npm's `prepare` step (npm ci runs it, and so does npx when it links the project):
// it builds when TypeScript is installed and does nothing before `npm ci`, since a failing
// prepare makes npx leave a broken entry in its cache.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = new URL('../dist/cli.js', import.meta.url);
const tsc = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url));

/** Compiles src/ into dist/; the exit status of tsc. */
function build() {
  return (
    spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: root, stdio: 'inherit' }).status ?? 1
  );
}

if (process.argv[2] === '--build') process.exit(existsSync(tsc) ? build() : 0);
if (!existsSync(cli)) {
  if (!existsSync(tsc)) {
    process.stderr.write(
      'paperbot is not installed yet: run `npm ci` in its folder first (it builds it too).\n',
    );
    process.exit(1);
  }
  const status = build();
  if (status !== 0) process.exit(status);
}
const { runCommandLine } = await import(cli.href);
process.exitCode = await runCommandLine(process.argv.slice(2));
