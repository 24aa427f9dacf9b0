import type { Config } from './config.js';
import { Database } from './db/database.js';
import { PostgresInstallationStore } from './installations/postgresStore.js';
import { type InstallationStore, openLowdbInstallationStore } from './installations/store.js';
import type { Logger } from './logger.js';
import { PostgresSubscriptionStore } from './subscriptions/postgresStore.js';
import { openLowdbStore, type SubscriptionStore } from './subscriptions/store.js';

/** The stores a paperbot process works with, and where they are. */
export interface Stores {
  subscriptions: SubscriptionStore;
  /** Installations (OAuth only). */
  installations?: InstallationStore;
  /** The database the stores are in, when there is one (the corpus is there too). */
  database?: Database;
  /** Where the state lives, for the start-up log. */
  where: string;
  close(): Promise<void>;
}

/**
 * Opens the state: PostgreSQL when `PAPERBOT_DATABASE_URL` is set (migrated on the way, shared by
 * every replica), else the lowdb files of the data directory.
 */
export async function openStores(
  config: Pick<Config, 'databaseUrl' | 'subscriptionsFile' | 'installationsFile'>,
  options: {
    /** Opens the installations too (OAuth). */
    installations: boolean;
    /** The workspace a subscriptions file of paperbot 0.1 belongs to (see openLowdbStore). */
    legacyTeam?: string;
  },
  logger: Logger,
): Promise<Stores> {
  if (config.databaseUrl) {
    const db = await Database.open(config.databaseUrl, { logger });
    return {
      subscriptions: new PostgresSubscriptionStore(db),
      ...(options.installations ? { installations: new PostgresInstallationStore(db) } : {}),
      database: db,
      where: `PostgreSQL ${db.where}`,
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
  return {
    subscriptions,
    ...(installations ? { installations } : {}),
    where: installations
      ? `${config.subscriptionsFile} and ${config.installationsFile}`
      : config.subscriptionsFile,
    close: async () => {
      await subscriptions.close();
      await installations?.close();
    },
  };
}
