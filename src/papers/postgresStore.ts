import type { Database, Queryable } from '../db/database.js';
import { KeyColumn, StringColumn } from '../packedStrings.js';
import {
  type Catalog,
  CorpusMoved,
  type CorpusPosition,
  type CorpusStore,
  catalogEntry,
} from './corpusStore.js';
import type { Paper } from './paper.js';

/** A position in a PostgreSQL corpus: which corpus, and the changes seen of it. */
interface SequencePosition extends CorpusPosition {
  corpus: string;
  sequence: number;
}

/** Papers per statement when storing or reading many (a statement's parameters stay a few MB). */
const BATCH = 2000;

/** The corpus state row: its id and the sequence number of its last change (a float8 is a JS number). */
const STATE = 'SELECT corpus_id::text AS corpus, sequence::float8 AS sequence FROM corpus';

/** The catalog columns, arrival in ms since the epoch (exact: arrivals are whole milliseconds). */
const ARRIVAL = '(extract(epoch FROM arrived_at) * 1000)::float8';

function asSequencePosition(position: CorpusPosition): SequencePosition | undefined {
  const { corpus, sequence } = position;
  return typeof corpus === 'string' && typeof sequence === 'number' && Number.isSafeInteger(sequence)
    ? { corpus, sequence }
    : undefined;
}

/**
 * The corpus as rows of PostgreSQL, shared by every replica (and `paperbot ingest`): the source of
 * truth of each replica's in-memory index.
 *
 * - **A change sequence.** The `corpus` row counts the changes; each store of a paper takes the
 *   next number into the paper's `sequence` (its first store's number stays as `slot`, the
 *   catalog's order). A position is the corpus id and a sequence number.
 * - **One writer at a time, in order.** `append` locks the corpus row (`FOR UPDATE`), refuses with
 *   {@link CorpusMoved} when its sequence is not the caller's, upserts the papers and moves the
 *   sequence, in one transaction. Writers therefore commit in sequence order, so a reader that
 *   has seen the changes up to `n` has seen every change numbered `n` or less: no change commits
 *   later with a smaller number (which a sequence object's numbers, taken concurrently, could).
 * - **Catching up is one statement**: the corpus row and the rows stored after a position, in one
 *   snapshot, so the position returned is exactly the changes returned.
 *
 * Rows are written only by `append` (and deleted by `remove`, which gives the corpus a new id), with papers the caller validated (the Library parses every
 * paper it stores), so they are read back without validating them again. There is nothing to
 * checkpoint or compact: the table is the catalog, and an upsert replaces a row in place.
 */
export class PostgresCorpusStore implements CorpusStore {
  readonly name: string;
  readonly wantsCompaction = false;

  /**
   * `db` belongs to the caller, who closes it after the store. `seed` gives the papers a corpus
   * starts with when nothing was ever stored in it (the bundled corpus, as the file store reads
   * until its first append); replicas that open a new database together store it once.
   */
  constructor(
    private readonly db: Database,
    private readonly seed?: () => Promise<readonly Paper[]>,
  ) {
    this.name = `PostgreSQL ${db.where}`;
  }

  async open(): Promise<{ catalog: Catalog; position: CorpusPosition }> {
    if (this.seed) {
      const position = await state(this.db);
      if (position.sequence === 0) {
        const papers = await this.seed();
        // Another replica seeding (or ingesting) first is as good: its papers are read below.
        if (papers.length > 0) await this.append(papers, position).catch(ignoreMoved);
      }
    }
    // REPEATABLE READ: the catalog and the position from one snapshot, though a writer commits between.
    return this.db.transaction(async (tx) => {
      await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const position = await state(tx);
      // Rows, made columns here: node-postgres parses 80k rows ~2.5x faster than four array_agg arrays.
      const { rows } = await tx.query<{ id: string; arxiv_id: string; title_key: string; arrival: number }>(
        `SELECT id, coalesce(arxiv_id, '') AS arxiv_id, title_key, ${ARRIVAL} AS arrival FROM papers ORDER BY slot`,
      );
      const arrivals = new Float64Array(rows.length);
      rows.forEach((row, i) => {
        arrivals[i] = row.arrival;
      });
      return {
        catalog: {
          ids: KeyColumn.of(rows.map((row) => row.id)),
          arxivIds: StringColumn.of(rows.map((row) => row.arxiv_id)),
          titles: StringColumn.of(rows.map((row) => row.title_key)),
          arrivals,
        },
        position,
      };
    });
  }

  async read(ids: readonly string[]): Promise<(Paper | undefined)[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.db.query<{ id: string; paper: Paper }>(
      'SELECT id, paper FROM papers WHERE id = ANY($1::text[])',
      [ids],
    );
    const byId = new Map(rows.map((row) => [row.id, row.paper]));
    return ids.map((id) => byId.get(id));
  }

