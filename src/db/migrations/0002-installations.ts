import type { Migration } from '../migrate.js';

/**
 * The app's installations (OAuth): one per workspace, or per Enterprise Grid org for an org-wide
 * install, holding Bolt's installation record (its bot token included).
 */
export const installations: Migration = {
  version: 2,
  name: 'installations',
  sql: `
CREATE TABLE installations (
  -- 'enterprise:E…' for an org-wide install, 'team:T…' for a workspace.
  install_key   text COLLATE "C" PRIMARY KEY,
  team_id       text COLLATE "C",
  enterprise_id text COLLATE "C",
  installation  jsonb NOT NULL,
  installed_at  timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
`,
};
