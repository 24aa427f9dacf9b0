import { resolve } from 'node:path';
import { PaperbotError } from '../errors.js';
import { type JsonDocument, memoryDocument, openJsonFile } from '../jsonFile.js';
import {
  type ChannelRecord,
  type ChannelRef,
  emptyData,
  type Subscription,
  SubscriptionData,
  SubscriptionDataV1,
  upgradeV1,
  type Vote,
} from './subscription.js';

export type { ChannelRef, Vote } from './subscription.js';

/** How a digest run ended, recorded in one write so that a crash cannot half-apply it. */
export interface RunRecord {
  at: Date;
  /** Where the next digest's window starts. */
  papersSince: string;
  /** The next scheduled run; unchanged for a digest run by hand. */
  nextRunAt: Date;
  /** Papers Slack accepted in this run (recorded as posted in the channel). */
  postedPaperIds: string[];
}

/** A digest handed to Slack whose acceptance is not confirmed yet (see {@link Subscription}). */
export type PendingRun = NonNullable<Subscription['pendingRun']>;

/** Names one subscription: ids are unique within a workspace. */
export type SubscriptionKey = Pick<Subscription, 'team' | 'id'>;

/** A channel claimed for its digests, with what they are computed from. */
export interface ClaimedChannel extends ChannelRef {
  /** Its active subscriptions due at the claim's time, oldest first (every one, for {@link DigestClaims.claimChannel}). */
  subscriptions: Subscription[];
  /**
   * Papers already posted in the channel (paper id → when): at least every one posted within a day
   * before the earliest `papersSince` of `subscriptions` (all of them when one has none). A paper
   * can only be posted after it arrived, so older entries cannot concern a digest's candidates.
   */
  posted: Record<string, string>;
  /** The channel's 👍 / 👎. */
  feedback: Record<string, Vote>;
}

/**
 * One replica's claims on channels' digests. A channel is claimed whole: one replica posts all of
 * a channel's digests of a run, in turn (so two digests of one channel never pick the same paper,
 * and the channel's rate limit is one replica's to keep). A claim lasts until released, or until
 * the session ends: when the replica dies, its claims go with it and another replica takes the
 * channels over at its next claim; the digest it may have been posting is found by its pendingRun.
 */
export interface DigestClaims {
  /** True once the session ended (closed, or its database connection lost): its claims are gone. */
  readonly lost: boolean;
  /** Claims up to `limit` channels with active subscriptions due at `now` that no live session holds. */
  claimDue(now: Date, limit: number): Promise<ClaimedChannel[]>;
  /** Claims one channel (a digest run by hand); undefined when another session, or this one, holds it. */
  claimChannel(where: ChannelRef): Promise<ClaimedChannel | undefined>;
  /**
   * Records that a digest is about to be posted, if this session still holds its channel. False
   * means the claim is gone (the subscription removed, or the channel taken over): do not post.
   */
  markPending(key: SubscriptionKey, pending: PendingRun): Promise<boolean>;
  /** Gives channels back (after their runs are recorded). */
  release(channels: readonly ChannelRef[]): Promise<void>;
  /** Ends the session and every claim it holds. */
  close(): Promise<void>;
}

/**
 * Where subscriptions live, per workspace. Every read and write names its workspace: nothing in
 * one workspace can read or change another's, whatever id it sends. Reads are asynchronous because
 * with several replicas a read must see another replica's writes (the PostgreSQL store queries
 * every time); every write resolves only once the change is stored, so "Subscribed" is never said
 * about something a crash loses.
 */
export interface SubscriptionStore {
  /** A workspace's subscriptions, oldest first (those of one instant and channel in the order they were added). */
  inTeam(team: string): Promise<Subscription[]>;
  /** A channel's subscriptions, oldest first (those of one instant in the order they were added). */
  inChannel(where: ChannelRef): Promise<Subscription[]>;
  get(team: string, id: string): Promise<Subscription | undefined>;
  /** Ids of papers already posted in a channel, with when. */
  postedIn(where: ChannelRef): Promise<Readonly<Record<string, string>>>;
  /** The channel's 👍 / 👎 votes on papers. */
  feedbackIn(where: ChannelRef): Promise<Readonly<Record<string, Vote>>>;
  /** Stores a new subscription; refused when its workspace already has one with its id. */
  add(subscription: Subscription): Promise<void>;
  /**
   * Applies `change` to one subscription of the workspace; resolves to the stored result, or
   * undefined for an id the workspace does not have. `change` keeps the id, workspace and channel.
   */
  update(
    team: string,
    id: string,
    change: (subscription: Subscription) => Subscription,
  ): Promise<Subscription | undefined>;
  remove(team: string, id: string): Promise<Subscription | undefined>;
  /** Records how a run ended (and the papers it posted) in one change; clears its pendingRun. */
  recordRun(key: SubscriptionKey, run: RunRecord): Promise<void>;
  /** Records several runs in one write (runs that posted nothing, batched by the scheduler). */
  recordRuns(runs: ReadonlyArray<{ key: SubscriptionKey; run: RunRecord }>): Promise<void>;
  /** Records a vote (a later vote on the same paper replaces it). */
  recordFeedback(where: ChannelRef, paperId: string, vote: Vote): Promise<void>;
  /** Forgets a channel's votes (`/paper taste reset`); resolves to how many there were. */
  forgetFeedback(where: ChannelRef): Promise<number>;
  /** Pauses every active subscription of a workspace (the app was uninstalled there); resolves to how many. */
  pauseTeam(team: string, reason: string, at: Date): Promise<number>;
  /** Opens a replica's claim session for digests (see {@link DigestClaims}). */
  openClaims(): Promise<DigestClaims>;
  /** Waits for pending writes and releases the file or connections (a later open reads afresh). */
  close(): Promise<void>;
}

