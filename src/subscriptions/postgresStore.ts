import type { Database, Session } from '../db/database.js';
import { LOCK_CLASS } from '../db/locks.js';
import {
  type ClaimedChannel,
  type DigestClaims,
  duplicateSubscription,
  type PendingRun,
  type RunRecord,
  type SubscriptionKey,
  type SubscriptionStore,
} from './store.js';
import { type ChannelRef, Subscription, Vote } from './subscription.js';

/** A row of `subscriptions`, as node-postgres returns it (timestamps as Dates). */
interface SubscriptionRow {
  team_id: string;
  id: string;
  enterprise_id: string | null;
  channel_id: string;
  topic: string;
  cadence: string;
  run_time: string;
  time_zone: string;
  created_by: string;
  created_at: Date;
  status: string;
  paused_reason: string | null;
  paused_since: Date | null;
  last_run_at: Date | null;
  papers_since: Date | null;
  pending_run: PendingRun | null;
  refusal_count: number | null;
  refusal_error: string | null;
  last_post_at: Date | null;
  next_run_at: Date;
  strictness: string | null;
}

const COLUMNS =
  'team_id, id, enterprise_id, channel_id, topic, cadence, run_time, time_zone, created_by, created_at, status, ' +
  'paused_reason, paused_since, last_run_at, papers_since, pending_run, refusal_count, refusal_error, ' +
  'last_post_at, next_run_at, strictness';

const iso = (date: Date | null) => (date === null ? undefined : date.toISOString());

/** A row as a Subscription, validated like every record that enters paperbot. */
function fromRow(row: SubscriptionRow): Subscription {
  return Subscription.parse({
    id: row.id,
    team: row.team_id,
    enterprise: row.enterprise_id ?? undefined,
    channel: row.channel_id,
    topic: row.topic,
    schedule: { cadence: row.cadence, time: row.run_time, tz: row.time_zone },
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    state:
      row.status === 'paused'
        ? { status: 'paused', reason: row.paused_reason, since: iso(row.paused_since) }
        : { status: 'active' },
    lastRunAt: iso(row.last_run_at),
    papersSince: iso(row.papers_since),
    pendingRun: row.pending_run ?? undefined,
    refusals:
      row.refusal_count === null ? undefined : { count: row.refusal_count, error: row.refusal_error ?? '' },
    lastPostAt: iso(row.last_post_at),
    nextRunAt: row.next_run_at.toISOString(),
    strictness: row.strictness ?? undefined,
  });
}

/** A subscription's values in {@link COLUMNS} order. */
function toRow(s: Subscription): unknown[] {
  const paused = s.state.status === 'paused' ? s.state : undefined;
  return [
    s.team,
    s.id,
    s.enterprise ?? null,
    s.channel,
    s.topic,
    s.schedule.cadence,
    s.schedule.time,
    s.schedule.tz,
    s.createdBy,
    s.createdAt,
    s.state.status,
    paused?.reason ?? null,
    paused?.since ?? null,
    s.lastRunAt ?? null,
    s.papersSince ?? null,
    s.pendingRun ? JSON.stringify(s.pendingRun) : null,
    s.refusals?.count ?? null,
    s.refusals?.error ?? null,
    s.lastPostAt ?? null,
    s.nextRunAt,
    s.strictness ?? null,
  ];
}

const PLACEHOLDERS = COLUMNS.split(', ')
  .map((_, i) => `$${i + 1}`)
  .join(', ');

/**
 * A channel's claim is free (for the session whose key is `$me`) when nobody holds it, or its
 * holder's session has ended: then nobody holds the advisory lock of its key, and a shared lock on
 * it is granted (held until this statement's transaction ends). The test is a function call on the
 * row itself, so it is made again when PostgreSQL rechecks a row another replica claimed meanwhile;
 * a list of live keys read at the statement's start would miss a replica that started since. A
 * session's own key is never free to it (its own lock would not stop it).
 */
