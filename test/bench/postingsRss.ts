import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Library } from '../../src/library.js';
import { silentLogger } from '../../src/logger.js';
import { WorkerSearcher } from '../../src/search/workerSearcher.js';

/**
 * The bot's memory in the lazy postings' worst case: opens a data directory as `npm start` does
 * (the corpus catalog here, the index restored from its snapshot in a search worker), then has
 * every posting list read once. Prints one JSON line: RSS (MB, this process and its worker) after
 * opening, after reading every list, and the process's peak.
 */
export async function postingsRss(dataDir: string): Promise<Record<string, number>> {
  const searcher = new WorkerSearcher({ workers: 1, logger: silentLogger });
  const library = await Library.open(dataDir, silentLogger, { searcher });
  const rssMb = () => Math.round(process.memoryUsage().rss / 1e6);
  const opened = rssMb();
  const started = performance.now();
  const lists = await library.loadEveryList();
  const readMs = performance.now() - started;
  const after = rssMb();
  await library.close();
  return {
    'RSS after start (MB)': opened,
    'posting lists read': lists,
    'reading every list (ms)': Math.round(readMs),
    'RSS with every list read (MB)': after,
    'peak RSS (MB)': Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { 'data-dir': { type: 'string' } } });
  if (!values['data-dir']) throw new Error('--data-dir is required');
  console.log(JSON.stringify(await postingsRss(values['data-dir'])));
}
