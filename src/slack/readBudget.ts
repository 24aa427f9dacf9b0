import { resolve } from 'node:path';
import { z } from 'zod';
import type { Database } from '../db/database.js';
import { type JsonDocument, memoryDocument, openJsonFile } from '../jsonFile.js';

/** The Web API reads Slack limits to one request a minute for distributed, non-Marketplace apps. */
export type ReadMethod = 'conversations.history' | 'conversations.replies';

/**
 * One read of each method per workspace per this interval: Tier 1, what Slack allows a
 * distributed app that is not in the Marketplace. It is correct for every kind of install (an
 * internal or Marketplace app's Tier 3 allows far more), and the default.
 */
export const READ_INTERVAL_MS = 60_000;

/**
 * The interval for an internal (customer-built) or Marketplace app, whose Tier 3 allows 50 reads
 * a minute: after a crash with many digests unconfirmed in one workspace, they are checked in
 * seconds rather than one a minute (PAPERBOT_SLACK_APP=internal).
 */
export const TIER3_READ_INTERVAL_MS = 60_000 / 50;

/** The most messages one read asks for: Tier 1's largest (and default) `limit`. */
export const READ_LIMIT = 15;

/**
 * The read budget of every workspace, shared by every feature and every replica: a read of
 * conversations.history or conversations.replies is made only by whoever took the method's
 * minute, so paperbot never sends Slack a read it would refuse, and nothing waits for one.
 */
export interface ReadBudget {
  /**
   * Takes the workspace's read of `method` when it is free at `now` (the last one taken a minute
   * ago or more, and no Retry-After pending): true when the caller may make one request now.
   */
  take(team: string, method: ReadMethod, now: Date): Promise<boolean>;
  /** Slack answered 429 anyway (another app's clock, a manual call): no read before `until`. */
  holdUntil(team: string, method: ReadMethod, until: Date): Promise<void>;
  close(): Promise<void>;
}

/** When each workspace's reads are free again: team → method → ISO time. */
const BudgetData = z.object({
  version: z.literal(1),
  teams: z.record(z.string(), z.record(z.string(), z.string().datetime())),
});
type BudgetData = z.infer<typeof BudgetData>;

const emptyBudget = (): BudgetData => ({ version: 1, teams: {} });

/** The budget in a JSON document (memory, or a lowdb file: one process). */
class EmbeddedReadBudget implements ReadBudget {
  constructor(
    private readonly document: JsonDocument<BudgetData>,
    private readonly intervalMs: number,
    private readonly onClose: () => void = () => {},
  ) {}

  take(team: string, method: ReadMethod, now: Date): Promise<boolean> {
    return this.document.change((data) => {
      const next = data.teams[team]?.[method];
      if (next !== undefined && Date.parse(next) > now.getTime()) return false;
      data.teams[team] = {
        ...data.teams[team],
        [method]: new Date(now.getTime() + this.intervalMs).toISOString(),
      };
      return true;
    });
  }

  async holdUntil(team: string, method: ReadMethod, until: Date): Promise<void> {
    await this.document.change((data) => {
      const next = data.teams[team]?.[method];
      if (next !== undefined && Date.parse(next) >= until.getTime()) return;
      data.teams[team] = { ...data.teams[team], [method]: until.toISOString() };
    });
  }

  async close(): Promise<void> {
    await this.document.settle();
    this.onClose();
  }
}

/** The budget of one process, in memory (tests, the console, a single bot without a data file). */
export function createMemoryReadBudget(intervalMs = READ_INTERVAL_MS): ReadBudget {
  return new EmbeddedReadBudget(memoryDocument(emptyBudget()), intervalMs);
}

// One lowdb instance per file and process (two would share steno's temporary file and lose writes).
const openFiles = new Map<string, Promise<ReadBudget>>();

/**
 * The budget in a lowdb file (one process; it survives a restart within the minute), created on
 * the first write; a corrupt file stops the load with a message naming it.
 */
export function openLowdbReadBudget(file: string, intervalMs = READ_INTERVAL_MS): Promise<ReadBudget> {
  const path = resolve(file);
  let budget = openFiles.get(path);
  if (!budget) {
    budget = openJsonFile<BudgetData>(path, {
      what: 'read budget',
      empty: emptyBudget,
      parse: (json) => {
        const parsed = BudgetData.safeParse(json);
        if (parsed.success) return { data: parsed.data };
        const issue = parsed.error.issues[0];
        return { problem: `${issue?.path.join('.') || 'top level'}: ${issue?.message}` };
      },
    }).then((document) => new EmbeddedReadBudget(document, intervalMs, () => openFiles.delete(path)));
    openFiles.set(path, budget);
    budget.catch(() => openFiles.delete(path));
  }
  return budget;
}

/** The budget every replica shares, in the `read_budget` table (migration 6): one row per workspace and method. */
export class PostgresReadBudget implements ReadBudget {
  constructor(
    private readonly db: Database,
    private readonly intervalMs = READ_INTERVAL_MS,
  ) {}

  async take(team: string, method: ReadMethod, now: Date): Promise<boolean> {
    // One statement: of two replicas taking the same minute, the row lock lets one through.
    const taken = await this.db.query(
      `INSERT INTO read_budget (team_id, method, next_at) VALUES ($1, $2, $3)
       ON CONFLICT (team_id, method) DO UPDATE SET next_at = EXCLUDED.next_at
       WHERE read_budget.next_at <= $4`,
      [team, method, new Date(now.getTime() + this.intervalMs), now],
    );
    return taken.rowCount === 1;
  }

  async holdUntil(team: string, method: ReadMethod, until: Date): Promise<void> {
    await this.db.query(
      `INSERT INTO read_budget (team_id, method, next_at) VALUES ($1, $2, $3)
       ON CONFLICT (team_id, method) DO UPDATE SET next_at = GREATEST(read_budget.next_at, EXCLUDED.next_at)`,
      [team, method, until],
    );
  }

  async close(): Promise<void> {}
}
