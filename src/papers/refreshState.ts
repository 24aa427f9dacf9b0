import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { type JsonDocument, memoryDocument, openJsonFile } from '../jsonFile.js';
import { writeFileAtomically } from './corpus.js';
import { IsoDay } from './paper.js';

const Instant = z.iso.datetime();

/** A source's last successful read and last failure, as `/paper status` shows them. */
const SourceRecord = z.object({
  lastSuccess: z.object({ at: Instant, new: z.number().int().min(0), summary: z.string() }).optional(),
  lastFailure: z.object({ at: Instant, reason: z.string() }).optional(),
});
export type SourceRecord = z.infer<typeof SourceRecord>;

/** A day of the backfill that failed: how often, why, and when it is tried again. */
const FailedDay = z.object({
  attempts: z.number().int().min(1),
  reason: z.string(),
  retryAt: Instant,
});

/** The first-day backfill of a data directory: which days, which are read, which failed. */
const BackfillRecord = z.object({
  /** Every day to read, newest first. */
  days: z.array(IsoDay),
  done: z.array(IsoDay),
  failed: z.record(z.string(), FailedDay),
  /** Days given up on after too many failures (`paperbot ingest hf-daily` reads them by hand). */
  abandoned: z.array(IsoDay).default([]),
  newPapers: z.number().int().min(0).default(0),
  startedAt: Instant,
  finishedAt: Instant.optional(),
});
export type BackfillRecord = z.infer<typeof BackfillRecord>;

const StateFile = z.object({
  version: z.literal(1),
  sources: z.record(z.string(), SourceRecord),
  backfill: BackfillRecord.optional(),
});
type StateFile = z.infer<typeof StateFile>;

const empty = (): StateFile => ({ version: 1, sources: {} });

/** The last `paperbot ingest` into a data directory: when, what it read, what it changed. */
const IngestRecord = z.object({
  at: Instant,
  /** The command's source: "file day.json", "hf-daily since 2026-11-01", "arxiv cs.LG". */
  what: z.string(),
  new: z.number().int().min(0),
  summary: z.string(),
});
export type IngestRecord = z.infer<typeof IngestRecord>;

/**
 * Where a data directory's last manual ingest is recorded. A file of its own: `paperbot ingest`
 * runs beside a bot that holds `refresh-state.json` in memory and would write over its record.
 */
export function ingestRecordFile(dataDir: string): string {
  return join(dataDir, 'last-ingest.json');
}

/** Records a manual ingest (the CLI's), for `/paper status` and the console's first line. */
export async function recordIngest(dataDir: string, record: IngestRecord): Promise<void> {
  await writeFileAtomically(
    ingestRecordFile(dataDir),
    `${JSON.stringify(IngestRecord.parse(record), null, 2)}\n`,
  );
}

/** The last manual ingest recorded in a data directory (none when the file is missing or unreadable). */
export async function lastIngest(dataDir: string): Promise<IngestRecord | undefined> {
  try {
    const parsed = IngestRecord.safeParse(JSON.parse(await readFile(ingestRecordFile(dataDir), 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Where a data directory's refresh state lives. */
export function refreshStateFile(dataDir: string): string {
  return join(dataDir, 'refresh-state.json');
}

/**
 * What the data directory remembers about refreshing its corpus (`refresh-state.json` beside the
 * corpus): each source's last success and failure, and the first-day backfill's progress, so that
 * `/paper status` tells them after a restart and a restarted backfill goes on where it stopped.
 */
export class RefreshState {
  private constructor(
    private readonly document: JsonDocument<StateFile>,
    /** The data directory, whose last manual ingest is read on demand (absent: in memory). */
    private readonly dataDir?: string,
    private ingest?: IngestRecord,
  ) {}

  /** Opens the state file of a data directory (validated; a broken one stops start-up, naming it). */
  static async open(dataDir: string): Promise<RefreshState> {
    const document = await openJsonFile<StateFile>(refreshStateFile(dataDir), {
      what: 'refresh state',
      empty,
      parse: (json) => {
        const parsed = StateFile.safeParse(json);
        return parsed.success
          ? { data: parsed.data }
          : {
              problem: `${parsed.error.issues[0]?.path.join('.') || 'file'}: ${parsed.error.issues[0]?.message}`,
            };
      },
    });
    return new RefreshState(document, dataDir, await lastIngest(dataDir));
  }

  /** A state in memory (tests). */
  static inMemory(): RefreshState {
    return new RefreshState(memoryDocument(empty()));
  }

  /** Whether no source was ever read successfully here, no backfill ever started and nothing was ingested by hand. */
  get neverRefreshed(): boolean {
    const { sources, backfill } = this.document.data;
    return !backfill && !this.ingest && Object.values(sources).every((source) => !source.lastSuccess);
  }

  /** The last `paperbot ingest` here, read again from its file (the CLI writes it while the bot runs). */
  async lastIngest(): Promise<IngestRecord | undefined> {
    if (this.dataDir) this.ingest = (await lastIngest(this.dataDir)) ?? this.ingest;
    return this.ingest;
  }

  source(name: string): SourceRecord {
    return this.document.data.sources[name] ?? {};
  }

  get backfill(): BackfillRecord | undefined {
    return this.document.data.backfill;
  }

  recordSuccess(name: string, at: Date, report: { new: number; summary: string }): Promise<void> {
    return this.document.change((data) => {
      data.sources[name] = {
        ...data.sources[name],
        lastSuccess: { at: at.toISOString(), new: report.new, summary: report.summary },
      };
    });
  }

  recordFailure(name: string, at: Date, reason: string): Promise<void> {
    return this.document.change((data) => {
      data.sources[name] = { ...data.sources[name], lastFailure: { at: at.toISOString(), reason } };
    });
  }

  /** Changes the backfill's record (creating it with `start` when there is none). */
  changeBackfill(change: (record: BackfillRecord) => void, start?: () => BackfillRecord): Promise<void> {
    return this.document.change((data) => {
      const record = data.backfill ?? start?.();
      if (!record) return;
      change(record);
      data.backfill = record;
    });
  }

  /** Waits for the writes under way. */
  settle(): Promise<void> {
    return this.document.settle();
  }
}
