import type { Migration } from '../migrate.js';

/**
 * Slack event ids already handled, shared by every replica: Slack retries an event it did not see
 * acknowledged in time, and the retry may reach another replica. Rows older than an hour are
 * deleted as new ones come (Slack retries within minutes).
 */
export const seenEvents: Migration = {
  version: 5,
  name: 'seen-events',
  sql: `
CREATE TABLE seen_events (
  event_id text COLLATE "C" PRIMARY KEY,
  team_id  text COLLATE "C" NOT NULL,
  seen_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX seen_events_seen_at ON seen_events (seen_at);
`,
};
