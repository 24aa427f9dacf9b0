import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanUpAfter } from './cleanup.js';

/**
 * A new empty folder in the temp folder, named `<prefix>XXXXXX`, removed with its contents when
 * the current test is done (also when it fails), or when the file is done if made outside a test.
 */
export function tempDir(prefix = 'paperbot-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanUpAfter(() => rmSync(dir, { recursive: true, force: true, maxRetries: 3 }));
  return dir;
}
