import { afterAll, beforeAll } from '@jest/globals';
import type { Database } from '../../src/db/database.js';
import { PostgresDiscussionStore } from '../../src/discussions/postgresStore.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { discussionStoreContract } from './storeContract.js';

let database: TestDatabase;
let db: Database;
beforeAll(async () => {
  database = await createTestDatabase();
  db = await database.open();
});
afterAll(async () => {
  await db.close();
  await database.drop();
});

discussionStoreContract({
  name: 'PostgreSQL',
  open: async () => {
    await db.query('TRUNCATE sightings, follow_ups');
    return new PostgresDiscussionStore(db);
  },
});
