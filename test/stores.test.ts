import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@jest/globals';
import { silentLogger } from '../src/logger.js';
import { openStores } from '../src/stores.js';
import { createTestDatabase } from './support/postgres.js';
import { tempDir } from './support/tmp.js';

// The store check behind /readyz: a query on PostgreSQL, a writable folder for the lowdb files.

test('PostgreSQL: ready while the server answers, not ready (with the reason) once it does not', async () => {
  const database = await createTestDatabase();
  const stores = await openStores(
    { databaseUrl: database.url, subscriptionsFile: 'unused', installationsFile: 'unused' },
    { installations: false },
    silentLogger,
  );
  try {
    await expect(stores.check()).resolves.toBeUndefined();
    await database.drop(); // FORCE: the pool's connections are cut, and new ones refused
    await expect(stores.check()).rejects.toThrow(/^PostgreSQL does not answer \(.+\)$/);
  } finally {
    await stores.close().catch(() => undefined);
    await database.drop();
  }
});

test('lowdb: ready while the subscriptions folder is writable, not once it is gone', async () => {
  const dir = tempDir('paperbot-stores-');
  const stores = await openStores(
    {
      subscriptionsFile: join(dir, 'subscriptions.json'),
      installationsFile: join(dir, 'installations.json'),
    },
    { installations: false },
    silentLogger,
  );
  await expect(stores.check()).resolves.toBeUndefined();
  await stores.close();
  rmSync(dir, { recursive: true });
  await expect(stores.check()).rejects.toThrow(/^the subscriptions file cannot be written \(ENOENT/);
});
