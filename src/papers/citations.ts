import { resolve } from 'node:path';
import { z } from 'zod';
import { type JsonDocument, memoryDocument, openJsonFile } from '../jsonFile.js';

/** How long after a paper was last asked for (shown, ingested) its count is still refreshed. */
export const WANTED_FOR_MS = 30 * 86_400_000;
/** A count is refreshed at most this often. */
export const REFRESH_AFTER_MS = 86_400_000;

/**
 * What paperbot keeps of a paper's citations (by arXiv id): when it was last wanted, whether the
 * papers it cites are still to hear of it (a newly ingested paper), and the counts as of `fetchedAt`.
 */
export const CitationEntry = z.object({
  arxivId: z.string().min(1).max(40),
  wantedAt: z.iso.datetime(),
  checkReferences: z.boolean(),
  fetchedAt: z.iso.datetime().optional(),
  citationCount: z.number().int().nonnegative().optional(),
  influentialCitationCount: z.number().int().nonnegative().optional(),
});
export type CitationEntry = z.infer<typeof CitationEntry>;

/** A paper's citation counts, as of a date: what a card shows. */
export interface CitationCount {
  citationCount: number;
  influentialCitationCount: number;
  fetchedAt: string;
}

/** The outcome of asking for one paper. */
export interface CitationFetch {
  arxivId: string;
  fetchedAt: string;
  /** Absent when Semantic Scholar does not know the paper (yet). */
  counts?: { citationCount: number; influentialCitationCount: number };
  /** The papers it cites have been told (its references were read and handled). */
  referencesTold: boolean;
}

/**
 * The citation cache: the counts cards show (read from here only, never from Semantic Scholar
 * while a person waits), and the queue of papers to ask about. Writes resolve once stored.
 */
export interface CitationStore {
  /**
   * Asks for papers: wanted now (and, for `checkReferences`, their references to be told once).
   * A paper wanted less than a day ago keeps its date (no write for every card shown).
   */
  want(arxivIds: readonly string[], at: Date, checkReferences: boolean): Promise<void>;
  /**
   * Papers to ask about now, at most `limit`: wanted in the last {@link WANTED_FOR_MS}, never
   * fetched or fetched over {@link REFRESH_AFTER_MS} ago; never fetched first, then oldest.
   */
  due(now: Date, limit: number): Promise<CitationEntry[]>;
  /** Records what was fetched. */
  record(fetches: readonly CitationFetch[]): Promise<void>;
  /** The known counts of these papers. */
  counts(arxivIds: readonly string[]): Promise<Map<string, CitationCount>>;
  close(): Promise<void>;
}

/** Whether wanting a known paper again changes it: its references to check, or a day since it was last wanted. */
function wantedAgain(entry: CitationEntry, at: Date, checkReferences: boolean): boolean {
  return (
    (checkReferences && !entry.checkReferences) ||
    Date.parse(entry.wantedAt) <= at.getTime() - REFRESH_AFTER_MS
  );
}

/** Whether an entry is due at `now`. */
export function isDue(entry: CitationEntry, now: Date): boolean {
  if (Date.parse(entry.wantedAt) < now.getTime() - WANTED_FOR_MS) return false;
  return entry.fetchedAt === undefined || Date.parse(entry.fetchedAt) <= now.getTime() - REFRESH_AFTER_MS;
}

/** Never fetched first, then the oldest fetch; ties by arXiv id. */
export function dueOrder(a: CitationEntry, b: CitationEntry): number {
  const at = (e: CitationEntry) => (e.fetchedAt === undefined ? -1 : Date.parse(e.fetchedAt));
  return at(a) - at(b) || (a.arxivId < b.arxivId ? -1 : a.arxivId > b.arxivId ? 1 : 0);
}

/** The lowdb file of the cache. */
export const CitationData = z.object({ version: z.literal(1), papers: z.record(z.string(), CitationEntry) });
export type CitationData = z.infer<typeof CitationData>;

