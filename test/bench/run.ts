import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { loadDailyArxiv } from './corpora.js';
import { benchDigests } from './digests.js';
import { benchRealCorpus } from './realCorpus.js';
import { benchSlashAtRate, benchSlashLatency } from './slashLatency.js';
import { benchStartup } from './startup.js';

/** `npm run bench [-- --json FILE] [--quick]`: prints one table per benchmark, ms. */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { json: { type: 'string' }, quick: { type: 'boolean' } } });
  const quick = values.quick ?? false;
  const machine = `${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`;
  console.log(`paperbot benchmarks on ${machine}\n`);
  const results = {
    startup: await benchStartup(quick ? 3 : 10),
    slashCommand: await benchSlashLatency(quick ? 50 : 300),
    slashCommandAtRate: {
      '50 req/s': await benchSlashAtRate(50, quick ? 2 : 10),
      '200 req/s': await benchSlashAtRate(200, quick ? 2 : 10),
    },
    digests: await benchDigests(await loadDailyArxiv(), 10_000),
    realCorpus: await benchRealCorpus(),
  };
  for (const [name, rows] of Object.entries(results)) {
    console.log(name);
    console.table(rows);
  }
  if (values.json) writeFileSync(values.json, `${JSON.stringify({ machine, results }, null, 2)}\n`);
}

await main();
