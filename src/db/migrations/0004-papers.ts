import type { Migration } from '../migrate.js';

/**
 * The corpus: one row per paper (the whole validated Paper as JSON, and the catalog's columns
 * beside it), and one row of corpus state whose `sequence` counts the changes. Every store of a
 * paper takes the next sequence number, so a reader that has seen the changes up to `n` catches
 * up with the rows whose `sequence` is larger (see papers/postgresStore.ts).
 */
export const papers: Migration = {
  version: 4,
  name: 'papers',
  sql: `
CREATE TABLE corpus (
  only_row  boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  -- Which corpus this is: a position taken from another database (or before it was reset) names
  -- another corpus id, and its reader reads the corpus again instead of catching up.
  corpus_id uuid NOT NULL DEFAULT gen_random_uuid(),
  -- Changes stored so far: the sequence number of the last one.
  sequence  bigint NOT NULL DEFAULT 0 CHECK (sequence >= 0)
);
INSERT INTO corpus DEFAULT VALUES;

CREATE TABLE papers (
  id         text COLLATE "C" PRIMARY KEY,
  arxiv_id   text COLLATE "C",
  -- The normalised title (papers/paper.ts normaliseTitle), which dedupes papers across sources.
  title_key  text NOT NULL,
  arrived_at timestamptz NOT NULL,
  -- The sequence number of the paper's first store: the catalog's order, kept when it is stored again.
  slot       bigint NOT NULL UNIQUE,
  -- The sequence number of its last store.
  sequence   bigint NOT NULL UNIQUE,
  paper      jsonb NOT NULL
);
`,
};
