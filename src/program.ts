import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Whether the module at `moduleUrl` is the one node was started with (`node dist/main.js`), not
 * one imported by another (a test drives its exported function in its own process instead).
 */
export function isProgram(moduleUrl: string, started: string | undefined = process.argv[1]): boolean {
  if (!started) return false;
  const module = fileURLToPath(moduleUrl);
  // node resolves the symbolic links and the missing extension of the path it was given.
  for (const candidate of [started, `${started}.js`]) {
    try {
      if (realpathSync(candidate) === module) return true;
    } catch {
      // no such file: not this candidate
    }
  }
  return false;
}
