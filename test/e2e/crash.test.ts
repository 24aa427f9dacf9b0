import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@jest/globals';
import { openLowdbStore } from '../../src/subscriptions/store.js';

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

async function killMidBurst(file: string, round: number, afterAcks: number): Promise<string[]> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', WRITER, file, String(round)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
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
  const file = join(mkdtempSync(join(tmpdir(), 'paperbot-crash-')), 'subscriptions.json');
  const acknowledged = new Set<string>();
  for (const [round, afterAcks] of [37, 101, 163, 250, 333].entries()) {
    for (const id of await killMidBurst(file, round, afterAcks)) acknowledged.add(id);
    JSON.parse(readFileSync(file, 'utf8')); // never half-written
    const store = await openLowdbStore(file);
    const stored = new Set((await store.inTeam('T0')).map((s) => s.id));
    expect([...acknowledged].filter((id) => !stored.has(id))).toEqual([]);
    await store.close();
  }
  expect(acknowledged.size).toBeGreaterThanOrEqual(37 + 101 + 163 + 250 + 333);
}, 60_000);
