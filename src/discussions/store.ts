import { resolve } from 'node:path';
import { type JsonDocument, memoryDocument, openJsonFile } from '../jsonFile.js';
import { DiscussionData, emptyDiscussions, type FollowUp, type Sighting } from './discussion.js';

/** A channel of a workspace. */
export interface ChannelRef {
  team: string;
  channel: string;
}

/** Which sightings of a workspace {@link DiscussionStore.inWorkspace} reads: of these papers, or since an instant. */
export type SightingFilter =
  | { paperIds: readonly string[]; limit?: number }
  | { since: string; limit?: number };

/** Sightings {@link DiscussionStore.inWorkspace} reads at most, unless told: a busy workspace's month. */
export const WORKSPACE_SIGHTINGS = 5000;

/** Which follow-up a change is about. */
export type FollowUpKey = Pick<FollowUp, 'team' | 'key'>;

/**
 * The workspaces' memory: where papers were shared and discussed, and the follow-ups told in those
 * threads. Every read names its workspace, except {@link DiscussionStore.threadsOf}, which the
 * follow-ups use to find every workspace's threads about a paper that got news. Writes resolve
 * once stored.
 */
export interface DiscussionStore {
  /** Records sightings; one already recorded (same workspace, channel, message and paper) only has its reply count and permalink refreshed. */
  record(sightings: readonly Sighting[]): Promise<void>;
  /** Where a paper came up in a workspace, newest first, at most `limit`. */
  ofPaper(team: string, paperId: string, limit?: number): Promise<Sighting[]>;
  /** Papers a channel has seen as a shared link or a shared card (digests skip them). */
  linkedIn(where: ChannelRef): Promise<string[]>;
  /** Every workspace's sightings of these papers (the threads follow-ups go to). */
  threadsOf(paperIds: readonly string[]): Promise<Sighting[]>;
  /** The papers seen in one thread (posted, shared or linked there), newest first, each once, at most `limit`. */
  papersInThread(where: ChannelRef, threadTs: string, limit?: number): Promise<string[]>;
  /**
   * A workspace's sightings of these papers, or of every paper since an instant (ISO), newest
   * first, at most `limit` (the people who discussed a topic, the period of a recap).
   */
  inWorkspace(team: string, filter: SightingFilter): Promise<Sighting[]>;
  /** Remembers that a person asked never to be named by `/paper who` (again: no change). */
  unname(team: string, user: string): Promise<void>;
  /** The people of a workspace who asked never to be named. */
  unnamed(team: string): Promise<string[]>;
  /** The replies a thread has now (every sighting in it). */
  setReplyCount(where: ChannelRef, threadTs: string, replyCount: number): Promise<void>;
  /**
   * Records a follow-up as pending, unless one for the same workspace and key exists: true when
   * this call recorded it (then, and only then, the caller posts it).
   */
  claimFollowUp(followUp: FollowUp): Promise<boolean>;
  /** Pending follow-ups tried before `before` (their poster died, or Slack's answer was lost). */
  stalePending(before: Date): Promise<FollowUp[]>;
  /**
   * Takes over a stale pending follow-up: true when it was still pending since `startedAt` (then
   * its start becomes `now` and the caller settles it); false when another replica did first.
   */
  retake(key: FollowUpKey, startedAt: string, now: Date): Promise<boolean>;
  /** Records how a follow-up ended. */
  finish(key: FollowUpKey, status: 'posted' | 'skipped', reason?: string): Promise<void>;
  /** A workspace's follow-ups (status pages and tests). */
  followUpsIn(team: string): Promise<FollowUp[]>;
  close(): Promise<void>;
}

/** Newest first; ties by message ts, newest first. */
export function newestFirst(a: Sighting, b: Sighting): number {
  return a.at < b.at ? 1 : a.at > b.at ? -1 : Number(b.ts) - Number(a.ts);
}

