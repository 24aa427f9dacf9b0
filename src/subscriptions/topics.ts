import { parseQuery } from '../search/query.js';
import type { TrendingPeriod } from '../search/trending.js';
import type { Schedule } from './schedule.js';
import type { Subscription } from './subscription.js';

/** The most papers a "top N trending" subscription posts per digest. */
export const MAX_TRENDING = 10;
/** What `/paper subscribe trending` alone posts per digest. */
export const DEFAULT_TRENDING = 5;

const TRENDING_TOPIC = /^(?:top\s+(\d{1,3})\s+)?trending$/i;

/**
 * The size of a "top N trending" subscription (`trending`, `top 5 trending`: the papers of the
 * period with the most upvotes instead of a topic's matches), or undefined for a topic. The topic
 * is stored as `top N trending`, so every store keeps it as it keeps any topic.
 */
export function trendingCount(topic: string): number | undefined {
  const match = TRENDING_TOPIC.exec(topic.trim());
  if (!match) return undefined;
  return match[1] === undefined ? DEFAULT_TRENDING : Number(match[1]);
}

/** The stored topic of a trending subscription of `count` papers. */
export function trendingTopic(count: number): string {
  return `top ${count} trending`;
}

/** The period a trending digest ranks: the last week for a weekly one, the last day otherwise. */
export function trendingPeriod(schedule: Pick<Schedule, 'cadence'>): TrendingPeriod {
  return schedule.cadence === 'weekly' ? 'week' : 'today';
}

/** The stored topic of a recap subscription: what the workspace discussed, not a topic's papers. */
export const RECAP_TOPIC = 'recap';

/** Whether a topic is a recap (`recap`, any case). */
export function isRecapTopic(topic: string): boolean {
  return topic.trim().toLowerCase() === RECAP_TOPIC;
}

/** The period a recap digest covers: the last week for a weekly one, the last day otherwise. */
export function recapPeriod(schedule: Pick<Schedule, 'cadence'>): 'week' | 'day' {
  return schedule.cadence === 'weekly' ? 'week' : 'day';
}

/**
 * The authors a channel follows: the `author:` filters of its subscriptions' topics (lower-case,
 * as the query parser keeps them; `author:"yann lecun"` alone, or with topic words), each once.
 */
export function followedAuthors(subscriptions: Iterable<Pick<Subscription, 'topic'>>): string[] {
  const authors = new Set<string>();
  for (const { topic } of subscriptions)
    for (const author of parseQuery(topic).query.authors) authors.add(author);
  return [...authors];
}
