import type { Paper } from './paper.js';
import type { SourceBatch } from './sources/http.js';

/** What an ingest did: counts by outcome, and why records were skipped. */
export interface IngestReport {
  new: number;
  updated: number;
  unchanged: number;
  /** reason → how many records were skipped for it */
  skipped: Record<string, number>;
  /** Papers in the corpus afterwards. */
  corpusSize: number;
}

/** "12 new, 3 updated, 40 unchanged; skipped 2 (2 × no title); 9,891 papers in the corpus" */
export function describeIngest(report: IngestReport): string {
  const skipped = Object.entries(report.skipped);
  const total = skipped.reduce((sum, [, n]) => sum + n, 0);
  const reasons = skipped.map(([reason, n]) => `${n} × ${reason}`).join(', ');
  return (
    `${report.new} new, ${report.updated} updated, ${report.unchanged} unchanged` +
    `${total > 0 ? `; skipped ${total} (${reasons})` : ''}; ${report.corpusSize.toLocaleString('en-US')} papers in the corpus`
  );
}

/**
 * Where papers read from a source go: merged into the corpus and its live index (in the running
 * bot, the Library). The sources and the refresher depend on this, not on the Library above them.
 */
export interface PaperSink {
  /** Merges a source's papers in and stores the result. */
  ingest(batch: SourceBatch): Promise<IngestReport>;
  /** A stored paper by arXiv id (after a merge, possibly under an id it already had). */
  getByArxivId(arxivId: string): Promise<Paper | undefined>;
}