const messageKey = (s: Sighting) => `${s.team}\u0000${s.channel}\u0000${s.ts}\u0000${s.paperId}`;
const paperKey = (team: string, paperId: string) => `${team}\u0000${paperId}`;

/**
 * The memory in a {@link JsonDocument}: in memory, or a lowdb file. Reads hand out copies. Two
 * indexes over the data (by message, by paper) keep a record and a card's read from scanning every
 * sighting; they are rebuilt whenever the data is (re)loaded.
 */
class EmbeddedDiscussionStore implements DiscussionStore {
  private byMessage = new Map<string, Sighting>();
  private byPaper = new Map<string, Sighting[]>();
  private document!: JsonDocument<DiscussionData>;

  constructor(private readonly onClose: () => void = () => {}) {}

  /** Starts over the document (the constructor cannot: the document needs `reindex` first). */
  use(document: JsonDocument<DiscussionData>): this {
    this.document = document;
    this.reindex();
    return this;
  }

  /** Rebuilds the indexes from the data (on load, and after a failed write restored it). */
  reindex(): void {
    this.byMessage = new Map();
    this.byPaper = new Map();
    for (const team of Object.values(this.document.data.teams)) for (const s of team.sightings) this.index(s);
  }

  private index(sighting: Sighting): void {
    this.byMessage.set(messageKey(sighting), sighting);
    const key = paperKey(sighting.team, sighting.paperId);
    const list = this.byPaper.get(key);
    if (list) list.push(sighting);
    else this.byPaper.set(key, [sighting]);
  }

  record(sightings: readonly Sighting[]): Promise<void> {
    if (sightings.length === 0) return Promise.resolve();
    return this.document.change((data) => {
      for (const sighting of sightings) {
        const known = this.byMessage.get(messageKey(sighting));
        if (!known) {
          const stored = structuredClone(sighting);
          ensure(data, sighting.team).sightings.push(stored);
          this.index(stored);
        } else {
          if (sighting.replyCount !== undefined) known.replyCount = sighting.replyCount;
          if (sighting.permalink !== undefined) known.permalink = sighting.permalink;
        }
      }
    });
  }

  async ofPaper(team: string, paperId: string, limit = 20): Promise<Sighting[]> {
    const all = this.byPaper.get(paperKey(team, paperId)) ?? [];
    return structuredClone([...all].sort(newestFirst).slice(0, limit));
  }

  async linkedIn(where: ChannelRef): Promise<string[]> {
    const all = this.document.data.teams[where.team]?.sightings ?? [];
    const linked = all.filter(
      (s) => s.channel === where.channel && (s.kind === 'link' || s.kind === 'share'),
    );
    return [...new Set(linked.map((s) => s.paperId))];
  }

  async threadsOf(paperIds: readonly string[]): Promise<Sighting[]> {
    const teams = Object.keys(this.document.data.teams);
    return structuredClone(
      [...new Set(paperIds)].flatMap((id) =>
        teams.flatMap((team) => this.byPaper.get(paperKey(team, id)) ?? []),
      ),
    );
  }

  async papersInThread(where: ChannelRef, threadTs: string, limit = 10): Promise<string[]> {
    const inThread = (this.document.data.teams[where.team]?.sightings ?? []).filter(
      (s) => s.channel === where.channel && s.threadTs === threadTs,
    );
    return [...new Set([...inThread].sort(newestFirst).map((s) => s.paperId))].slice(0, limit);
  }

  async inWorkspace(team: string, filter: SightingFilter): Promise<Sighting[]> {
    const limit = filter.limit ?? WORKSPACE_SIGHTINGS;
    let found: Sighting[];
    if ('paperIds' in filter) {
      found = [...new Set(filter.paperIds)].flatMap((id) => this.byPaper.get(paperKey(team, id)) ?? []);
    } else {
      const since = Date.parse(filter.since);
      found = (this.document.data.teams[team]?.sightings ?? []).filter((s) => Date.parse(s.at) >= since);
    }
    return structuredClone(found.sort(newestFirst).slice(0, limit));
  }

