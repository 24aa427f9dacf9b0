import type { Config } from '../config.js';
import type { PaperSink } from './ingest.js';
import type { Paper } from './paper.js';
import type { RefreshSource } from './refresher.js';
import { ArxivClient, type ArxivOptions } from './sources/arxivApi.js';
import { fetchHfDay } from './sources/hfDaily.js';
import type { FetchOptions, SourceBatch } from './sources/http.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const isoDay = (instant: Date) => instant.toISOString().slice(0, 10);

/** Concatenates batches. */
function joined(batches: SourceBatch[]): SourceBatch {
  return { papers: batches.flatMap((b) => b.papers), skipped: batches.flatMap((b) => b.skipped) };
}

/**
 * The sources the configuration turns on: the Hugging Face daily papers of yesterday and today
 * (today's list grows during the day; yesterday's catches late additions), and the newest papers
 * of the configured arXiv categories.
 */
export function configuredSources(
  sources: Config['sources'],
  options: FetchOptions & ArxivOptions = {},
): RefreshSource[] {
  const configured: RefreshSource[] = [];
  if (sources.hfSchedule) {
    configured.push({
      name: 'Hugging Face daily papers',
      schedule: sources.hfSchedule,
      read: async (now) => {
        const arrivedAt = now.toISOString();
        const yesterday = await fetchHfDay(
          sources.hfApiUrl,
          isoDay(new Date(now.getTime() - DAY_MS)),
          arrivedAt,
          options,
        );
        const today = await fetchHfDay(sources.hfApiUrl, isoDay(now), arrivedAt, options);
        return joined([yesterday, today]);
      },
    });
  }
  if (sources.arxivSchedule && sources.arxivCategories.length > 0) {
    const client = new ArxivClient(sources.arxivApiUrl, options);
    configured.push({
      name: `arXiv ${sources.arxivCategories.join(', ')}`,
      schedule: sources.arxivSchedule,
      read: async (now) => {
        const batches: SourceBatch[] = [];
        for (const category of sources.arxivCategories) {
          batches.push(await client.newest(category, sources.arxivMax, now.toISOString()));
        }
        return joined(batches);
      },
    });
  }
  return configured;
}

/**
 * Fetches one paper by arXiv id from the arXiv API and adds it to the corpus (for link previews
 * of papers not in the corpus yet); resolves to the paper as stored.
 */
export function arxivPaperFetcher(
  library: PaperSink,
  sources: Config['sources'],
  now: () => Date,
  options: FetchOptions & ArxivOptions = {},
): (arxivId: string) => Promise<Paper | undefined> {
  const client = new ArxivClient(sources.arxivApiUrl, options);
  return async (arxivId) => {
    const paper = await client.byId(arxivId, now().toISOString());
    if (!paper) return undefined;
    await library.ingest({ papers: [paper], skipped: [] });
    return library.getByArxivId(arxivId);
  };
}
