import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Library, type LibraryOptions } from '../../src/library.js';
import { silentLogger } from '../../src/logger.js';
import { FileCorpusStore } from '../../src/papers/corpusFile.js';
import type { Paper } from '../../src/papers/paper.js';
import { WorkerSearcher } from '../../src/search/workerSearcher.js';
import { benchAckFloor } from './ackFloor.js';
import { benchSlashAtRate } from './slashLatency.js';

/** Request rates of the at-rate part, each for 10 s (PAPERBOT_BENCH_RATES picks others). */
const RATES = (process.env.PAPERBOT_BENCH_RATES ?? '50,200,500').split(',').map(Number);

/** The library as the bot opens it: the data directory's corpus, the index in one search worker. */
function botLibrary(dataDir: string, options: LibraryOptions = {}): Promise<Library> {
  const searcher = new WorkerSearcher({ workers: 1, logger: silentLogger });
  return Library.open(dataDir, silentLogger, { searcher, ...options });
}

const loopMs = (ns: number) => Math.round(ns / 1e4) / 100;

/**
 * The bot under load, over a data directory, in a process that holds only what the bot holds:
 * `load`, `/paper` at 50, 200 and 500 req/s through the Bolt receiver (acks, answers, shed, the
 * app thread's event-loop delay, the process's CPU time; and the machine's floor: the same client
 * against a server that only acks, see {@link benchAckFloor}); `ingest`, saving without stopping (see {@link benchIngest}).
 */
export async function botLoad(
  dataDir: string,
  parts: ReadonlySet<string>,
): Promise<Record<string, string | number>> {
  const row: Record<string, string | number> = {};
  if (parts.has('load')) {
    const library = await botLibrary(dataDir);
    try {
      for (const rate of RATES) {
        const floor = await benchAckFloor(rate, 10);
        row[`/paper at ${rate} req/s: floor (a server that only acks, same client): ack p50 / p99 (ms)`] =
          `${floor.p50} / ${floor.p99}`;
        const load = await benchSlashAtRate(rate, 10, library);
        row[`/paper at ${rate} req/s: ack p50 / p99 / max (ms)`] =
          `${load['ack p50 (ms)']} / ${load['ack p99 (ms)']} / ${load['ack max (ms)']}`;
        row[`/paper at ${rate} req/s: answer p50 / p99 (ms)`] =
          `${load['answer p50 (ms)']} / ${load['answer p99 (ms)']}`;
        row[`/paper at ${rate} req/s: requests, failures, answered, shed, answered or shed ≤ 3 s`] =
          `${load.requests}, ${load.failures}, ${load['answered within 30 s of the last request']}, ${load.shed}, ${load['answered or shed within 3 s']}`;
        row[`/paper at ${rate} req/s: event-loop delay p99 / max (ms)`] =
          `${load['event-loop delay p99 (ms)']} / ${load['event-loop delay max (ms)']}`;
        row[`/paper at ${rate} req/s: process CPU, all threads (s)`] = load['process CPU (s)'];
      }
    } finally {
      await library.close();
    }
  }
  if (parts.has('ingest')) Object.assign(row, await benchIngest(dataDir));
  return row;
}

/**
 * Saving without stopping: 50 new papers (copies of real ones under new ids, arriving now) ingested
 * into the bot's library, a checkpoint forced right after (catalog and index snapshot), while
 * `/paper` arrives 10 times a second; then the corpus file compacted, with the event-loop delay
 * meanwhile.
 */
async function benchIngest(dataDir: string): Promise<Record<string, string | number>> {
  const row: Record<string, string | number> = {};
  const library = await botLibrary(dataDir, { checkpointAfter: 1 });
  try {
    const arrived = new Date().toISOString();
    const fresh: Paper[] = [];
    for await (const batch of library.papers()) {
      fresh.push(...batch.slice(0, 50 - fresh.length));
      if (fresh.length >= 50) break;
    }
    const papers = fresh.map((paper, i) => {
      const { arxivId: _dropped, ...rest } = paper;
      return { ...rest, id: `${paper.id}~new${i}`, title: `${paper.title} (revisited)`, arrivedAt: arrived };
    });
    const load = await benchSlashAtRate(10, 8, library, async () => {
      const report = await library.ingest({ papers, skipped: [] });
      if (report.new !== 50) throw new Error(`the ingest took in ${report.new} new papers, not 50`);
      await library.catchUp(); // queued after the ingest's checkpoint: resolves once it is written
    });
    row['ingest of 50 papers + checkpoint (ms)'] = load['during (ms)'] ?? Number.NaN;
    row['during the ingest: event-loop delay p99 / max (ms)'] =
      `${load['event-loop delay p99 (ms)']} / ${load['event-loop delay max (ms)']}`;
    row['during the ingest: /paper ack p50 / p99 / max (ms)'] =
      `${load['ack p50 (ms)']} / ${load['ack p99 (ms)']} / ${load['ack max (ms)']}`;
    row['during the ingest: /paper answer p50 / p99 (ms)'] =
      `${load['answer p50 (ms)']} / ${load['answer p99 (ms)']}`;
  } finally {
    await library.close();
  }
  const store = new FileCorpusStore(dataDir, silentLogger);
  await store.open();
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const started = performance.now();
  await store.compact();
  const compactMs = performance.now() - started;
  loop.disable();
  await store.close();
  row['compaction of the corpus file (ms)'] = Math.round(compactMs);
  row['during compaction: event-loop delay p99 / max (ms)'] =
    `${loopMs(loop.percentile(99))} / ${loopMs(loop.max)}`;
  return row;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { 'data-dir': { type: 'string' }, parts: { type: 'string' } } });
  if (!values['data-dir']) throw new Error('--data-dir is required');
  const parts = new Set((values.parts ?? 'load,ingest').split(','));
  console.log(JSON.stringify(await botLoad(values['data-dir'], parts)));
}