  unname(team: string, user: string): Promise<void> {
    return this.document.change((data) => {
      const unnamed = ensure(data, team).unnamed;
      if (!unnamed.includes(user)) unnamed.push(user);
    });
  }

  async unnamed(team: string): Promise<string[]> {
    return [...(this.document.data.teams[team]?.unnamed ?? [])];
  }

  setReplyCount(where: ChannelRef, threadTs: string, replyCount: number): Promise<void> {
    return this.document.change((data) => {
      for (const s of data.teams[where.team]?.sightings ?? [])
        if (s.channel === where.channel && s.threadTs === threadTs) s.replyCount = replyCount;
    });
  }

  claimFollowUp(followUp: FollowUp): Promise<boolean> {
    return this.document.change((data) => {
      const team = ensure(data, followUp.team);
      if (team.followUps.some((f) => f.key === followUp.key)) return false;
      team.followUps.push(structuredClone(followUp));
      return true;
    });
  }

  async stalePending(before: Date): Promise<FollowUp[]> {
    const instant = before.toISOString();
    return structuredClone(
      Object.values(this.document.data.teams).flatMap((team) =>
        team.followUps.filter((f) => f.status === 'pending' && f.startedAt < instant),
      ),
    );
  }

  retake(key: FollowUpKey, startedAt: string, now: Date): Promise<boolean> {
    return this.document.change((data) => {
      const found = data.teams[key.team]?.followUps.find((f) => f.key === key.key);
      if (found?.status !== 'pending' || found.startedAt !== startedAt) return false;
      found.startedAt = now.toISOString();
      return true;
    });
  }

  finish(key: FollowUpKey, status: 'posted' | 'skipped', reason?: string): Promise<void> {
    return this.document.change((data) => {
      const found = data.teams[key.team]?.followUps.find((f) => f.key === key.key);
      if (!found) return;
      found.status = status;
      if (reason !== undefined) found.reason = reason.slice(0, 100);
    });
  }

  async followUpsIn(team: string): Promise<FollowUp[]> {
    return structuredClone(this.document.data.teams[team]?.followUps ?? []);
  }

  async close(): Promise<void> {
    await this.document.settle();
    this.onClose();
  }
}

function ensure(data: DiscussionData, team: string): DiscussionData['teams'][string] {
  data.teams[team] ??= { sightings: [], followUps: [], unnamed: [] };
  return data.teams[team] as DiscussionData['teams'][string];
}

/** An in-memory store (tests, and the console when nothing should reach disk). */
export function createMemoryDiscussionStore(data: DiscussionData = emptyDiscussions()): DiscussionStore {
  const store = new EmbeddedDiscussionStore();
  return store.use(memoryDocument(structuredClone(data), () => store.reindex()));
}

// One lowdb instance per file and process (two would share steno's temporary file and lose writes).
const openFiles = new Map<string, Promise<DiscussionStore>>();

/**
 * Opens the lowdb file of the workspaces' memory (created on the first write), validated on load;
 * a corrupt file stops the load with a message naming it, and is never written.
 */
export function openLowdbDiscussionStore(file: string): Promise<DiscussionStore> {
  const path = resolve(file);
  let store = openFiles.get(path);
  if (!store) {
    const embedded = new EmbeddedDiscussionStore(() => openFiles.delete(path));
    store = openJsonFile<DiscussionData>(
      path,
      {
        what: 'discussions',
        empty: emptyDiscussions,
        parse: (json) => {
          const parsed = DiscussionData.safeParse(json);
          if (parsed.success) return { data: parsed.data as DiscussionData };
          const issue = parsed.error.issues[0];
          return { problem: `${issue?.path.join('.') || 'top level'}: ${issue?.message}` };
        },
      },
      () => embedded.reindex(),
    ).then((document) => embedded.use(document));
    openFiles.set(path, store);
    store.catch(() => openFiles.delete(path));
  }
  return store;
}
