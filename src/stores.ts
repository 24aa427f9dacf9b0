import { access, constants } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Config } from './config.js';
import { Database } from './db/database.js';
import { PostgresDiscussionStore } from './discussions/postgresStore.js';
import { type DiscussionStore, openLowdbDiscussionStore } from './discussions/store.js';
import { PostgresInstallationStore } from './installations/postgresStore.js';
import { type InstallationStore, openLowdbInstallationStore } from './installations/store.js';
import type { Logger } from './logger.js';
import { type CitationStore, openLowdbCitationStore } from './papers/citations.js';
import { PostgresCitationStore } from './papers/postgresCitationStore.js';
import {
  openLowdbReadBudget,
  PostgresReadBudget,
  READ_INTERVAL_MS,
  type ReadBudget,
  TIER3_READ_INTERVAL_MS,
} from './slack/readBudget.js';
import { MemorySeenEvents, PostgresSeenEvents, type SeenEvents } from './slack/seenEvents.js';
import { PostgresSubscriptionStore } from './subscriptions/postgresStore.js';
import { openLowdbStore, type SubscriptionStore } from './subscriptions/store.js';

/** The stores a paperbot process works with, and where they are. */
export interface Stores {
  subscriptions: SubscriptionStore;
  /** The workspaces' memory: where papers were shared and discussed, and the follow-ups told. */
  discussions: DiscussionStore;
  /** Citation counts from Semantic Scholar, and the papers to ask it about. */
  citations: CitationStore;
  /** The Slack events handled already (retries are answered once). */
  seenEvents: SeenEvents;
  /** When each workspace may next read history / replies (one budget for every feature and replica). */
  readBudget: ReadBudget;
  /** Installations (OAuth only). */
  installations?: InstallationStore;
  /** The database the stores are in, when there is one (the corpus is there too). */
  database?: Database;
  /** Where the state lives, for the start-up log. */
  where: string;
  /** Resolves when the state can be reached (a query, or the files' folder writable); for /readyz. */
  check(): Promise<void>;
  /** Waits for the writes under way, then closes. */
  close(): Promise<void>;
}

/**
 * Opens the state: PostgreSQL when `PAPERBOT_DATABASE_URL` is set (migrated on the way, shared by
 * every replica), else the lowdb files of the data directory.
 */
export async function openStores(
  config: Pick<Config, 'databaseUrl' | 'subscriptionsFile' | 'installationsFile'> &
    Partial<Pick<Config, 'slackApp'>>,
  options: {
    /** Opens the installations too (OAuth). */
    installations: boolean;
    /** The workspace a subscriptions file of paperbot 0.1 belongs to (see openLowdbStore). */
    legacyTeam?: string;
  },
  logger: Logger,
): Promise<Stores> {
  const readInterval = config.slackApp === 'internal' ? TIER3_READ_INTERVAL_MS : READ_INTERVAL_MS;
  if (config.databaseUrl) {
    const db = await Database.open(config.databaseUrl, { logger });
    return {
      subscriptions: new PostgresSubscriptionStore(db),
      discussions: new PostgresDiscussionStore(db),
      citations: new PostgresCitationStore(db),
      seenEvents: new PostgresSeenEvents(db),
      readBudget: new PostgresReadBudget(db, readInterval),
      ...(options.installations ? { installations: new PostgresInstallationStore(db) } : {}),
      database: db,
      where: `PostgreSQL ${db.where}`,
      check: async () => {
        await db.query('SELECT 1').catch((error: Error) => {
          throw new Error(`PostgreSQL does not answer (${error.message})`);
        });
      },
      close: () => db.close(),
    };
  }
  const subscriptions = await openLowdbStore(
    config.subscriptionsFile,
    options.legacyTeam ? { legacyTeam: options.legacyTeam } : {},
  );
  const installations = options.installations
    ? await openLowdbInstallationStore(config.installationsFile)
    : undefined;
  const discussionsFile = discussionsFileBeside(config.subscriptionsFile);
  const discussions = await openLowdbDiscussionStore(discussionsFile);
  const readBudget = await openLowdbReadBudget(
    join(dirname(config.subscriptionsFile), 'read-budget.json'),
    readInterval,
  );
  const citations = await openLowdbCitationStore(join(dirname(config.subscriptionsFile), 'citations.json'));
  return {
    subscriptions,
    discussions,
    citations,
    seenEvents: new MemorySeenEvents(),
    readBudget,
    ...(installations ? { installations } : {}),
    where: installations
      ? `${config.subscriptionsFile} and ${config.installationsFile}`
      : config.subscriptionsFile,
    check: async () => {
      await access(dirname(config.subscriptionsFile), constants.W_OK).catch((error: Error) => {
        throw new Error(`the subscriptions file cannot be written (${error.message})`);
      });
    },
    close: async () => {
      await subscriptions.close();
      await discussions.close();
      await readBudget.close();
      await citations.close();
      await installations?.close();
    },
  };
}

/** The lowdb file of the workspaces' memory: `discussions.json` beside the subscriptions file. */
export function discussionsFileBeside(subscriptionsFile: string): string {
  return join(dirname(subscriptionsFile), 'discussions.json');
}
