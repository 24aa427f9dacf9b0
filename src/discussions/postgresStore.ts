import type { Database } from '../db/database.js';
import { FollowUp, Sighting } from './discussion.js';
import {
  type ChannelRef,
  type DiscussionStore,
  type FollowUpKey,
  type SightingFilter,
  WORKSPACE_SIGHTINGS,
} from './store.js';

interface SightingRow {
  team_id: string;
  enterprise_id: string | null;
  channel_id: string;
  ts: string;
  paper_id: string;
  thread_ts: string;
  kind: string;
  user_id: string | null;
  at: Date;
  reply_count: number | null;
  permalink: string | null;
}

interface FollowUpRow {
  team_id: string;
  enterprise_id: string | null;
  key: string;
  channel_id: string;
  thread_ts: string;
  paper_id: string;
  news: unknown;
  status: string;
  started_at: Date;
  reason: string | null;
}

const SIGHTING_COLUMNS =
  'team_id, channel_id, ts, paper_id, thread_ts, kind, user_id, at, reply_count, permalink, enterprise_id';
const FOLLOW_UP_COLUMNS =
  'team_id, key, channel_id, thread_ts, paper_id, news, status, started_at, reason, enterprise_id';

function sightingOf(row: SightingRow): Sighting {
  return Sighting.parse({
    team: row.team_id,
    enterprise: row.enterprise_id ?? undefined,
    channel: row.channel_id,
    ts: row.ts,
    paperId: row.paper_id,
    threadTs: row.thread_ts,
    kind: row.kind,
    user: row.user_id ?? undefined,
    at: row.at.toISOString(),
    replyCount: row.reply_count ?? undefined,
    permalink: row.permalink ?? undefined,
  });
}

function followUpOf(row: FollowUpRow): FollowUp {
  return FollowUp.parse({
    team: row.team_id,
    enterprise: row.enterprise_id ?? undefined,
    key: row.key,
    channel: row.channel_id,
    threadTs: row.thread_ts,
    paperId: row.paper_id,
    news: row.news,
    status: row.status,
    startedAt: row.started_at.toISOString(),
    reason: row.reason ?? undefined,
  });
}

/**
 * The workspaces' memory in PostgreSQL, shared by every replica. Claiming a follow-up is an insert
 * that only one replica's can win (its primary key), so a follow-up is posted by one of them.
 */
export class PostgresDiscussionStore implements DiscussionStore {
  constructor(private readonly db: Database) {}

  async record(sightings: readonly Sighting[]): Promise<void> {
    if (sightings.length === 0) return;
    const column = <K extends keyof Sighting>(key: K) => sightings.map((s) => s[key] ?? null);
    await this.db.query(
      `INSERT INTO sightings (${SIGHTING_COLUMNS})
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                            $7::text[], $8::timestamptz[], $9::integer[], $10::text[], $11::text[])
       ON CONFLICT (team_id, channel_id, ts, paper_id) DO UPDATE SET
         reply_count = COALESCE(EXCLUDED.reply_count, sightings.reply_count),
         permalink = COALESCE(EXCLUDED.permalink, sightings.permalink)`,
      [
        column('team'),
        column('channel'),
        column('ts'),
        column('paperId'),
        column('threadTs'),
        column('kind'),
        column('user'),
        column('at'),
        column('replyCount'),
        column('permalink'),
        column('enterprise'),
      ],
    );
  }

  async ofPaper(team: string, paperId: string, limit = 20): Promise<Sighting[]> {
    const { rows } = await this.db.query<SightingRow>(
      `SELECT ${SIGHTING_COLUMNS} FROM sightings WHERE team_id = $1 AND paper_id = $2
       ORDER BY at DESC, ts::numeric DESC LIMIT $3`,
      [team, paperId, limit],
    );
    return rows.map(sightingOf);
  }

  async linkedIn(where: ChannelRef): Promise<string[]> {
    const { rows } = await this.db.query<{ paper_id: string }>(
      `SELECT DISTINCT paper_id FROM sightings
       WHERE team_id = $1 AND channel_id = $2 AND kind IN ('link', 'share')`,
      [where.team, where.channel],
    );
    return rows.map((row) => row.paper_id);
  }