/** The refusal of a subscription id its workspace already uses (both stores say it alike). */
export function duplicateSubscription(key: SubscriptionKey): PaperbotError {
  return new PaperbotError(
    'paperbot_store_error',
    `The workspace ${key.team} already has a subscription ${key.id}.`,
  );
}

/** Oldest first (a stable sort keeps subscriptions made in the same instant in the order they were added). */
export function byAge(a: Subscription, b: Subscription): number {
  return a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0;
}

/** The fields a run changes, applied to a subscription (shared by the stores). */
export function applyRun(subscription: Subscription, run: RunRecord): Subscription {
  const { pendingRun: _, refusals: __, ...rest } = subscription; // confirmed: nothing left to check or count
  const at = run.at.toISOString();
  return {
    ...rest,
    lastRunAt: at,
    papersSince: run.papersSince,
    nextRunAt: run.nextRunAt.toISOString(),
    ...(run.postedPaperIds.length > 0 ? { lastPostAt: at } : {}),
  };
}

const keyOf = (team: string, rest: string) => `${team}\u0000${rest}`;

/** A claim session of the embedded stores: a token, alive until closed. */
class EmbeddedClaims implements DigestClaims {
  lost = false;
  constructor(private readonly store: DataStore) {}
  claimDue(now: Date, limit: number) {
    return Promise.resolve(this.store.claimDue(this, now, limit));
  }
  claimChannel(where: ChannelRef) {
    return Promise.resolve(this.store.claimChannel(this, where));
  }
  markPending(key: SubscriptionKey, pending: PendingRun) {
    return this.store.markPending(this, key, pending);
  }
  async release(channels: readonly ChannelRef[]) {
    this.store.release(this, channels);
  }
  async close() {
    this.lost = true;
    this.store.releaseAll(this);
  }
}

/**
 * The embedded implementation of {@link SubscriptionStore}: the data in a {@link JsonDocument}
 * (in memory, or a lowdb file). Claims live in memory: one process uses the file, so when it dies
 * there is no claim left to take over. Reads hand out copies, as a database would.
 */
class DataStore implements SubscriptionStore {
  /** team + subscription id → its channel, so a change to one subscription does not scan them all. */
  private channelOf = new Map<string, string>();
  /** team + channel → the claim session holding it. */
  private readonly claims = new Map<string, EmbeddedClaims>();
  private document!: JsonDocument<SubscriptionData>;

  constructor(private readonly onClose: () => void = () => {}) {}

  /** Starts over the document (the constructor cannot: the document needs `reindex` first). */
  use(document: JsonDocument<SubscriptionData>): this {
    this.document = document;
    this.reindex();
    return this;
  }

  async close(): Promise<void> {
    await this.document.settle();
    this.onClose();
  }

  async inTeam(team: string): Promise<Subscription[]> {
    const channels = this.document.data.teams[team]?.channels ?? {};
    return copy(Object.values(channels).flatMap((record) => record.subscriptions)).sort(byAge);
  }

  async inChannel(where: ChannelRef): Promise<Subscription[]> {
    return copy(this.record(where)?.subscriptions ?? []).sort(byAge);
  }

  async get(team: string, id: string): Promise<Subscription | undefined> {
    const found = this.locate(this.document.data, team, id);
    return found ? structuredClone(found.record.subscriptions[found.index]) : undefined;
  }

  async postedIn(where: ChannelRef): Promise<Readonly<Record<string, string>>> {
    return { ...this.record(where)?.posted };
  }

  async feedbackIn(where: ChannelRef): Promise<Readonly<Record<string, Vote>>> {
    return { ...this.record(where)?.feedback };
  }

  recordFeedback(where: ChannelRef, paperId: string, vote: Vote): Promise<void> {
    return this.document.change((data) => {
      ensure(data, where).feedback[paperId] = vote;
    });
  }

