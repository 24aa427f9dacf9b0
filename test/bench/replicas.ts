import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Database } from '../../src/db/database.js';
import { silentLogger } from '../../src/logger.js';
import { PostgresSubscriptionStore } from '../../src/subscriptions/postgresStore.js';
import { startPostgres } from '../support/embeddedPostgres.js';
import { bundledPapers } from '../support/papers.js';
import { dueSubscriptions } from './digests.js';
import { quantile } from './stats.js';

const WORKER = fileURLToPath(new URL('./replicaWorker.ts', import.meta.url));

interface WorkerResult {
  ms: number;
  queries: number;
  runs: Array<[string, string]>;
  posted: string[];
}

/** Starts a replica process and resolves once it is ready to tick. */
async function startReplica(
  url: string,
  now: Date,
  latencyMs: number,
): Promise<{ child: ChildProcess; result: Promise<WorkerResult> }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', WORKER, url, now.toISOString(), String(latencyMs)],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const iterator = lines[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.value !== 'ready') throw new Error(`replica did not start: ${first.value}`);
  const result = iterator.next().then(({ value }) => JSON.parse(String(value)) as WorkerResult);
  return { child, result };
}

/**
 * `npm run bench` section: a tick of `count` due subscriptions (the digests of a busy morning over
 * the bundled papers, 5 to a channel) over PostgreSQL, with 1 and with 3 replicas, each a process
 * of its own ticking at the same moment on one embedded server. The poster accepts every digest at
 * once (the store's and the scheduler's own cost), or after each of `latenciesMs` (a Slack round
 * trip, which is what a real tick waits on). Wall time runs from "go" to the last replica's tick
 * done; queries are every statement the replicas sent during the tick.
 */
export async function benchReplicas(
  count: number,
  rounds: number,
  latenciesMs: readonly number[] = [0, 50],
): Promise<Record<string, string | number>[]> {
  const server = await startPostgres();
  const admin = new pg.Client({ connectionString: server.adminUrl });
  await admin.connect();
  await admin.query('CREATE DATABASE paperbot_bench');
  await admin.end();
  const url = server.adminUrl.replace(/\/postgres$/, '/paperbot_bench');
  const db = await Database.open(url, { logger: silentLogger });
  const store = new PostgresSubscriptionStore(db);
  const { now, subscriptions } = dueSubscriptions(bundledPapers(), count);
  const rows: Record<string, string | number>[] = [];
  try {
    for (const latencyMs of latenciesMs)
      for (const replicas of [1, 3]) {
        const samples: Array<{ ms: number; queries: number; perReplica: number[]; posted: number }> = [];
        for (let round = 0; round < rounds; round++) {
          await db.query('TRUNCATE subscriptions, posted, feedback, channels');
          for (let i = 0; i < subscriptions.length; i += 200)
            await Promise.all(subscriptions.slice(i, i + 200).map((s) => store.add(s)));
          await db.query('VACUUM ANALYZE');
          const started = await Promise.all(
            Array.from({ length: replicas }, () => startReplica(url, now, latencyMs)),
          );
          const go = performance.now();
          for (const { child } of started) child.stdin?.write('go\n');
          const results = await Promise.all(started.map(({ result }) => result));
          const wall = performance.now() - go;
          // Exactly once across replicas: every subscription ran, none twice, none posted twice.
          const ran = results.flatMap((r) => r.runs.map(([id]) => id));
          const posted = results.flatMap((r) => r.posted);
          if (ran.length !== count || new Set(ran).size !== count) {
            const outcomes = new Map<string, number>();
            for (const r of results) for (const [, o] of r.runs) outcomes.set(o, (outcomes.get(o) ?? 0) + 1);
            throw new Error(
              `${replicas} replicas: ${ran.length} runs of ${new Set(ran).size} subscriptions, expected ${count} (${JSON.stringify([...outcomes])})`,
            );
          }
          if (new Set(posted).size !== posted.length) throw new Error('a digest was posted twice');
          samples.push({
            ms: wall,
            queries: results.reduce((sum, r) => sum + r.queries, 0),
            perReplica: results.map((r) => r.runs.length),
            posted: posted.length,
          });
        }
        const median = (values: number[]) => quantile(values, 0.5);
        const ms = median(samples.map((s) => s.ms));
        const queries = median(samples.map((s) => s.queries));
        rows.push({
          'Slack latency (ms)': latencyMs,
          replicas,
          subscriptions: count,
          'tick wall time (s), median': (ms / 1000).toFixed(2),
          'tick wall times (s)': samples.map((s) => (s.ms / 1000).toFixed(2)).join(', '),
          'digests per second': Math.round(count / (ms / 1000)),
          'queries per digest': (queries / count).toFixed(2),
          'digests posted': samples[0]?.posted ?? 0,
          'runs per replica (last round)': samples.at(-1)?.perReplica.join(' / ') ?? '',
        });
      }
  } finally {
    await db.close();
    await server.stop();
  }
  return rows;
}
