import type { Paper } from './papers/paper.js';
import type { SourceStatus } from './papers/refresher.js';
import type { BackfillRecord, IngestRecord } from './papers/refreshState.js';

/** What the running process knows of its own operation, beside the corpus. */
export interface OperationsStatus {
  /** When the process started. */
  startedAt: Date;
  /** Each refresh source's last success and failure, and its next read. */
  sources(): SourceStatus[];
  /** The first-day backfill, if one ever started here. */
  backfill(): BackfillRecord | undefined;
  /** The last `paperbot ingest` into this data directory, if any. */
  lastIngest?(): Promise<IngestRecord | undefined>;
}

/** What `/paper status` and the installer's Home tab report. */
export interface ServiceStatus {
  version: string;
  startedAt?: Date;
  papers: number;
  /** The paper published last (the one that arrived last when no paper has a publication date). */
  newest?: Paper;
  sources: SourceStatus[];
  backfill?: BackfillRecord;
  lastIngest?: IngestRecord;
}