  forgetFeedback(where: ChannelRef): Promise<number> {
    return this.document.change((data) => {
      const record = data.teams[where.team]?.channels[where.channel];
      const forgotten = Object.keys(record?.feedback ?? {}).length;
      if (record) record.feedback = {};
      return forgotten;
    });
  }

  add(subscription: Subscription): Promise<void> {
    return this.document.change((data) => {
      if (this.locate(data, subscription.team, subscription.id)) throw duplicateSubscription(subscription);
      ensure(data, subscription).subscriptions.push(structuredClone(subscription));
      this.channelOf.set(keyOf(subscription.team, subscription.id), subscription.channel);
    });
  }

  update(
    team: string,
    id: string,
    change: (subscription: Subscription) => Subscription,
  ): Promise<Subscription | undefined> {
    return this.document.change((data) => {
      const found = this.locate(data, team, id);
      if (!found) return undefined;
      const current = found.record.subscriptions[found.index] as Subscription;
      // The key and the place stay: a change cannot move a subscription to another workspace.
      const updated = { ...change(structuredClone(current)), team, id, channel: current.channel };
      found.record.subscriptions[found.index] = updated;
      return structuredClone(updated);
    });
  }

  remove(team: string, id: string): Promise<Subscription | undefined> {
    return this.document.change((data) => {
      const found = this.locate(data, team, id);
      if (!found) return undefined;
      this.channelOf.delete(keyOf(team, id));
      return found.record.subscriptions.splice(found.index, 1)[0];
    });
  }

  recordRun(key: SubscriptionKey, run: RunRecord): Promise<void> {
    return this.recordRuns([{ key, run }]);
  }

  recordRuns(runs: ReadonlyArray<{ key: SubscriptionKey; run: RunRecord }>): Promise<void> {
    if (runs.length === 0) return Promise.resolve();
    return this.document.change((data) => {
      for (const { key, run } of runs) {
        const found = this.locate(data, key.team, key.id);
        if (!found) continue;
        const { record, index } = found;
        record.subscriptions[index] = applyRun(record.subscriptions[index] as Subscription, run);
        const at = run.at.toISOString();
        for (const paperId of run.postedPaperIds) {
          // Own keys only: a paper whose id is "constructor" must still be recorded.
          if (!Object.hasOwn(record.posted, paperId)) record.posted[paperId] = at;
        }
      }
    });
  }

  pauseTeam(team: string, reason: string, at: Date): Promise<number> {
    return this.document.change((data) => {
      let paused = 0;
      for (const record of Object.values(data.teams[team]?.channels ?? {})) {
        record.subscriptions = record.subscriptions.map((s) => {
          if (s.state.status !== 'active') return s;
          paused++;
          return { ...s, state: { status: 'paused', reason, since: at.toISOString() } };
        });
      }
      return paused;
    });
  }

  async openClaims(): Promise<DigestClaims> {
    return new EmbeddedClaims(this);
  }

  claimDue(session: EmbeddedClaims, now: Date, limit: number): ClaimedChannel[] {
    const instant = now.toISOString();
    const claimed: ClaimedChannel[] = [];
    for (const [team, { channels }] of Object.entries(this.document.data.teams)) {
      for (const [channel, record] of Object.entries(channels)) {
        if (claimed.length >= limit) return claimed;
        const due = record.subscriptions.filter((s) => s.state.status === 'active' && s.nextRunAt <= instant);
        if (due.length === 0 || !this.take(session, { team, channel })) continue;
        claimed.push(claimedChannel({ team, channel }, record, due));
      }
    }
    return claimed;
  }

  claimChannel(session: EmbeddedClaims, where: ChannelRef): ClaimedChannel | undefined {
    if (!this.take(session, where)) return undefined;
    const record = this.record(where);
    return claimedChannel(where, record, record?.subscriptions ?? []);
  }

  markPending(session: EmbeddedClaims, key: SubscriptionKey, pending: PendingRun): Promise<boolean> {
    return this.document.change((data) => {
      const found = this.locate(data, key.team, key.id);
      const channel = found?.record.subscriptions[found.index]?.channel;
      if (!found || session.lost || this.claims.get(keyOf(key.team, channel ?? '')) !== session) return false;
      const subscription = found.record.subscriptions[found.index] as Subscription;
      found.record.subscriptions[found.index] = { ...subscription, pendingRun: pending };
      return true;
    });
  }

  release(session: EmbeddedClaims, channels: readonly ChannelRef[]): void {
    for (const where of channels) {
      const key = keyOf(where.team, where.channel);
      if (this.claims.get(key) === session) this.claims.delete(key);
    }
  }

  releaseAll(session: EmbeddedClaims): void {
    for (const [key, holder] of this.claims) if (holder === session) this.claims.delete(key);
  }

