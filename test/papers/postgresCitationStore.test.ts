import type { Database } from '../../src/db/database.js';
import { PostgresCitationStore } from '../../src/papers/postgresCitationStore.js';
import { suiteDatabase } from '../support/postgres.js';
import { citationStoreContract } from './citationStoreContract.js';

let db: Database;
suiteDatabase((opened) => {
  db = opened;
});

citationStoreContract({
  name: 'PostgreSQL',
  open: async () => {
    await db.query('TRUNCATE citations');
    return new PostgresCitationStore(db);
  },
});