  async *readAll(): AsyncIterable<Paper[]> {
    // By slot, in pages: a paper stored again meanwhile keeps its slot, so none is read twice.
    let after = -1;
    for (;;) {
      const { rows } = await this.db.query<{ slot: number; paper: Paper }>(
        'SELECT slot::float8 AS slot, paper FROM papers WHERE slot > $1 ORDER BY slot LIMIT $2',
        [after, BATCH],
      );
      if (rows.length === 0) return;
      after = (rows[rows.length - 1] as { slot: number }).slot;
      yield rows.map((row) => row.paper);
      if (rows.length < BATCH) return;
    }
  }

  async append(papers: readonly Paper[], after: CorpusPosition): Promise<CorpusPosition> {
    // A paper given twice is stored once, as given last (an upsert may not touch a row twice).
    const latest = [...new Map(papers.map((paper) => [paper.id, paper])).values()];
    return this.db.transaction(async (tx) => {
      const current = await lockedAt(tx, after);
      if (latest.length === 0) return current;
      for (let start = 0; start < latest.length; start += BATCH) {
        const batch = latest.slice(start, start + BATCH).map((paper, i) => {
          const entry = catalogEntry(paper);
          return {
            id: entry.id,
            arxiv_id: entry.arxivId || null,
            title_key: entry.title,
            arrival: entry.arrival,
            sequence: current.sequence + start + i + 1,
            paper,
          };
        });
        await tx.query(
          `INSERT INTO papers (id, arxiv_id, title_key, arrived_at, slot, sequence, paper)
           SELECT id, arxiv_id, title_key, timestamptz 'epoch' + arrival * interval '1 millisecond',
                  sequence, sequence, paper
             FROM json_to_recordset($1::json)
               AS t(id text, arxiv_id text, title_key text, arrival float8, sequence bigint, paper jsonb)
           ON CONFLICT (id) DO UPDATE SET arxiv_id = excluded.arxiv_id, title_key = excluded.title_key,
             arrived_at = excluded.arrived_at, sequence = excluded.sequence, paper = excluded.paper`,
          [JSON.stringify(batch)],
        );
      }
      const sequence = current.sequence + latest.length;
      await tx.query('UPDATE corpus SET sequence = $1', [sequence]);
      return { corpus: current.corpus, sequence };
    });
  }

  async remove(ids: readonly string[], after: CorpusPosition): Promise<CorpusPosition> {
    return this.db.transaction(async (tx) => {
      const current = await lockedAt(tx, after);
      const deleted = await tx.query('DELETE FROM papers WHERE id = ANY($1::text[])', [ids]);
      if (deleted.rowCount === 0) return current;
      // A deleted row cannot be caught up with: a new corpus id sends every replica to read it again.
      const { rows: moved } = await tx.query<SequencePosition>(
        `UPDATE corpus SET corpus_id = gen_random_uuid(), sequence = sequence + 1
         RETURNING corpus_id::text AS corpus, sequence::float8 AS sequence`,
      );
      const next = moved[0] as SequencePosition;
      return { corpus: next.corpus, sequence: next.sequence };
    });
  }

  async changesSince(
    position: CorpusPosition,
  ): Promise<{ papers: Paper[]; position: CorpusPosition } | undefined> {
    const from = asSequencePosition(position);
    if (!from) return undefined;
    // One statement, one snapshot: the corpus row and exactly the changes it counts.
    const { rows } = await this.db.query<SequencePosition & { paper: Paper | null }>(
      `SELECT c.corpus_id::text AS corpus, c.sequence::float8 AS sequence, p.paper
         FROM corpus c
         LEFT JOIN papers p ON c.corpus_id::text = $1 AND p.sequence > $2
        ORDER BY p.sequence`,
      [from.corpus, from.sequence],
    );
    const head = rows[0] as SequencePosition;
    // Another corpus, or a position past this one's end (the database was restored from a backup).
    if (head.corpus !== from.corpus || head.sequence < from.sequence) return undefined;
    const papers = rows.flatMap((row) => (row.paper ? [row.paper] : []));
    return { papers, position: { corpus: head.corpus, sequence: head.sequence } };
  }

  /** Nothing to do: the table is the catalog. */
  async checkpoint(): Promise<void> {}

  /** Nothing to do: a paper stored again replaces its row. */
  async compact(): Promise<CorpusPosition> {
    return state(this.db);
  }

  /** Nothing to do: the database is the caller's to close. */
  async close(): Promise<void> {}
}

function ignoreMoved(error: unknown): void {
  if (!(error instanceof CorpusMoved)) throw error;
}

async function state(db: Queryable): Promise<SequencePosition> {
  const { rows } = await db.query<SequencePosition>(STATE);
  const row = rows[0] as SequencePosition;
  return { corpus: row.corpus, sequence: row.sequence };
}

/**
 * Locks the corpus's counter row for this transaction (writers commit in counter order) and
 * returns the position, refusing a writer that is not at it (CorpusMoved).
 */
async function lockedAt(tx: Queryable, after: CorpusPosition): Promise<SequencePosition> {
  const from = asSequencePosition(after);
  const { rows } = await tx.query<SequencePosition>(`${STATE} FOR UPDATE`);
  const current = rows[0] as SequencePosition;
  if (!from || from.corpus !== current.corpus || from.sequence !== current.sequence) throw new CorpusMoved();
  return current;
}
