import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { benchCorpusStartup } from './corpusStartup.js';
import { benchReplicas } from './replicas.js';
import { benchSizeInChild, partsOf, SIZES, type Size } from './scale.js';
import { benchSlashLatency } from './slashLatency.js';
import { benchStartup } from './startup.js';

/** The sections of the bench, in the order they run, each selectable with `--sections` (default: all). */
const SECTIONS = ['startup', 'slash', 'replicas', 'corpus-start', 'corpora'] as const;

/**
 * `npm run bench [-- --json FILE] [--quick] [--sections startup,slash,replicas,corpus-start,corpora]
 * [--sizes seed,85k,300k,1m] [--parts build,start,postings,queries,digests,load,ingest]`: start-up
 * and `/paper` on the bundled corpus, a digest tick over PostgreSQL with 1 and 3 replicas
 * (replicas.ts, its own embedded server), start-up of a replica on the ~85k real papers in
 * PostgreSQL and in the file (corpusStartup.ts), then one table per corpus size (see scale.ts: benchSize
 * and its parts), each size in its own process. The same selections can come from the environment
 * (PAPERBOT_BENCH_SECTIONS, PAPERBOT_BENCH_SIZES, PAPERBOT_BENCH_PARTS).
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      json: { type: 'string' },
      quick: { type: 'boolean' },
      sections: { type: 'string', default: process.env.PAPERBOT_BENCH_SECTIONS },
      sizes: { type: 'string', default: process.env.PAPERBOT_BENCH_SIZES },
      parts: { type: 'string', default: process.env.PAPERBOT_BENCH_PARTS },
    },
  });
  const sections = new Set(
    (values.sections?.split(',') ?? [...SECTIONS]).map((name) => {
      const known = SECTIONS.find((s) => s === name.trim().toLowerCase());
      if (!known) throw new Error(`unknown section ${name}; sections are ${SECTIONS.join(', ')}`);
      return known;
    }),
  );
  const quick = values.quick ?? false;
  const parts = partsOf(values.parts);
  const sizes = (values.sizes?.split(',') ?? [...SIZES]).map((size) => {
    const known = SIZES.find((s) => s === size.trim().toLowerCase());
    if (!known) throw new Error(`unknown size ${size}; sizes are ${SIZES.join(', ')}`);
    return known;
  });
  const machine = `${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`;
  console.log(`paperbot benchmarks on ${machine}\n`);
  // Wall-clock figures mean little on a busy machine: each section says how busy it was.
  const load = () =>
    loadavg()
      .map((average) => average.toFixed(2))
      .join(' ');
  console.log(`load average (1, 5, 15 min) at the start: ${load()}\n`);
  console.log(`sections ${[...sections].join(', ')}; sizes ${sizes.join(', ')}; parts ${parts.join(', ')}\n`);
  const results: Record<string, unknown> = {};
  const loads: Record<string, string> = {};
  const section = async (name: string, run: () => Promise<unknown>) => {
    results[name] = await run();
    loads[name] = load();
  };
  if (sections.has('startup')) await section('startup', () => benchStartup(quick ? 3 : 10));
  if (sections.has('slash')) await section('slashCommand', () => benchSlashLatency(quick ? 50 : 300));
  if (sections.has('replicas')) await section('replicas', () => benchReplicas(10_000, quick ? 1 : 3));
  if (sections.has('corpus-start')) await section('corpusStart', () => benchCorpusStartup(quick ? 1 : 3));
  for (const [name, rows] of Object.entries(results)) {
    console.log(`${name} (load average at its end: ${loads[name]})`);
    console.table(rows);
  }
  const bySize: Partial<Record<Size, Record<string, string | number>>> = {};
  for (const size of sections.has('corpora') ? sizes : []) {
    bySize[size] = await benchSizeInChild(size, parts);
    console.log(`corpus: ${size} (load average at its end: ${load()})`);
    console.table(bySize[size]);
  }
  results.corpora = bySize;
  if (values.json) writeFileSync(values.json, `${JSON.stringify({ machine, loads, results }, null, 2)}\n`);
}

await main();
