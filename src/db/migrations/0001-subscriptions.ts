import type { Migration } from '../migrate.js';

/**
 * Channels, their subscriptions, and what each channel was posted and voted. Every row carries its
 * workspace (Slack team id). Ids compare byte by byte (`COLLATE "C"`), as in JavaScript.
 */
export const subscriptions: Migration = {
  version: 1,
  name: 'subscriptions',
  sql: `
CREATE TABLE channels (
  team_id    text COLLATE "C" NOT NULL,
  channel_id text COLLATE "C" NOT NULL,
  -- The claim key of the replica session posting this channel's digests; NULL, or a key whose
  -- session has ended, when none is (see subscriptions/postgresStore.ts).
  claimed_by integer,
  PRIMARY KEY (team_id, channel_id)
);

CREATE TABLE subscriptions (
  team_id       text COLLATE "C" NOT NULL,
  id            text COLLATE "C" NOT NULL,
  enterprise_id text COLLATE "C",
  channel_id    text COLLATE "C" NOT NULL,
  topic         text NOT NULL,
  cadence       text NOT NULL CHECK (cadence IN ('daily', 'weekdays', 'weekly')),
  run_time      text NOT NULL,
  time_zone     text NOT NULL,
  created_by    text NOT NULL,
  created_at    timestamptz NOT NULL,
  status        text NOT NULL CHECK (status IN ('active', 'paused')),
  paused_reason text,
  paused_since  timestamptz,
  last_run_at   timestamptz,
  papers_since  timestamptz,
  pending_run   jsonb,
  refusal_count integer,
  refusal_error text,
  last_post_at  timestamptz,
  next_run_at   timestamptz NOT NULL,
  -- The order subscriptions were added in (lists show the oldest first, ties in this order).
  seq           bigint GENERATED ALWAYS AS IDENTITY,
  PRIMARY KEY (team_id, id),
  FOREIGN KEY (team_id, channel_id) REFERENCES channels,
  CHECK ((status = 'paused') = (paused_since IS NOT NULL AND paused_reason IS NOT NULL))
);
CREATE INDEX subscriptions_by_channel ON subscriptions (team_id, channel_id);
CREATE INDEX subscriptions_due ON subscriptions (next_run_at) WHERE status = 'active';

CREATE TABLE posted (
  team_id    text COLLATE "C" NOT NULL,
  channel_id text COLLATE "C" NOT NULL,
  paper_id   text COLLATE "C" NOT NULL,
  posted_at  timestamptz NOT NULL,
  PRIMARY KEY (team_id, channel_id, paper_id),
  FOREIGN KEY (team_id, channel_id) REFERENCES channels
);
-- A digest only needs what its channel was posted since its window opened.
CREATE INDEX posted_since ON posted (team_id, channel_id, posted_at);

CREATE TABLE feedback (
  team_id    text COLLATE "C" NOT NULL,
  channel_id text COLLATE "C" NOT NULL,
  paper_id   text COLLATE "C" NOT NULL,
  vote       text NOT NULL CHECK (vote IN ('like', 'dislike')),
  voted_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (team_id, channel_id, paper_id),
  FOREIGN KEY (team_id, channel_id) REFERENCES channels
);

-- Claim keys: one per replica session, never reused while the sequence lasts.
CREATE SEQUENCE claim_keys AS integer;
`,
};