function free(me: string): string {
  return `(c.claimed_by IS NULL OR (c.claimed_by <> ${me} AND pg_try_advisory_xact_lock_shared(${LOCK_CLASS.claims}, c.claimed_by)))`;
}

/** How much older than a digest's window a posted entry is still read (clocks of replicas disagree). */
const LEDGER_MARGIN_MS = 24 * 3600 * 1000;

/**
 * The subscriptions of every workspace in PostgreSQL: what several replicas share. Each read is a
 * query (no cache to go stale behind another replica's writes); each write is one statement (or
 * one transaction), so a crash applies it whole or not at all.
 */
export class PostgresSubscriptionStore implements SubscriptionStore {
  constructor(private readonly db: Database) {}

  async inTeam(team: string): Promise<Subscription[]> {
    return this.select('WHERE team_id = $1 ORDER BY created_at, seq', [team]);
  }

  async inChannel(where: ChannelRef): Promise<Subscription[]> {
    return this.select('WHERE team_id = $1 AND channel_id = $2 ORDER BY created_at, seq', [
      where.team,
      where.channel,
    ]);
  }

  async get(team: string, id: string): Promise<Subscription | undefined> {
    return (await this.select('WHERE team_id = $1 AND id = $2', [team, id]))[0];
  }

  async postedIn(where: ChannelRef): Promise<Readonly<Record<string, string>>> {
    const { rows } = await this.db.query<{ paper_id: string; posted_at: Date }>(
      'SELECT paper_id, posted_at FROM posted WHERE team_id = $1 AND channel_id = $2',
      [where.team, where.channel],
    );
    return Object.fromEntries(rows.map((row) => [row.paper_id, row.posted_at.toISOString()]));
  }

  async feedbackIn(where: ChannelRef): Promise<Readonly<Record<string, Vote>>> {
    const { rows } = await this.db.query<{ paper_id: string; vote: string }>(
      'SELECT paper_id, vote FROM feedback WHERE team_id = $1 AND channel_id = $2',
      [where.team, where.channel],
    );
    return Object.fromEntries(rows.map((row) => [row.paper_id, Vote.parse(row.vote)]));
  }

  async add(subscription: Subscription): Promise<void> {
    try {
      await this.db.query(
        `WITH channel AS (INSERT INTO channels (team_id, channel_id) VALUES ($1, $4) ON CONFLICT DO NOTHING)
         INSERT INTO subscriptions (${COLUMNS}) VALUES (${PLACEHOLDERS})`,
        toRow(subscription),
      );
    } catch (error) {
      if ((error as { code?: string }).code === '23505') throw duplicateSubscription(subscription);
      throw error;
    }
  }

