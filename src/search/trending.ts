import type { PaperSearch, SearchHit } from './paperSearch.js';
import { paperQuery } from './query.js';

/** The periods `/paper trending` knows. */
export const TRENDING_PERIODS = ['today', 'week'] as const;
export type TrendingPeriod = (typeof TRENDING_PERIODS)[number];

/**
 * Calendar days (UTC) a period reaches back, today included. "Today" takes yesterday too: arXiv
 * dates a paper by its submission, and Hugging Face lists the papers arXiv announced the day before.
 */
const PERIOD_DAYS: Record<TrendingPeriod, number> = { today: 2, week: 7 };

/**
 * Papers of the period read to rank them by upvotes: every paper published in it (about 200 a day
 * at the rate of the real daily-arXiv set), with room to spare; beyond this, the newest.
 */
const CANDIDATES = 5000;

/** The most upvoted papers of a period, and what they were chosen from. */
export interface Trending {
  hits: SearchHit[];
  /** The first day of the period (`YYYY-MM-DD`). */
  since: string;
  /** Papers of the period with upvotes (the hits are the first of them). */
  upvoted: number;
  /**
   * Set when the period asked for had no paper with upvotes and the hits are of the latest period
   * that has some instead (a corpus that is not being refreshed): the day that period ends on.
   */
  latestDay?: string;
}

/** The first day (UTC) of a period that ends on `now`'s day. */
export function periodStart(period: TrendingPeriod, now: Date): string {
  const start = new Date(now.getTime() - (PERIOD_DAYS[period] - 1) * 86_400_000);
  return start.toISOString().slice(0, 10);
}

/**
 * The papers published in the period (by their publication day, so a paper the corpus learnt late
 * still counts in its week) that have Hugging Face upvotes, most upvoted first (ties: newer first),
 * at most `limit`, none of `excludeIds`. Upvotes are what the sources said when the paper was last
 * read (the hourly Hugging Face refresh updates them). `patient` waits for a busy index (digests).
 */
export async function trendingPapers(
  index: PaperSearch,
  period: TrendingPeriod,
  now: Date,
  options: { limit: number; excludeIds?: Iterable<string>; patient?: boolean; orLatest?: boolean },
): Promise<Trending> {
  const found = await trendingSince(index, period, now, options);
  if (found.upvoted > 0 || !options.orLatest) return found;
  // Nothing that recent: the same period, ending on the newest day that has upvoted papers.
  const latestDay = await newestUpvotedDay(index, found.since, options.patient);
  if (!latestDay) return found;
  const latest = await trendingSince(index, period, new Date(`${latestDay}T12:00:00Z`), options, true);
  return { ...latest, latestDay };
}

/** Papers published before `day` read to find the newest day with upvotes (newest first). */
const LOOK_BACK = 500;

/** The publication day of the newest paper with upvotes published before `day`, if any. */
async function newestUpvotedDay(
  index: PaperSearch,
  day: string,
  patient?: boolean,
): Promise<string | undefined> {
  const query = paperQuery({ before: day });
  const { hits } = await index.search(query, { limit: LOOK_BACK, ...(patient ? { patient: true } : {}) });
  return hits.find((hit) => (hit.paper.upvotes ?? 0) > 0 && hit.paper.published)?.paper.published;
}

async function trendingSince(
  index: PaperSearch,
  period: TrendingPeriod,
  now: Date,
  options: { limit: number; excludeIds?: Iterable<string>; patient?: boolean },
  endsOnNow = false,
): Promise<Trending> {
  const since = periodStart(period, now);
  const query = paperQuery({
    after: since,
    // A past period ends on its last day; the current one takes whatever is dated after today too.
    ...(endsOnNow ? { before: new Date(now.getTime() + 86_400_000).toISOString().slice(0, 10) } : {}),
  });
  const { hits } = await index.search(query, {
    limit: CANDIDATES,
    ...(options.excludeIds ? { excludeIds: [...options.excludeIds] } : {}),
    ...(options.patient ? { patient: true } : {}),
  });
  const upvoted = hits
    .filter((hit) => (hit.paper.upvotes ?? 0) > 0)
    .sort(
      (a, b) =>
        (b.paper.upvotes ?? 0) - (a.paper.upvotes ?? 0) ||
        (b.paper.published ?? '').localeCompare(a.paper.published ?? '') ||
        a.paper.id.localeCompare(b.paper.id),
    );
  return { hits: upvoted.slice(0, options.limit), since, upvoted: upvoted.length };
}
