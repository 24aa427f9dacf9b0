import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { benchReplicas } from './replicas.js';
import { benchSizeInChild, SIZES, type Size } from './scale.js';
import { benchSlashLatency } from './slashLatency.js';
import { benchStartup } from './startup.js';

/** The parts of the bench, in the order they run. */
const SECTIONS = ['startup', 'slash', 'replicas', 'corpora'] as const;

/**
 * `npm run bench [-- --json FILE] [--quick] [--sizes seed,85k,300k,1m] [--sections startup,slash,replicas,corpora]`:
 * start-up and `/paper` on the bundled corpus, a digest tick over PostgreSQL with 1 and 3 replicas
 * (replicas.ts, its own embedded server), then one table per corpus size (see scale.ts), each size
 * in its own process.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      json: { type: 'string' },
      quick: { type: 'boolean' },
      sizes: { type: 'string' },
      sections: { type: 'string' },
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
  const sizes = (values.sizes?.split(',') ?? [...SIZES]).map((size) => {
    const known = SIZES.find((s) => s === size.trim().toLowerCase());
    if (!known) throw new Error(`unknown size ${size}; sizes are ${SIZES.join(', ')}`);
    return known;
  });
  const machine = `${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`;
  console.log(`paperbot benchmarks on ${machine}\n`);
  const results: Record<string, unknown> = {};
  if (sections.has('startup')) results.startup = await benchStartup(quick ? 3 : 10);
  if (sections.has('slash')) results.slashCommand = await benchSlashLatency(quick ? 50 : 300);
  if (sections.has('replicas')) results.replicas = await benchReplicas(10_000, quick ? 1 : 3);
  for (const [name, rows] of Object.entries(results)) {
    console.log(name);
    console.table(rows);
  }
  const bySize: Partial<Record<Size, Record<string, string | number>>> = {};
  for (const size of sections.has('corpora') ? sizes : []) {
    bySize[size] = await benchSizeInChild(size);
    console.log(`corpus: ${size}`);
    console.table(bySize[size]);
  }
  results.corpora = bySize;
  if (values.json) writeFileSync(values.json, `${JSON.stringify({ machine, results }, null, 2)}\n`);
}

await main();
