import type { Migration } from '../migrate.js';

/**
 * What the workspaces' memory answers beyond a paper's threads: the people who asked `/paper who`
 * never to name them, and a workspace's sightings by time (a recap reads a week or a month).
 */
export const teamMemory: Migration = {
  version: 6,
  name: 'team-memory',
  sql: `
CREATE TABLE unnamed_people (
  team_id text COLLATE "C" NOT NULL,
  user_id text COLLATE "C" NOT NULL,
  at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (team_id, user_id)
);
CREATE INDEX sightings_by_time ON sightings (team_id, at);
`,
};
