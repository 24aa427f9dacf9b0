import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from '@jest/globals';
import { createMemoryCitationStore, openLowdbCitationStore } from '../../src/papers/citations.js';
import { citationStoreContract } from './citationStoreContract.js';

const folder = mkdtempSync(join(tmpdir(), 'paperbot-citations-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
let files = 0;

citationStoreContract({ name: 'memory', open: async () => createMemoryCitationStore() });
citationStoreContract({
  name: 'lowdb',
  open: () => openLowdbCitationStore(join(folder, `citations-${files++}.json`)),
});

test('the lowdb cache is on disk and read again after a restart', async () => {
  const file = join(folder, 'restart.json');
  const store = await openLowdbCitationStore(file);
  await store.want(['2401.00001'], new Date('2026-11-01T00:00:00Z'), true);
  await store.record([
    {
      arxivId: '2401.00001',
      fetchedAt: '2026-11-01T00:00:00.000Z',
      counts: { citationCount: 5, influentialCitationCount: 1 },
      referencesTold: true,
    },
  ]);
  await store.close();
  expect(JSON.parse(readFileSync(file, 'utf8')).papers['2401.00001'].citationCount).toBe(5);
  const reopened = await openLowdbCitationStore(file);
  expect((await reopened.counts(['2401.00001'])).get('2401.00001')?.citationCount).toBe(5);
  await reopened.close();
});