class EmbeddedCitationStore implements CitationStore {
  constructor(
    private readonly document: JsonDocument<CitationData>,
    private readonly onClose: () => void = () => {},
  ) {}

  want(arxivIds: readonly string[], at: Date, checkReferences: boolean): Promise<void> {
    const papers = this.document.data.papers;
    const changes = arxivIds.some((id) => {
      const known = Object.hasOwn(papers, id) ? papers[id] : undefined;
      return !known || wantedAgain(known, at, checkReferences);
    });
    // Cards ask for their papers on every answer: a file is rewritten only when something changes.
    if (!changes) return Promise.resolve();
    return this.document.change((data) => {
      for (const arxivId of arxivIds) {
        const known = Object.hasOwn(data.papers, arxivId) ? data.papers[arxivId] : undefined;
        if (!known) {
          data.papers[arxivId] = { arxivId, wantedAt: at.toISOString(), checkReferences };
          continue;
        }
        if (!wantedAgain(known, at, checkReferences)) continue;
        if (Date.parse(known.wantedAt) < at.getTime()) known.wantedAt = at.toISOString();
        known.checkReferences ||= checkReferences;
      }
    });
  }

  async due(now: Date, limit: number): Promise<CitationEntry[]> {
    return structuredClone(
      Object.values(this.document.data.papers)
        .filter((entry) => isDue(entry, now))
        .sort(dueOrder)
        .slice(0, limit),
    );
  }

  record(fetches: readonly CitationFetch[]): Promise<void> {
    if (fetches.length === 0) return Promise.resolve();
    return this.document.change((data) => {
      for (const fetch of fetches) {
        const entry = Object.hasOwn(data.papers, fetch.arxivId) ? data.papers[fetch.arxivId] : undefined;
        if (!entry) continue;
        entry.fetchedAt = fetch.fetchedAt;
        if (fetch.counts) Object.assign(entry, fetch.counts);
        if (fetch.referencesTold) entry.checkReferences = false;
      }
    });
  }

  async counts(arxivIds: readonly string[]): Promise<Map<string, CitationCount>> {
    const counts = new Map<string, CitationCount>();
    for (const id of arxivIds) {
      const entry = Object.hasOwn(this.document.data.papers, id) ? this.document.data.papers[id] : undefined;
      if (entry?.fetchedAt !== undefined && entry.citationCount !== undefined)
        counts.set(id, {
          citationCount: entry.citationCount,
          influentialCitationCount: entry.influentialCitationCount ?? 0,
          fetchedAt: entry.fetchedAt,
        });
    }
    return counts;
  }

  async close(): Promise<void> {
    await this.document.settle();
    this.onClose();
  }
}

const empty = (): CitationData => ({ version: 1, papers: {} });

/** An in-memory cache (tests, and the console when nothing should reach disk). */
export function createMemoryCitationStore(): CitationStore {
  return new EmbeddedCitationStore(memoryDocument(empty()));
}

// One lowdb instance per file and process (two would share steno's temporary file and lose writes).
const openFiles = new Map<string, Promise<CitationStore>>();

/** Opens the lowdb file of the cache (created on the first write), validated on load. */
export function openLowdbCitationStore(file: string): Promise<CitationStore> {
  const path = resolve(file);
  let store = openFiles.get(path);
  if (!store) {
    store = openJsonFile<CitationData>(path, {
      what: 'citations',
      empty,
      parse: (json) => {
        const parsed = CitationData.safeParse(json);
        if (parsed.success) return { data: parsed.data as CitationData };
        const issue = parsed.error.issues[0];
        return { problem: `${issue?.path.join('.') || 'top level'}: ${issue?.message}` };
      },
    }).then((document) => new EmbeddedCitationStore(document, () => openFiles.delete(path)));
    openFiles.set(path, store);
    store.catch(() => openFiles.delete(path));
  }
  return store;
}
