import type { Paper } from '../papers/paper.js';
import { type News, newsKey, type Sighting } from './discussion.js';
import type { DiscussionStore } from './store.js';
import { type Viewer, visibleTo } from './teamMemory.js';

/** The periods a recap covers. */
export const RECAP_PERIODS = ['day', 'week', 'month'] as const;
export type RecapPeriod = (typeof RECAP_PERIODS)[number];

const PERIOD_DAYS: Record<RecapPeriod, number> = { day: 1, week: 7, month: 30 };

/** Papers a recap lists at most, as discussed, and as news. */
export const RECAP_PAPERS = 10;
export const RECAP_NEWS = 8;

/** A paper the workspace discussed in the period: how much, and where (the liveliest threads first). */
export interface RecapPaper {
  paper: Paper;
  /** Threads it came up in. */
  threads: number;
  /** Replies in those threads, as last read. */
  replies: number;
  /** Times someone brought it up: a link, a shared card, a question to paperbot. */
  shares: number;
  /** 👍 on it in the channel the recap is for. */
  votes: number;
  /** Its threads the viewer can see, most replies first (at most three). */
  where: Sighting[];
}

/** A paper that got code or a new arXiv version in the period (told in a thread the viewer can see). */
export interface RecapNews {
  paper: Paper;
  news: News[];
}

/** What a workspace discussed in a period, as one viewer may know it. */
export interface Recap {
  period: RecapPeriod;
  since: string;
  until: string;
  discussed: RecapPaper[];
  news: RecapNews[];
}

/** What a recap reads. */
export interface RecapSources {
  store: DiscussionStore;
  paper(id: string): Promise<Paper | undefined>;
}

/** How far back a recap of `period` reads. */
export function recapSince(period: RecapPeriod, now: Date): Date {
  return new Date(now.getTime() - PERIOD_DAYS[period] * 86_400_000);
}

/**
 * The papers the workspace discussed most in the period, where `viewer` can see (their channel,
 * and the channels they can see: never a private channel from elsewhere), most activity first:
 * replies, plus two for each time someone brought it up and each 👍 in `votes` (the viewer's
 * channel's). A digest that nobody answered is not a discussion. Then the papers whose threads
 * heard of code or a new version in the period.
 */
export async function recapOf(
  sources: RecapSources,
  team: string,
  viewer: Viewer,
  period: RecapPeriod,
  now: Date,
  votes: Readonly<Record<string, 'like' | 'dislike'>> = {},
): Promise<Recap> {
  const since = recapSince(period, now);
  const [sightings, followUps] = await Promise.all([
    sources.store.inWorkspace(team, { since: since.toISOString() }),
    sources.store.followUpsIn(team),
  ]);
  const visible = await visibleTo(sightings, viewer);
  const byPaper = new Map<string, Map<string, Sighting>>();
  const shares = new Map<string, number>();
  for (const s of visible) {
    if (s.kind !== 'digest') shares.set(s.paperId, (shares.get(s.paperId) ?? 0) + 1);
    const threads = byPaper.get(s.paperId) ?? new Map<string, Sighting>();
    const key = `${s.channel}\u0000${s.threadTs}`;
    const known = threads.get(key);
    if (!known || (s.replyCount ?? 0) > (known.replyCount ?? 0)) threads.set(key, s);
    byPaper.set(s.paperId, threads);
  }
  const ranked = [...byPaper.entries()]
    .map(([paperId, threads]) => {
      const where = [...threads.values()].sort((a, b) => (b.replyCount ?? 0) - (a.replyCount ?? 0));
      const replies = where.reduce((sum, s) => sum + (s.replyCount ?? 0), 0);
      const brought = shares.get(paperId) ?? 0;
      const liked = Object.hasOwn(votes, paperId) && votes[paperId] === 'like' ? 1 : 0;
      const newest = Math.max(...where.map((s) => Date.parse(s.at)));
      return { paperId, where, replies, brought, liked, score: replies + 2 * brought + 2 * liked, newest };
    })
    .filter((entry) => entry.score > 0)
    .sort((a, b) => b.score - a.score || b.newest - a.newest);
  const discussed: RecapPaper[] = [];
  for (const entry of ranked) {
    if (discussed.length >= RECAP_PAPERS) break;
    const paper = await sources.paper(entry.paperId);
    if (!paper) continue;
    discussed.push({
      paper,
      threads: entry.where.length,
      replies: entry.replies,
      shares: entry.brought,
      votes: entry.liked,
      where: entry.where.slice(0, 3),
    });
  }
  return {
    period,
    since: since.toISOString(),
    until: now.toISOString(),
    discussed,
    news: await newsOf(sources, followUps, viewer, since),
  };
}

/** Code and new versions told (posted) in the period in threads the viewer can see, newest first. */
async function newsOf(
  sources: RecapSources,
  followUps: Awaited<ReturnType<DiscussionStore['followUpsIn']>>,
  viewer: Viewer,
  since: Date,
): Promise<RecapNews[]> {
  const told = followUps
    .filter(
      (f) =>
        f.status === 'posted' &&
        (f.news.kind === 'code' || f.news.kind === 'version') &&
        Date.parse(f.startedAt) >= since.getTime(),
    )
    .sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt));
  const byPaper = new Map<string, Map<string, News>>();
  for (const f of await visibleTo(told, viewer)) {
    const news = byPaper.get(f.paperId) ?? new Map<string, News>();
    news.set(newsKey(f.news), f.news);
    byPaper.set(f.paperId, news);
  }
  const result: RecapNews[] = [];
  for (const [paperId, news] of byPaper) {
    if (result.length >= RECAP_NEWS) break;
    const paper = await sources.paper(paperId);
    if (paper) result.push({ paper, news: [...news.values()] });
  }
  return result;
}
