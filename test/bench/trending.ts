/**
 * How long `/paper trending` takes over the 85k real corpus (the eval's cached data directory):
 * the median and maximum of 21 runs per period, at the end of the recorded HF days and at the end
 * of the daily-arXiv listings (where a week holds a few thousand papers). `npx tsx test/bench/trending.ts`
 */
import { silentLogger } from '../../src/logger.js';
import { trendingPapers } from '../../src/search/trending.js';
import { openRealCorpus } from './evalCorpus.js';

const { library } = await openRealCorpus(silentLogger);
for (const now of ['2026-08-21T12:00:00Z', '2026-06-30T12:00:00Z']) {
  for (const period of ['today', 'week'] as const) {
    const times: number[] = [];
    let upvoted = 0;
    let since = '';
    for (let i = 0; i < 21; i++) {
      const started = performance.now();
      const trending = await trendingPapers(library, period, new Date(now), { limit: 5 });
      times.push(performance.now() - started);
      ({ upvoted, since } = trending);
    }
    times.sort((a, b) => a - b);
    const inPeriod = (
      await library.search(
        { words: [], phrases: [], excluded: [], authors: [], hasCode: false, after: since },
        { limit: 1 },
      )
    ).total;
    console.log(
      `${now} ${period}: ${inPeriod} papers published since ${since}, ${upvoted} with upvotes; median ${times[10]?.toFixed(2)} ms, max ${times[20]?.toFixed(2)} ms`,
    );
  }
}