  /** Claims a channel for `session` unless a live session (this one included) holds it. */
  private take(session: EmbeddedClaims, where: ChannelRef): boolean {
    if (session.lost) return false;
    const key = keyOf(where.team, where.channel);
    const holder = this.claims.get(key);
    if (holder && !holder.lost) return false;
    this.claims.set(key, session);
    return true;
  }

  private record(where: ChannelRef): ChannelRecord | undefined {
    return this.document.data.teams[where.team]?.channels[where.channel];
  }

  private locate(
    data: SubscriptionData,
    team: string,
    id: string,
  ): { record: ChannelRecord; index: number } | undefined {
    const channel = this.channelOf.get(keyOf(team, id));
    const record = channel === undefined ? undefined : data.teams[team]?.channels[channel];
    const index = record?.subscriptions.findIndex((s) => s.id === id) ?? -1;
    return record && index !== -1 ? { record, index } : undefined;
  }

  reindex(): void {
    this.channelOf = new Map(
      Object.entries(this.document.data.teams).flatMap(([team, { channels }]) =>
        Object.entries(channels).flatMap(([channel, record]) =>
          record.subscriptions.map((s) => [keyOf(team, s.id), channel] as const),
        ),
      ),
    );
  }
}

function copy(subscriptions: Subscription[]): Subscription[] {
  return subscriptions.map((s) => structuredClone(s));
}

function ensure(data: SubscriptionData, where: ChannelRef): ChannelRecord {
  data.teams[where.team] ??= { channels: {} };
  const { channels } = data.teams[where.team] as { channels: Record<string, ChannelRecord> };
  channels[where.channel] ??= { subscriptions: [], posted: {}, feedback: {} };
  return channels[where.channel] as ChannelRecord;
}

function claimedChannel(
  where: ChannelRef,
  record: ChannelRecord | undefined,
  subscriptions: Subscription[],
): ClaimedChannel {
  return {
    team: where.team,
    channel: where.channel,
    subscriptions: copy(subscriptions).sort(byAge),
    posted: { ...record?.posted },
    feedback: { ...record?.feedback },
  };
}

/** An in-memory store (tests, and the console when nothing should reach disk). */
export function createMemoryStore(data: SubscriptionData = emptyData()): SubscriptionStore {
  const store = new DataStore();
  return store.use(memoryDocument(structuredClone(data), () => store.reindex()));
}

/** How to open the lowdb file. */
export interface LowdbStoreOptions {
  /**
   * The workspace a file of the first format (no workspaces) belongs to: the one the bot's token is
   * for. Without it such a file is refused, with what to do.
   */
  legacyTeam?: string;
}

// One lowdb instance per file and process: two would share steno's temporary file and lose writes.
const openStores = new Map<string, Promise<SubscriptionStore>>();

/**
 * Opens the lowdb JSON file of subscriptions (created on the first write). The file is validated;
 * a corrupt or invalid one stops the load with a message that names it, and is never written.
 * A valid file is copied to `<file>.bak` first: the last good copy to restore from.
 */
export function openLowdbStore(file: string, options: LowdbStoreOptions = {}): Promise<SubscriptionStore> {
  const path = resolve(file);
  let store = openStores.get(path);
  if (!store) {
    store = loadLowdbStore(path, options);
    openStores.set(path, store);
    store.catch(() => openStores.delete(path));
  }
  return store;
}

async function loadLowdbStore(file: string, options: LowdbStoreOptions): Promise<SubscriptionStore> {
  const store = new DataStore(() => openStores.delete(file));
  const document = await openJsonFile(
    file,
    {
      what: 'subscriptions',
      empty: emptyData,
      parse: (json) => parseSubscriptionData(json, options.legacyTeam),
    },
    () => store.reindex(),
  );
  return store.use(document);
}

/** The data of a subscriptions file (upgrading the first format), or the first problem found. */
function parseSubscriptionData(
  json: unknown,
  legacyTeam: string | undefined,
): { data: SubscriptionData } | { problem: string } {
  const problem = (error: { issues: Array<{ path: PropertyKey[]; message: string }> }) => {
    const issue = error.issues[0];
    return { problem: `${issue?.path.join('.') || 'top level'}: ${issue?.message}` };
  };
  if ((json as { version?: unknown } | null)?.version === 1) {
    const parsed = SubscriptionDataV1.safeParse(json);
    if (!parsed.success) return problem(parsed.error);
    if (legacyTeam === undefined) {
      return {
        problem:
          'it was written by paperbot 0.1, before workspaces; start paperbot once with the SLACK_BOT_TOKEN of ' +
          'its workspace to adopt it',
      };
    }
    return { data: upgradeV1(parsed.data, legacyTeam) };
  }
  const parsed = SubscriptionData.safeParse(json);
  return parsed.success ? { data: parsed.data } : problem(parsed.error);
}
