import { access, copyFile, mkdir, readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { DataFile } from 'lowdb/node';
import { PaperbotError } from '../errors.js';
import { type ChannelRecord, emptyData, type Subscription, SubscriptionData } from './subscription.js';

/** A channel's verdict on a paper in its digest. */
export type Vote = 'like' | 'dislike';

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

/**
 * Where subscriptions live. Reads are synchronous (the data is in memory); every write resolves
 * only once the change is stored, so "Subscribed" is never said about something a crash loses.
 */
export interface SubscriptionStore {
  all(): Subscription[];
  inChannel(channel: string): Subscription[];
  get(id: string): Subscription | undefined;
  /** Ids of papers already posted in a channel, with when. */
  postedIn(channel: string): Readonly<Record<string, string>>;
  add(subscription: Subscription): Promise<void>;
  /** Applies `change` to one subscription; resolves to the stored result, or undefined for an unknown id. */
  update(id: string, change: (subscription: Subscription) => Subscription): Promise<Subscription | undefined>;
  remove(id: string): Promise<Subscription | undefined>;
  recordRun(id: string, run: RunRecord): Promise<void>;
  /** Records several runs in one write (runs that posted nothing, batched by the scheduler). */
  recordRuns(runs: Array<{ id: string; run: RunRecord }>): Promise<void>;
  /** The channel's 👍 / 👎 votes on papers. */
  feedbackIn(channel: string): Readonly<Record<string, Vote>>;
  /** Records a vote (a later vote on the same paper replaces it). */
  recordFeedback(channel: string, paperId: string, vote: Vote): Promise<void>;
  /** Waits for pending writes and releases the file (a later open reads it afresh). */
  close(): Promise<void>;
}

/** How a {@link DataStore} keeps its data: store a new version, read back the last stored one. */
interface Persistence {
  persist(data: SubscriptionData): Promise<void>;
  /** The last version persisted (used to undo a change whose write failed). */
  reload(): Promise<SubscriptionData>;
  close(): void;
}

/**
 * The one implementation of {@link SubscriptionStore}: the data in memory plus a
 * {@link Persistence}. Changes are serialised through a queue, applied in place and persisted; when
 * persisting fails the data is reloaded from the last stored version, so a failed write changes
 * nothing. (Copying the data for every change instead would cost O(subscriptions) per write.)
 */
class DataStore implements SubscriptionStore {
  private queue: Promise<unknown> = Promise.resolve();
  /** Subscription id → its channel, so a change to one subscription does not scan them all. */
  private channelOf = new Map<string, string>();

  constructor(
    private data: SubscriptionData,
    private readonly persistence: Persistence,
  ) {
    this.reindex();
  }

  async close(): Promise<void> {
    await this.queue;
    this.persistence.close();
  }

  all(): Subscription[] {
    return Object.values(this.data.channels).flatMap((channel) => channel.subscriptions);
  }

  inChannel(channel: string): Subscription[] {
    return this.data.channels[channel]?.subscriptions ?? [];
  }

  get(id: string): Subscription | undefined {
    const channel = this.channelOf.get(id);
    return channel === undefined ? undefined : this.inChannel(channel).find((s) => s.id === id);
  }

  postedIn(channel: string): Readonly<Record<string, string>> {
    return this.data.channels[channel]?.posted ?? {};
  }

  feedbackIn(channel: string): Readonly<Record<string, Vote>> {
    return this.data.channels[channel]?.feedback ?? {};
  }

  recordFeedback(channel: string, paperId: string, vote: Vote): Promise<void> {
    return this.change((data) => {
      data.channels[channel] ??= { subscriptions: [], posted: {}, feedback: {} };
      const record = data.channels[channel] as ChannelRecord;
      record.feedback ??= {};
      record.feedback[paperId] = vote;
    });
  }

  add(subscription: Subscription): Promise<void> {
    return this.change((data) => {
      data.channels[subscription.channel] ??= { subscriptions: [], posted: {}, feedback: {} };
      data.channels[subscription.channel]?.subscriptions.push(subscription);
      this.channelOf.set(subscription.id, subscription.channel);
    });
  }

  update(
    id: string,
    change: (subscription: Subscription) => Subscription,
  ): Promise<Subscription | undefined> {
    return this.change((data) => {
      const found = this.locate(data, id);
      if (!found) return undefined;
      const updated = change(found.channel.subscriptions[found.index] as Subscription);
      found.channel.subscriptions[found.index] = updated;
      return updated;
    });
  }

  remove(id: string): Promise<Subscription | undefined> {
    return this.change((data) => {
      const found = this.locate(data, id);
      if (!found) return undefined;
      this.channelOf.delete(id);
      return found.channel.subscriptions.splice(found.index, 1)[0];
    });
  }

  recordRun(id: string, run: RunRecord): Promise<void> {
    return this.recordRuns([{ id, run }]);
  }

  recordRuns(runs: Array<{ id: string; run: RunRecord }>): Promise<void> {
    if (runs.length === 0) return Promise.resolve();
    return this.change((data) => {
      for (const { id, run } of runs) {
        const found = this.locate(data, id);
        if (!found) continue;
        const subscription = found.channel.subscriptions[found.index] as Subscription;
        const at = run.at.toISOString();
        subscription.lastRunAt = at;
        subscription.papersSince = run.papersSince;
        delete subscription.pendingRun; // confirmed: nothing left to check
        delete subscription.refusals; // Slack accepted this run's digest, or there was none to refuse
        subscription.nextRunAt = run.nextRunAt.toISOString();
        if (run.postedPaperIds.length > 0) subscription.lastPostAt = at;
        for (const paperId of run.postedPaperIds) {
          // Own keys only: a paper whose id is "constructor" must still be recorded.
          if (!Object.hasOwn(found.channel.posted, paperId)) found.channel.posted[paperId] = at;
        }
      }
    });
  }

  private locate(data: SubscriptionData, id: string): { channel: ChannelRecord; index: number } | undefined {
    const channelId = this.channelOf.get(id);
    const channel = channelId === undefined ? undefined : data.channels[channelId];
    const index = channel?.subscriptions.findIndex((s) => s.id === id) ?? -1;
    return channel && index !== -1 ? { channel, index } : undefined;
  }

  private reindex(): void {
    this.channelOf = new Map(
      Object.entries(this.data.channels).flatMap(([channel, record]) =>
        record.subscriptions.map((s) => [s.id, channel] as const),
      ),
    );
  }

  private change<T>(apply: (data: SubscriptionData) => T): Promise<T> {
    const next = this.queue.then(async () => {
      const result = apply(this.data);
      try {
        await this.persistence.persist(this.data);
      } catch (error) {
        this.data = await this.persistence.reload();
        this.reindex();
        throw error;
      }
      return result;
    });
    this.queue = next.catch(() => undefined); // one failed write must not block the ones after it
    return next;
  }
}

/** An in-memory store (tests, and the console when nothing should reach disk). */
export function createMemoryStore(data: SubscriptionData = emptyData()): SubscriptionStore {
  return new DataStore(structuredClone(data), {
    persist: async () => {},
    reload: async () => {
      throw new Error('an in-memory store never fails to persist');
    },
    close: () => {},
  });
}

// One lowdb instance per file and process: two would share steno's temporary file and lose writes.
const openStores = new Map<string, Promise<SubscriptionStore>>();

/**
 * Opens the lowdb JSON file of subscriptions (created on the first write). The file is validated;
 * a corrupt or invalid one stops the load with a message that names it, and is never written.
 * A valid file is copied to `<file>.bak` first: the last good copy to restore from.
 */
export function openLowdbStore(file: string): Promise<SubscriptionStore> {
  const path = resolve(file);
  let store = openStores.get(path);
  if (!store) {
    store = loadLowdbStore(path);
    openStores.set(path, store);
    store.catch(() => openStores.delete(path));
  }
  return store;
}

async function loadLowdbStore(file: string): Promise<SubscriptionStore> {
  await mkdir(dirname(file), { recursive: true });
  // The text of the last write that succeeded: a change whose write failed is undone from it,
  // without reading the disk. `stringify` records what is being written; `persist` keeps it once
  // the write resolved (the store's queue runs one write at a time).
  let written = JSON.stringify(emptyData());
  let writing = written;
  const dataFile = new DataFile<SubscriptionData>(file, {
    parse: (text) => SubscriptionData.parse(JSON.parse(text)),
    stringify: (data) => {
      writing = JSON.stringify(data, null, 2);
      return writing;
    },
  });
  let data = emptyData();
  // Read here rather than with dataFile.read(): errors must name the file and the way back.
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw storeError(file, `cannot be read (${error.message})`, false);
  });
  if (text !== undefined) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw storeError(file, `is not valid JSON (${(error as Error).message})`, await exists(`${file}.bak`));
    }
    const parsed = SubscriptionData.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.join('.') || 'top level';
      throw storeError(
        file,
        `is not a paperbot subscriptions file (${where}: ${issue?.message})`,
        await exists(`${file}.bak`),
      );
    }
    data = parsed.data;
    written = text;
    await copyFile(file, `${file}.bak`);
  }
  return new DataStore(data, {
    persist: async (next) => {
      await dataFile.write(next);
      written = writing;
    },
    reload: async () => JSON.parse(written) as SubscriptionData,
    close: () => openStores.delete(file),
  });
}

function storeError(file: string, problem: string, hasBackup: boolean): PaperbotError {
  const restore = hasBackup ? `To restore the last good copy: cp ${file}.bak ${file}\n` : '';
  return new PaperbotError(
    'paperbot_store_error',
    `The subscriptions file ${file} ${problem}. paperbot left it untouched and did not start.\n${restore}` +
      `To start with no subscriptions: mv ${file} ${file}.broken`,
  );
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}
