import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@jest/globals';
import { openLowdbStore } from '../../src/subscriptions/store.js';
import { cleanUpAfter, closedAfter } from '../support/cleanup.js';
import { tempDir } from '../support/tmp.js';

const STORE = fileURLToPath(new URL('../../dist/subscriptions/store.js', import.meta.url));

// The writer: bursts of 10 concurrent subscribes; an id is printed only once its write resolved,
// which is the moment the bot would answer "Subscribed".
const WRITER = `
import { openLowdbStore } from ${JSON.stringify(STORE)};
const store = await openLowdbStore(process.argv[1]);
for (let burst = 0; ; burst++) {
  await Promise.all(Array.from({ length: 10 }, async (_, i) => {
    const id = 'r' + process.argv[2] + 'k' + String(burst * 10 + i).padStart(6, '0');
    await store.add({ id, team: 'T0', channel: 'C' + (i % 3), topic: 'topic ' + id, schedule: { cadence: 'daily', time: '09:00', tz: 'UTC' },
      createdBy: 'U0', createdAt: new Date().toISOString(), state: { status: 'active' }, nextRunAt: new Date().toISOString() });
    process.stdout.write(id + '\\n');
  }));
}
`;

/**
 * Runs `script` (an ES module) with `args`, reads the lines it prints as it acknowledges work, and
 * kills it with SIGKILL once `afterAcks` lines came; resolves with every line it printed.
 */
async function killAfterAcks(script: string, args: string[], afterAcks: number): Promise<string[]> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', script, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // It runs until killed: also when the test fails or times out before enough acknowledgements.
  cleanUpAfter(() => child.kill('SIGKILL'));
  const acked: string[] = [];
  let buffer = '';
  await new Promise<void>((resolve) => {
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      acked.push(...lines);
      if (acked.length >= afterAcks && !child.killed) child.kill('SIGKILL');
    });
    child.on('close', () => resolve());
  });
  return acked;
}

test('kill -9 during bursts of writes: the file parses and every acknowledged subscription is there', async () => {
  const file = join(tempDir('paperbot-crash-'), 'subscriptions.json');
  const acknowledged = new Set<string>();
  for (const [round, afterAcks] of [37, 101, 163, 250, 333].entries()) {
    for (const id of await killAfterAcks(WRITER, [file, String(round)], afterAcks)) acknowledged.add(id);
    JSON.parse(readFileSync(file, 'utf8')); // never half-written
    const store = await openLowdbStore(file);
    const stored = new Set((await store.inTeam('T0')).map((s) => s.id));
    expect([...acknowledged].filter((id) => !stored.has(id))).toEqual([]);
    await store.close();
  }
  expect(acknowledged.size).toBeGreaterThanOrEqual(37 + 101 + 163 + 250 + 333);
}, 60_000);

const LIBRARY = fileURLToPath(new URL('../../dist/library.js', import.meta.url));
const LOGGER = fileURLToPath(new URL('../../dist/logger.js', import.meta.url));

// The ingester: batches of 10 new papers and 20 revised ones (a longer abstract: a change that is
// indexed again), with checkpoints and compactions far more often than in production (a compaction
// every few batches), so that the kills land in appends, checkpoints and compactions alike. `id@version` is printed once its ingest
// resolved: the moment paperbot treats it as stored.
const INGESTER = `
import { Library } from ${JSON.stringify(LIBRARY)};
import { silentLogger } from ${JSON.stringify(LOGGER)};
const library = await Library.open(process.argv[1], silentLogger, { checkpointAfter: 25, compactAfter: 40 });
const round = process.argv[2];
const paper = (n, version) => ({ id: 'p' + round + 'n' + n, title: 'Zebra finch study ' + round + ' number ' + n,
  abstract: 'Version ' + version + '. ' + 'Birdsong learning. '.repeat(version), authors: ['A B'],
  arrivedAt: '2026-11-01T00:00:00.000Z', links: { code: [], project: [] }, source: 'paperbot' });
for (let batch = 0; ; batch++) {
  const fresh = Array.from({ length: 10 }, (_, i) => paper(batch * 10 + i, 1));
  const revised = batch === 0 ? [] : Array.from({ length: 20 }, (_, i) => paper((i * 7) % (batch * 10), batch + 1));
  const papers = [...fresh, ...revised];
  await library.ingest({ papers, skipped: [] });
  process.stdout.write(papers.map((p) => p.id + '@' + p.abstract.slice(8, p.abstract.indexOf('.'))).join('\\n') + '\\n');
}
`;

test('kill -9 during ingests, checkpoints and compactions: the corpus opens, with every acknowledged paper, searchable', async () => {
  const { Library } = await import('../../src/library.js');
  const { silentLogger } = await import('../../src/logger.js');
  const { parseQuery } = await import('../../src/search/query.js');
  const dir = tempDir('paperbot-crash-corpus-');
  writeFileSync(join(dir, 'papers.jsonl'), ''); // an empty corpus, not the bundled one
  const acknowledged = new Map<string, number>(); // id → the latest acknowledged version
  for (const [round, afterAcks] of [45, 130, 210, 333, 404].entries()) {
    for (const line of await killAfterAcks(INGESTER, [dir, String(round)], afterAcks)) {
      const [id, version] = line.split('@');
      acknowledged.set(id as string, Math.max(acknowledged.get(id as string) ?? 0, Number(version)));
    }
    const library = closedAfter(await Library.open(dir, silentLogger));
    const ids = [...acknowledged.keys()];
    const papers = await Promise.all(ids.map((id) => library.get(id)));
    const lost = ids.filter((id, i) => {
      const stored = papers[i];
      return (
        !stored ||
        Number(stored.abstract.slice(8, stored.abstract.indexOf('.'))) < (acknowledged.get(id) ?? 0)
      );
    });
    expect(lost).toEqual([]);
    // The index has them too: the newest acknowledged paper of the round is found by its title.
    const newest = await library.get(ids.at(-1) as string);
    const found = await library.search(parseQuery(newest?.title ?? '').query, { limit: 1 });
    expect(found.hits[0]?.paper.id).toBe(newest?.id);
    await library.close();
  }
  expect(acknowledged.size).toBeGreaterThan(300);
}, 60_000);
