import type { Migration } from '../migrate.js';

/** How sure a subscription's digests must be that a paper is about its topic; NULL: the default. */
export const subscriptionStrictness: Migration = {
  version: 8,
  name: 'subscription-strictness',
  sql: `
ALTER TABLE subscriptions ADD COLUMN strictness text CHECK (strictness IN ('strict', 'broad'));
`,
};