  async threadsOf(paperIds: readonly string[]): Promise<Sighting[]> {
    if (paperIds.length === 0) return [];
    const { rows } = await this.db.query<SightingRow>(
      `SELECT ${SIGHTING_COLUMNS} FROM sightings WHERE paper_id = ANY($1::text[])`,
      [paperIds],
    );
    return rows.map(sightingOf);
  }

  async papersInThread(where: ChannelRef, threadTs: string, limit = 10): Promise<string[]> {
    // The thread's sightings (index sightings_by_thread), each paper at its newest.
    const { rows } = await this.db.query<{ paper_id: string }>(
      `SELECT paper_id FROM sightings WHERE team_id = $1 AND channel_id = $2 AND thread_ts = $3
       GROUP BY paper_id ORDER BY max(at) DESC, max(ts::numeric) DESC LIMIT $4`,
      [where.team, where.channel, threadTs, limit],
    );
    return rows.map((row) => row.paper_id);
  }

  async inWorkspace(team: string, filter: SightingFilter): Promise<Sighting[]> {
    const [condition, value] =
      'paperIds' in filter
        ? ['paper_id = ANY($2::text[])', [...filter.paperIds]]
        : ['at >= $2::timestamptz', filter.since];
    const { rows } = await this.db.query<SightingRow>(
      `SELECT ${SIGHTING_COLUMNS} FROM sightings WHERE team_id = $1 AND ${condition}
       ORDER BY at DESC, ts::numeric DESC LIMIT $3`,
      [team, value, filter.limit ?? WORKSPACE_SIGHTINGS],
    );
    return rows.map(sightingOf);
  }

  async unname(team: string, user: string): Promise<void> {
    await this.db.query(
      'INSERT INTO unnamed_people (team_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING',
      [team, user],
    );
  }

  async unnamed(team: string): Promise<string[]> {
    const { rows } = await this.db.query<{ user_id: string }>(
      'SELECT user_id FROM unnamed_people WHERE team_id = $1 ORDER BY user_id',
      [team],
    );
    return rows.map((row) => row.user_id);
  }

  async setReplyCount(where: ChannelRef, threadTs: string, replyCount: number): Promise<void> {
    await this.db.query(
      'UPDATE sightings SET reply_count = $4 WHERE team_id = $1 AND channel_id = $2 AND thread_ts = $3',
      [where.team, where.channel, threadTs, replyCount],
    );
  }

  async claimFollowUp(f: FollowUp): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `INSERT INTO follow_ups (${FOLLOW_UP_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT DO NOTHING`,
      [
        f.team,
        f.key,
        f.channel,
        f.threadTs,
        f.paperId,
        JSON.stringify(f.news),
        f.status,
        f.startedAt,
        f.reason ?? null,
        f.enterprise ?? null,
      ],
    );
    return rowCount === 1;
  }

  async stalePending(before: Date): Promise<FollowUp[]> {
    const { rows } = await this.db.query<FollowUpRow>(
      `SELECT ${FOLLOW_UP_COLUMNS} FROM follow_ups WHERE status = 'pending' AND started_at < $1`,
      [before],
    );
    return rows.map(followUpOf);
  }

  async retake(key: FollowUpKey, startedAt: string, now: Date): Promise<boolean> {
    // Compare-and-set on the start: of two replicas taking over the same follow-up, one wins.
    const { rowCount } = await this.db.query(
      `UPDATE follow_ups SET started_at = $4
       WHERE team_id = $1 AND key = $2 AND status = 'pending' AND started_at = $3`,
      [key.team, key.key, startedAt, now],
    );
    return rowCount === 1;
  }

  async finish(key: FollowUpKey, status: 'posted' | 'skipped', reason?: string): Promise<void> {
    await this.db.query(
      'UPDATE follow_ups SET status = $3, reason = COALESCE($4, reason) WHERE team_id = $1 AND key = $2',
      [key.team, key.key, status, reason?.slice(0, 100) ?? null],
    );
  }

  async followUpsIn(team: string): Promise<FollowUp[]> {
    const { rows } = await this.db.query<FollowUpRow>(
      `SELECT ${FOLLOW_UP_COLUMNS} FROM follow_ups WHERE team_id = $1 ORDER BY started_at, key`,
      [team],
    );
    return rows.map(followUpOf);
  }

  /** The database is closed by its owner. */
  async close(): Promise<void> {}
}
