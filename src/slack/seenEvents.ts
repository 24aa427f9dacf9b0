import type { Database } from '../db/database.js';
import type { Logger } from '../logger.js';
import { RecentIds } from './recentIds.js';

/**
 * Which Slack events were handled already, so that a retry (same `event_id`) is answered once.
 * One process remembers them in memory; replicas share them in PostgreSQL, since Slack's retry of
 * an event one replica was slow to acknowledge may reach another.
 */
export interface SeenEvents {
  /** Records the event and says whether this is its first sighting (false: a retry). */
  firstSighting(team: string, eventId: string): Promise<boolean>;
}

/** The events one process saw in the last hour (at most 10,000). */
export class MemorySeenEvents implements SeenEvents {
  private readonly ids = new RecentIds();

  async firstSighting(_team: string, eventId: string): Promise<boolean> {
    return !this.ids.checkAndRemember(eventId);
  }
}

/** Rows deleted once every this many events: the table holds about an hour of events. */
const PRUNE_EVERY = 500;

/** The events every replica saw, in the `seen_events` table (migration 5). */
export class PostgresSeenEvents implements SeenEvents {
  private sightings = 0;

  constructor(private readonly db: Database) {}

  async firstSighting(team: string, eventId: string): Promise<boolean> {
    const inserted = await this.db.query(
      'INSERT INTO seen_events (event_id, team_id) VALUES ($1, $2) ON CONFLICT (event_id) DO NOTHING',
      [eventId, team],
    );
    if (++this.sightings % PRUNE_EVERY === 0)
      await this.db.query("DELETE FROM seen_events WHERE seen_at < now() - interval '1 hour'");
    return inserted.rowCount === 1;
  }
}

/**
 * Whether the event is a retry of one handled already. When the store cannot say (the database
 * is unreachable), the event is handled: answering a retry twice is better than answering nothing.
 */
export async function isRetry(
  seen: SeenEvents,
  team: string,
  eventId: string,
  logger: Logger,
): Promise<boolean> {
  try {
    return !(await seen.firstSighting(team, eventId));
  } catch (error) {
    logger.warn(`Could not record event ${eventId} as seen; handling it anyway:`, error);
    return false;
  }
}
