import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from '@jest/globals';
import { silentLogger } from '../../src/logger.js';
import { FileCorpusStore } from '../../src/papers/corpusFile.js';
import { type CorpusStore, MemoryCorpusStore } from '../../src/papers/corpusStore.js';
import { corpusStoreContract } from './corpusStoreContract.js';

// The contract every corpus store keeps, run on the in-memory twin and the file store (the
// PostgreSQL store runs it in postgresCorpusStore.test.ts).
const opened: CorpusStore[] = [];
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
});

/** A file store on a fresh data directory whose bundled corpus is empty; `again` opens another on it. */
function fileStores(): { again: () => FileCorpusStore } {
  const dir = mkdtempSync(join(tmpdir(), 'paperbot-store-'));
  const bundled = join(dir, 'bundled.jsonl');
  writeFileSync(bundled, '');
  return {
    again: () => {
      const store = new FileCorpusStore(dir, silentLogger, { bundledFile: bundled });
      opened.push(store);
      return store;
    },
  };
}

corpusStoreContract('memory', () => ({ store: new MemoryCorpusStore() }));
corpusStoreContract(
  'file',
  () => {
    const { again } = fileStores();
    return { store: again(), again };
  },
  { shared: true },
);
