import type { Migration } from '../migrate.js';

/**
 * What the workspaces' memory answers beyond a paper's threads: the people who asked `/paper who`
 * never to name them, a workspace's sightings by time (a recap reads a week or a month), and the
 * citation cache (Semantic Scholar's counts by arXiv id, and the papers still to ask about).
 */
export const teamMemory: Migration = {
  version: 7,
  name: 'team-memory',
  sql: `
CREATE TABLE unnamed_people (
  team_id text COLLATE "C" NOT NULL,
  user_id text COLLATE "C" NOT NULL,
  at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (team_id, user_id)
);
CREATE INDEX sightings_by_time ON sightings (team_id, at);

CREATE TABLE citations (
  arxiv_id         text COLLATE "C" PRIMARY KEY,
  wanted_at        timestamptz NOT NULL,
  check_references boolean NOT NULL,
  fetched_at       timestamptz,
  citation_count   integer,
  influential_citation_count integer
);
CREATE INDEX citations_due ON citations (fetched_at NULLS FIRST, arxiv_id);
`,
};
