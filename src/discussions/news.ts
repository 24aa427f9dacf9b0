import type { Paper } from '../papers/paper.js';
import type { News } from './discussion.js';

/** Hugging Face upvotes worth telling a thread about, when a paper passes them. */
export const UPVOTE_THRESHOLDS: readonly number[] = [50, 100, 250, 500, 1000];

/**
 * What a merge brought that a thread about the paper would want to hear: each code repository it
 * did not have, a higher arXiv version than it had, and the highest upvote threshold it passed.
 * Pure; empty when nothing newsworthy changed.
 */
export function newsOf(before: Paper, after: Paper): News[] {
  const news: News[] = [];
  const known = new Set(before.links.code);
  for (const url of after.links.code) if (!known.has(url)) news.push({ kind: 'code', url });
  if (after.arxivVersion !== undefined && after.arxivVersion > (before.arxivVersion ?? 1))
    news.push({ kind: 'version', version: after.arxivVersion });
  const from = before.upvotes ?? 0;
  const to = after.upvotes ?? 0;
  const passed = UPVOTE_THRESHOLDS.filter((t) => from < t && t <= to).at(-1);
  if (passed !== undefined) news.push({ kind: 'upvotes', threshold: passed, upvotes: to });
  return news;
}
