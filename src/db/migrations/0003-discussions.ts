import type { Migration } from '../migrate.js';

/**
 * The workspaces' memory: where papers were shared or discussed (sightings), and the follow-ups
 * told in those threads. Every row carries its workspace (Slack team id).
 */
export const discussions: Migration = {
  version: 3,
  name: 'discussions',
  sql: `
CREATE TABLE sightings (
  team_id     text COLLATE "C" NOT NULL,
  enterprise_id text COLLATE "C",
  channel_id  text COLLATE "C" NOT NULL,
  ts          text COLLATE "C" NOT NULL,
  paper_id    text COLLATE "C" NOT NULL,
  thread_ts   text COLLATE "C" NOT NULL,
  kind        text NOT NULL CHECK (kind IN ('link', 'share', 'digest', 'mention')),
  user_id     text,
  at          timestamptz NOT NULL,
  reply_count integer,
  permalink   text,
  PRIMARY KEY (team_id, channel_id, ts, paper_id)
);
CREATE INDEX sightings_by_paper ON sightings (paper_id, team_id);
CREATE INDEX sightings_by_thread ON sightings (team_id, channel_id, thread_ts);

CREATE TABLE follow_ups (
  team_id    text COLLATE "C" NOT NULL,
  enterprise_id text COLLATE "C",
  key        text COLLATE "C" NOT NULL,
  channel_id text COLLATE "C" NOT NULL,
  thread_ts  text COLLATE "C" NOT NULL,
  paper_id   text COLLATE "C" NOT NULL,
  news       jsonb NOT NULL,
  status     text NOT NULL CHECK (status IN ('pending', 'posted', 'skipped')),
  started_at timestamptz NOT NULL,
  reason     text,
  PRIMARY KEY (team_id, key)
);
CREATE INDEX follow_ups_pending ON follow_ups (started_at) WHERE status = 'pending';
`,
};
