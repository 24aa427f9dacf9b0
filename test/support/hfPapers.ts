import type { Paper } from '../../src/papers/paper.js';
import { papersFromHfItems } from '../../src/papers/sources/hfDaily.js';
import { hfDays } from './fakeSources.js';

/** The instant the recorded Hugging Face days end (the last day is 2026-08-21): "now" for trending. */
export const HF_NOW = '2026-08-21T12:00:00Z';

/**
 * Real Hugging Face daily papers (the last `days` days of the replay file, parsed as the bot
 * parses them: summaries, keywords, upvotes, authors), each once, the latest version kept.
 */
export function recentHfPapers(days = 7): Paper[] {
  const papers = new Map<string, Paper>();
  for (const day of hfDays(days))
    for (const paper of papersFromHfItems(day.items, `${day.date}T06:00:00.000Z`).papers)
      papers.set(paper.id, paper);
  return [...papers.values()];
}
