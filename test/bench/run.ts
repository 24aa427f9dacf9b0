import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { benchSizeInChild, SIZES, type Size } from './scale.js';
import { benchSlashLatency } from './slashLatency.js';
import { benchStartup } from './startup.js';

/**
 * `npm run bench [-- --json FILE] [--quick] [--sizes seed,85k,300k,1m]`: start-up and `/paper` on the
 * bundled corpus, then one table per corpus size (see scale.ts), each size in its own process.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { json: { type: 'string' }, quick: { type: 'boolean' }, sizes: { type: 'string' } },
  });
  const quick = values.quick ?? false;
  const sizes = (values.sizes?.split(',') ?? [...SIZES]).map((size) => {
    const known = SIZES.find((s) => s === size.trim().toLowerCase());
    if (!known) throw new Error(`unknown size ${size}; sizes are ${SIZES.join(', ')}`);
    return known;
  });
  const machine = `${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`;
  console.log(`paperbot benchmarks on ${machine}\n`);
  const results: Record<string, unknown> = {
    startup: await benchStartup(quick ? 3 : 10),
    slashCommand: await benchSlashLatency(quick ? 50 : 300),
  };
  for (const [name, rows] of Object.entries(results)) {
    console.log(name);
    console.table(rows);
  }
  const bySize: Partial<Record<Size, Record<string, string | number>>> = {};
  for (const size of sizes) {
    bySize[size] = await benchSizeInChild(size);
    console.log(`corpus: ${size}`);
    console.table(bySize[size]);
  }
  results.corpora = bySize;
  if (values.json) writeFileSync(values.json, `${JSON.stringify({ machine, results }, null, 2)}\n`);
}

await main();
