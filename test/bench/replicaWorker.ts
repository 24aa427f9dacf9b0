import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Database } from '../../src/db/database.js';
import { Library } from '../../src/library.js';
import { silentLogger } from '../../src/logger.js';
import { PostgresSubscriptionStore } from '../../src/subscriptions/postgresStore.js';
import { type DigestPoster, Scheduler } from '../../src/subscriptions/scheduler.js';

/**
 * One replica of the replicas bench (replicas.ts), in a process of its own: opens the database
 * (and its corpus),
 * says `ready`, ticks once when told `go` on stdin (with a poster that accepts every digest, after
 * a round trip of the given latency), and prints what it did as JSON: runs by subscription id,
 * statements sent, wall time.
 */
const [url, now, latency] = process.argv.slice(2);
if (!url || !now) throw new Error('usage: replicaWorker.ts <database url> <now> [Slack latency ms]');
const latencyMs = Number(latency ?? 0);
const db = await Database.open(url, { logger: silentLogger });
const posted: string[] = [];
const poster: DigestPoster = {
  post: async (_target, digest) => {
    // Slack's answer takes this long (a chat.postMessage round trip); 0: at once.
    if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
    posted.push(digest.subscription.id);
    return { ok: true };
  },
  alreadyPosted: async () => false,
};
const scheduler = new Scheduler({
  store: new PostgresSubscriptionStore(db),
  // The corpus is the database's, as a replica's is (the bundled papers, stored by the first replica).
  index: await Library.open(mkdtempSync(join(tmpdir(), 'paperbot-bench-replica-')), silentLogger, {
    database: db,
  }),
  poster,
  now: () => new Date(now),
  logger: silentLogger,
});
process.stdout.write('ready\n');
const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (line !== 'go') continue;
  db.queries = 0;
  const started = performance.now();
  const runs = await scheduler.tick();
  const ms = performance.now() - started;
  process.stdout.write(
    `${JSON.stringify({ ms, queries: db.queries, runs: runs.map((run) => [run.subscriptionId, run.outcome]), posted })}\n`,
  );
  break;
}
lines.close();
await scheduler.stop();
await db.close();
