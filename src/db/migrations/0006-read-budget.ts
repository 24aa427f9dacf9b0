import type { Migration } from '../migrate.js';

/**
 * When each workspace may next read conversations.history / conversations.replies, shared by
 * every replica: a distributed, non-Marketplace app gets one request a minute per method and
 * workspace, and two replicas reading on their own would spend it twice.
 */
export const readBudget: Migration = {
  version: 6,
  name: 'read-budget',
  sql: `
CREATE TABLE read_budget (
  team_id text COLLATE "C" NOT NULL,
  method  text COLLATE "C" NOT NULL,
  next_at timestamptz NOT NULL,
  PRIMARY KEY (team_id, method)
);
`,
};
