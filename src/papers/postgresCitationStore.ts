import type { Database } from '../db/database.js';
import {
  type CitationCount,
  CitationEntry,
  type CitationFetch,
  type CitationStore,
  REFRESH_AFTER_MS,
  WANTED_FOR_MS,
} from './citations.js';

interface CitationRow {
  arxiv_id: string;
  wanted_at: Date;
  check_references: boolean;
  fetched_at: Date | null;
  citation_count: number | null;
  influential_citation_count: number | null;
}

const COLUMNS =
  'arxiv_id, wanted_at, check_references, fetched_at, citation_count, influential_citation_count';

function entryOf(row: CitationRow): CitationEntry {
  return CitationEntry.parse({
    arxivId: row.arxiv_id,
    wantedAt: row.wanted_at.toISOString(),
    checkReferences: row.check_references,
    fetchedAt: row.fetched_at?.toISOString(),
    citationCount: row.citation_count ?? undefined,
    influentialCitationCount: row.influential_citation_count ?? undefined,
  });
}

/** The citation cache in PostgreSQL, shared by every replica. */
export class PostgresCitationStore implements CitationStore {
  constructor(private readonly db: Database) {}

  async want(arxivIds: readonly string[], at: Date, checkReferences: boolean): Promise<void> {
    if (arxivIds.length === 0) return;
    await this.db.query(
      `INSERT INTO citations (arxiv_id, wanted_at, check_references)
       SELECT id, $2, $3 FROM unnest($1::text[]) AS id
       ON CONFLICT (arxiv_id) DO UPDATE SET
         wanted_at = GREATEST(citations.wanted_at, EXCLUDED.wanted_at),
         check_references = citations.check_references OR EXCLUDED.check_references
       WHERE citations.wanted_at <= EXCLUDED.wanted_at - interval '1 day'
          OR (EXCLUDED.check_references AND NOT citations.check_references)`,
      [[...new Set(arxivIds)], at, checkReferences],
    );
  }

  async due(now: Date, limit: number): Promise<CitationEntry[]> {
    const { rows } = await this.db.query<CitationRow>(
      `SELECT ${COLUMNS} FROM citations
       WHERE wanted_at >= $1 AND (fetched_at IS NULL OR fetched_at <= $2)
       ORDER BY fetched_at NULLS FIRST, arxiv_id LIMIT $3`,
      [new Date(now.getTime() - WANTED_FOR_MS), new Date(now.getTime() - REFRESH_AFTER_MS), limit],
    );
    return rows.map(entryOf);
  }

  async record(fetches: readonly CitationFetch[]): Promise<void> {
    if (fetches.length === 0) return;
    const column = <T>(pick: (f: CitationFetch) => T) => fetches.map(pick);
    await this.db.query(
      `UPDATE citations SET
         fetched_at = f.fetched_at,
         citation_count = COALESCE(f.citation_count, citations.citation_count),
         influential_citation_count = COALESCE(f.influential, citations.influential_citation_count),
         check_references = citations.check_references AND NOT f.told
       FROM unnest($1::text[], $2::timestamptz[], $3::integer[], $4::integer[], $5::boolean[])
         AS f(arxiv_id, fetched_at, citation_count, influential, told)
       WHERE citations.arxiv_id = f.arxiv_id`,
      [
        column((f) => f.arxivId),
        column((f) => f.fetchedAt),
        column((f) => f.counts?.citationCount ?? null),
        column((f) => f.counts?.influentialCitationCount ?? null),
        column((f) => f.referencesTold),
      ],
    );
  }

  async counts(arxivIds: readonly string[]): Promise<Map<string, CitationCount>> {
    const counts = new Map<string, CitationCount>();
    if (arxivIds.length === 0) return counts;
    const { rows } = await this.db.query<CitationRow>(
      `SELECT ${COLUMNS} FROM citations
       WHERE arxiv_id = ANY($1::text[]) AND fetched_at IS NOT NULL AND citation_count IS NOT NULL`,
      [[...arxivIds]],
    );
    for (const row of rows)
      counts.set(row.arxiv_id, {
        citationCount: row.citation_count ?? 0,
        influentialCitationCount: row.influential_citation_count ?? 0,
        fetchedAt: (row.fetched_at as Date).toISOString(),
      });
    return counts;
  }

  /** The database is closed by its owner. */
  async close(): Promise<void> {}
}
