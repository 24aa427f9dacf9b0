import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach } from '@jest/globals';
import { silentLogger } from '../../src/logger.js';
import { FileCorpusStore } from '../../src/papers/corpusFile.js';
import { type CorpusStore, MemoryCorpusStore } from '../../src/papers/corpusStore.js';
import { closedAfter } from '../support/cleanup.js';
import { tempDir } from '../support/tmp.js';
import { corpusStoreContract } from './corpusStoreContract.js';

// The contract every corpus store keeps, run on the in-memory twin and the file store (the
// PostgreSQL store runs it in postgresCorpusStore.test.ts).
const opened: CorpusStore[] = [];
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
});

/** A file store on a fresh data directory whose bundled corpus is empty; `again` opens another on it. */
function fileStores(): { again: () => FileCorpusStore } {
  const dir = tempDir('paperbot-store-');
  const bundled = join(dir, 'bundled.jsonl');
  writeFileSync(bundled, '');
  return {
    again: () => {
      const store = closedAfter(new FileCorpusStore(dir, silentLogger, { bundledFile: bundled }));
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
