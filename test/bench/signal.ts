import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { type PaperCommand, parsePaperCommand } from '../../src/bot/paperCommand.js';
import { silentLogger } from '../../src/logger.js';
import type { Paper } from '../../src/papers/paper.js';
import { DocumentIndex } from '../../src/search/documentIndex.js';
import { RANKING, type SignalRanking, withRanking } from '../../src/search/ranking.js';
import { SIGNAL_TRAINING } from '../../src/search/signal.js';
import { readSignal, trainSignalFile } from '../../src/search/signalFile.js';
import { readIndexSnapshot, snapshotFile } from '../../src/search/snapshot.js';
import { sampleTopics } from './digests.js';
import { openRealCorpus } from './evalCorpus.js';
import { summary } from './stats.js';

/** The event loop's delay (ms) while `work` runs: p50, p99 and max, from a 1 ms-resolution histogram. */
async function loopDelayDuring<T>(
  work: () => Promise<T>,
): Promise<{ value: T; delay: string; peakRssMb: number }> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  histogram.enable();
  const value = await work();
  histogram.disable();
  clearInterval(sampler);
  const ms = (ns: number) => (ns / 1e6).toFixed(1);
  return {
    value,
    delay: `${ms(histogram.percentile(50))} / ${ms(histogram.percentile(99))} / ${ms(histogram.max)}`,
    peakRssMb: Math.round(peak / 1e6),
  };
}

/**
 * `node --import tsx --import ./test/bench/compiled.mjs test/bench/signal.ts`: the learnt signal
 * on the ~85k real papers (the eval's cached corpus): training in its worker thread (time, this
 * thread's event-loop delay meanwhile beside an idle baseline, RSS), the file's size and load time,
 * keyword search latency with and without it, and that of long queries (the eval's descriptions)
 * with and without its ranker.
 */
async function main(): Promise<void> {
  const { library, dir } = await openRealCorpus(silentLogger);
  await library.refreshSignal();
  const papers: Paper[] = [];
  for await (const batch of library.papers()) papers.push(...batch);
  await library.close();
  const row: Record<string, string | number> = { papers: papers.length };

  const idle = await loopDelayDuring(() => new Promise((resolve) => setTimeout(resolve, 3000)));
  row['event-loop delay, idle 3 s: p50 / p99 / max (ms)'] = idle.delay;
  const out = mkdtempSync(join(tmpdir(), 'paperbot-signal-bench-'));
  try {
    // The translation alone first: what the ranker adds to training's time and memory.
    const alone = await loopDelayDuring(() =>
      trainSignalFile(snapshotFile(dir), join(out, 'translation.signal'), {
        ...SIGNAL_TRAINING,
        ranker: undefined,
      }),
    );
    row['translation alone: worker time (s) / peak RSS (MB)'] =
      `${(alone.value.ms / 1000).toFixed(1)} / ${alone.peakRssMb}`;
    const before = Math.round(process.memoryUsage().rss / 1e6);
    const started = performance.now();
    const training = await loopDelayDuring(() =>
      trainSignalFile(snapshotFile(dir), join(out, 'index.signal')),
    );
    row['training in its worker: wall (s)'] = ((performance.now() - started) / 1000).toFixed(1);
    row['training: worker time incl. reading the snapshot (s)'] = (training.value.ms / 1000).toFixed(1);
    row['event-loop delay while training: p50 / p99 / max (ms)'] = training.delay;
    row['process RSS before / peak while training (MB)'] = `${before} / ${training.peakRssMb}`;
    row['signal file (MB)'] = (statSync(join(out, 'index.signal')).size / 1e6).toFixed(1);

    const index = DocumentIndex.restore(readIndexSnapshot(readFileSync(snapshotFile(dir))).saved);
    const loadStarted = performance.now();
    index.useSignal((await readSignal(join(out, 'index.signal')))?.model);
    row['signal load: read + map to the index (ms)'] = Math.round(performance.now() - loadStarted);

    /** p50 / p95 / p99 of `commands` searched under `signal`, after one round that warms up. */
    const latency = (commands: PaperCommand[], rounds: number, signal: Partial<SignalRanking>) => {
      index.rankWith(withRanking(RANKING, { signal }));
      const samples: number[] = [];
      for (let round = 0; round < rounds; round++)
        for (const command of commands) {
          if (command.kind !== 'search') continue;
          const t = performance.now();
          index.search({ query: command.query, limit: 5 });
          if (round) samples.push(performance.now() - t);
        }
      const { p50, p95, p99 } = summary(samples);
      return `${p50} / ${p95} / ${p99}`;
    };
    const keywords = sampleTopics(papers, 350, 11).map((text) => parsePaperCommand(text));
    row['keyword p50 / p95 / p99 without the signal (ms)'] = latency(keywords, 2, { weight: 0 });
    row['keyword p50 / p95 / p99 with it (ms)'] = latency(keywords, 2, { weight: RANKING.signal.weight });
    // Long queries (the eval's descriptions, as `/paper` text): the learnt ranker orders them.
    const descriptions = readFileSync(new URL('../eval/descriptions.jsonl', import.meta.url), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) =>
        parsePaperCommand((JSON.parse(line) as { query: string }).query.replace(/^@paperbot\s*/i, '')),
      );
    row['description p50 / p95 / p99, signal without the ranker (ms)'] = latency(descriptions, 3, {
      ranker: false,
    });
    row['description p50 / p95 / p99 with the ranker (ms)'] = latency(descriptions, 3, { ranker: true });
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  console.table(row);
}

await main();