  update(
    team: string,
    id: string,
    change: (subscription: Subscription) => Subscription,
  ): Promise<Subscription | undefined> {
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<SubscriptionRow>(
        `SELECT ${COLUMNS} FROM subscriptions WHERE team_id = $1 AND id = $2 FOR UPDATE`,
        [team, id],
      );
      const current = rows[0] ? fromRow(rows[0]) : undefined;
      if (!current) return undefined;
      // The key and the place stay: a change cannot move a subscription to another workspace.
      const updated = Subscription.parse({ ...change(current), team, id, channel: current.channel });
      const values = toRow(updated);
      const assignments = COLUMNS.split(', ')
        .map((column, i) => `${column} = $${i + 1}`)
        .slice(4) // team_id, id, enterprise_id, channel_id stay
        .join(', ');
      await tx.query(
        `UPDATE subscriptions SET enterprise_id = $3, ${assignments} WHERE team_id = $1 AND id = $2 AND channel_id = $4`,
        values,
      );
      return updated;
    });
  }

  async remove(team: string, id: string): Promise<Subscription | undefined> {
    const { rows } = await this.db.query<SubscriptionRow>(
      `DELETE FROM subscriptions WHERE team_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
      [team, id],
    );
    return rows[0] ? fromRow(rows[0]) : undefined;
  }

  async recordRun(key: SubscriptionKey, run: RunRecord): Promise<void> {
    // One statement: the run and the papers it posted are stored together or not at all.
    await this.db.query(
      `WITH updated AS (
         UPDATE subscriptions SET last_run_at = $3, papers_since = $4, next_run_at = $5,
           pending_run = NULL, refusal_count = NULL, refusal_error = NULL,
           last_post_at = CASE WHEN cardinality($6::text[]) > 0 THEN $3 ELSE last_post_at END
         WHERE team_id = $1 AND id = $2
         RETURNING team_id, channel_id)
       INSERT INTO posted (team_id, channel_id, paper_id, posted_at)
       SELECT updated.team_id, updated.channel_id, paper_id, $3 FROM updated, unnest($6::text[]) AS paper_id
       ON CONFLICT DO NOTHING`,
      [key.team, key.id, run.at, run.papersSince, run.nextRunAt, run.postedPaperIds],
    );
  }

  async recordRuns(runs: ReadonlyArray<{ key: SubscriptionKey; run: RunRecord }>): Promise<void> {
    const quiet = runs.filter(({ run }) => run.postedPaperIds.length === 0);
    for (const { key, run } of runs) if (run.postedPaperIds.length > 0) await this.recordRun(key, run);
    if (quiet.length === 0) return;
    await this.db.query(
      `UPDATE subscriptions s SET last_run_at = r.at, papers_since = r.since, next_run_at = r.next,
         pending_run = NULL, refusal_count = NULL, refusal_error = NULL
       FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[], $5::timestamptz[])
         AS r(team_id, id, at, since, next)
       WHERE s.team_id = r.team_id AND s.id = r.id`,
      [
        quiet.map(({ key }) => key.team),
        quiet.map(({ key }) => key.id),
        quiet.map(({ run }) => run.at),
        quiet.map(({ run }) => run.papersSince),
        quiet.map(({ run }) => run.nextRunAt),
      ],
    );
  }

  async recordFeedback(where: ChannelRef, paperId: string, vote: Vote): Promise<void> {
    await this.db.query(
      `WITH channel AS (INSERT INTO channels (team_id, channel_id) VALUES ($1, $2) ON CONFLICT DO NOTHING)
       INSERT INTO feedback (team_id, channel_id, paper_id, vote) VALUES ($1, $2, $3, $4)
       ON CONFLICT (team_id, channel_id, paper_id) DO UPDATE SET vote = EXCLUDED.vote, voted_at = now()`,
      [where.team, where.channel, paperId, vote],
    );
  }

  async forgetFeedback(where: ChannelRef): Promise<number> {
    const { rowCount } = await this.db.query('DELETE FROM feedback WHERE team_id = $1 AND channel_id = $2', [
      where.team,
      where.channel,
    ]);
    return rowCount ?? 0;
  }

  async pauseTeam(team: string, reason: string, at: Date): Promise<number> {
    const { rowCount } = await this.db.query(
      `UPDATE subscriptions SET status = 'paused', paused_reason = $2, paused_since = $3
       WHERE team_id = $1 AND status = 'active'`,
      [team, reason, at],
    );
    return rowCount ?? 0;
  }

  openClaims(): Promise<DigestClaims> {
    return PostgresClaims.open(this.db, (where, rows) => this.ledgers(where, rows));
  }

  /** The subscriptions, posted ledgers and votes of claimed channels (three queries, at once). */
  private async ledgers(channels: ChannelRef[], due: { now: Date } | 'all'): Promise<ClaimedChannel[]> {
    const teams = channels.map((c) => c.team);
    const ids = channels.map((c) => c.channel);
    const claimed = `unnest($1::text[], $2::text[]) AS claimed(team_id, channel_id)`;
    const subscriptions = await this.select(
      `JOIN ${claimed} USING (team_id, channel_id)
       ${due === 'all' ? '' : `WHERE status = 'active' AND next_run_at <= $3`}
       ORDER BY created_at, seq`,
      due === 'all' ? [teams, ids] : [teams, ids, due.now],
    );
    const byChannel = new Map<string, Subscription[]>(channels.map((c) => [`${c.team}/${c.channel}`, []]));
    for (const s of subscriptions) byChannel.get(`${s.team}/${s.channel}`)?.push(s);
    // Only the ledger a digest can need: what was posted after its earliest window opened (a paper
    // is posted after it arrived), less a margin; all of it when a digest is a channel's first.
    const since = channels.map((c) => {
      const windows = (byChannel.get(`${c.team}/${c.channel}`) ?? []).map((s) => s.papersSince);
      // (No due subscription left, removed since the claim: no digest, any ledger will do.)
      if (due === 'all' || windows.length === 0 || windows.some((w) => w === undefined)) return null;
      const earliest = (windows as string[]).sort()[0] as string; // ISO instants sort as text
      return new Date(new Date(earliest).getTime() - LEDGER_MARGIN_MS);
    });
    const [posted, feedback] = await Promise.all([
      this.db.query<{ team_id: string; channel_id: string; paper_id: string; posted_at: Date }>(
        `SELECT p.team_id, p.channel_id, p.paper_id, p.posted_at FROM posted p
         JOIN unnest($1::text[], $2::text[], $3::timestamptz[]) AS w(team_id, channel_id, since)
           USING (team_id, channel_id)
         WHERE w.since IS NULL OR p.posted_at > w.since`,
        [teams, ids, since],
      ),
      this.db.query<{ team_id: string; channel_id: string; paper_id: string; vote: string }>(
        `SELECT team_id, channel_id, paper_id, vote FROM feedback JOIN ${claimed} USING (team_id, channel_id)`,
        [teams, ids],
      ),
    ]);
    const result = new Map<string, ClaimedChannel>(
      channels.map((c) => [
        `${c.team}/${c.channel}`,
        {
          team: c.team,
          channel: c.channel,
          subscriptions: byChannel.get(`${c.team}/${c.channel}`) ?? [],
          posted: {},
          feedback: {},
        },
      ]),
    );
    for (const row of posted.rows) {
      const channel = result.get(`${row.team_id}/${row.channel_id}`);
      if (channel) channel.posted[row.paper_id] = row.posted_at.toISOString();
    }
    for (const row of feedback.rows) {
      const channel = result.get(`${row.team_id}/${row.channel_id}`);
      if (channel) channel.feedback[row.paper_id] = Vote.parse(row.vote);
    }
    return [...result.values()];
  }

  private async select(clause: string, params: unknown[]): Promise<Subscription[]> {
    const { rows } = await this.db.query<SubscriptionRow>(
      `SELECT ${COLUMNS} FROM subscriptions ${clause}`,
      params,
    );
    return rows.map(fromRow);
  }

  /** Nothing to wait for: every write resolved when it was stored. (The database is closed by its owner.) */
  async close(): Promise<void> {}
}

/**
 * A replica's claims in PostgreSQL. The session holds, for its whole life, an advisory lock keyed
 * by its claim key; a channel is claimed by writing that key into its row. A claim counts while
 * its key's lock is held (see {@link free}): when the replica dies, its connection drops, the
 * server releases the lock, and every channel it claimed is free for the next claimDue, at once,
 * with no lease to wait out and no clock to trust. A replica that is only slow keeps its claims.
 * Claims run on the session's own connection, and markPending checks that the session still holds
 * its key, so a session that is gone can neither claim nor mark a digest pending.
 */
class PostgresClaims implements DigestClaims {
  private constructor(
    private readonly db: Database,
    private readonly session: Session,
    private readonly key: number,
    private readonly load: (channels: ChannelRef[], due: { now: Date } | 'all') => Promise<ClaimedChannel[]>,
  ) {}

  static async open(
    db: Database,
    load: (channels: ChannelRef[], due: { now: Date } | 'all') => Promise<ClaimedChannel[]>,
  ): Promise<PostgresClaims> {
    const session = await db.session('paperbot claims');
    try {
      const { rows } = await session.query<{ key: number }>(
        `SELECT k.key, pg_advisory_lock(${LOCK_CLASS.claims}, k.key)
         FROM (SELECT nextval('claim_keys')::integer AS key) k`,
      );
      return new PostgresClaims(db, session, rows[0]?.key as number, load);
    } catch (error) {
      await session.close();
      throw error;
    }
  }

  get lost(): boolean {
    return this.session.lost;
  }

  async claimDue(now: Date, limit: number): Promise<ClaimedChannel[]> {
    if (this.lost) return [];
    const { rows } = await this.session.query<{ team_id: string; channel_id: string }>(
      `WITH candidates AS (
         SELECT c.team_id, c.channel_id FROM channels c
         WHERE ${free('$3')}
           AND (c.team_id, c.channel_id) IN (
             SELECT s.team_id, s.channel_id FROM subscriptions s WHERE s.status = 'active' AND s.next_run_at <= $1)
         LIMIT $2
         -- NO KEY: a digest being recorded holds its channel's row for its foreign keys (KEY SHARE).
         FOR NO KEY UPDATE OF c SKIP LOCKED)
       UPDATE channels c SET claimed_by = $3 FROM candidates
       WHERE c.team_id = candidates.team_id AND c.channel_id = candidates.channel_id
       RETURNING c.team_id, c.channel_id`,
      [now, limit, this.key],
    );
    if (rows.length === 0) return [];
    // Read after the claim committed (a statement of its own): whatever the channels' last holder
    // recorded before it died or released them is visible.
    return this.load(
      rows.map((row) => ({ team: row.team_id, channel: row.channel_id })),
      { now },
    );
  }

  async claimChannel(where: ChannelRef): Promise<ClaimedChannel | undefined> {
    if (this.lost) return undefined;
    const { rows } = await this.session.query(
      `INSERT INTO channels AS c (team_id, channel_id, claimed_by) VALUES ($1, $2, $3)
       ON CONFLICT (team_id, channel_id) DO UPDATE SET claimed_by = EXCLUDED.claimed_by WHERE ${free('$3')}
       RETURNING c.team_id`,
      [where.team, where.channel, this.key],
    );
    if (rows.length === 0) return undefined;
    return (await this.load([where], 'all'))[0];
  }

  async markPending(key: SubscriptionKey, pending: PendingRun): Promise<boolean> {
    if (this.lost) return false;
    // On the pool, not the session, so that the replica's digests mark in parallel: the statement
    // checks itself that the channel is this session's and that the session still holds its key
    // (a shared lock on the key is refused while it does).
    const { rowCount } = await this.db.query(
      `UPDATE subscriptions s SET pending_run = $3 FROM channels c
       WHERE s.team_id = $1 AND s.id = $2
         AND c.team_id = s.team_id AND c.channel_id = s.channel_id AND c.claimed_by = $4
         AND NOT pg_try_advisory_xact_lock_shared(${LOCK_CLASS.claims}, $4)`,
      [key.team, key.id, JSON.stringify(pending), this.key],
    );
    return rowCount === 1;
  }

  async release(channels: readonly ChannelRef[]): Promise<void> {
    if (channels.length === 0 || this.lost) return;
    await this.db.query(
      `UPDATE channels c SET claimed_by = NULL
       FROM unnest($2::text[], $3::text[]) AS r(team_id, channel_id)
       WHERE c.claimed_by = $1 AND c.team_id = r.team_id AND c.channel_id = r.channel_id`,
      [this.key, channels.map((c) => c.team), channels.map((c) => c.channel)],
    );
  }

  async close(): Promise<void> {
    if (!this.lost) {
      await this.db
        .query('UPDATE channels SET claimed_by = NULL WHERE claimed_by = $1', [this.key])
        .catch(() => undefined);
    }
    await this.session.close();
  }
}
