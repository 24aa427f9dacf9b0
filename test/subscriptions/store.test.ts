import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { PaperbotError } from '../../src/errors.js';
import { createMemoryStore, openLowdbStore, type SubscriptionStore } from '../../src/subscriptions/store.js';
import { subscription } from '../support/subscriptions.js';

const tempFile = () => join(mkdtempSync(join(tmpdir(), 'paperbot-store-')), 'subscriptions.json');

const implementations: Array<[string, () => Promise<SubscriptionStore>]> = [
  ['memory', async () => createMemoryStore()],
  ['lowdb', () => openLowdbStore(tempFile())],
];

describe.each(implementations)('%s store', (_name, open) => {
  test('add, read by channel and id, update, remove', async () => {
    const store = await open();
    await store.add(subscription('aaaa'));
    await store.add(subscription('bbbb', { channel: 'C0OTHER' }));
    expect(store.inChannel('C0GENERAL').map((s) => s.id)).toEqual(['aaaa']);
    expect(store.get('bbbb')?.channel).toBe('C0OTHER');
    const paused = await store.update('aaaa', (s) => ({
      ...s,
      state: { status: 'paused', reason: 'test', since: s.createdAt },
    }));
    expect(paused?.state.status).toBe('paused');
    expect(await store.update('zzzz', (s) => s)).toBeUndefined();
    expect((await store.remove('aaaa'))?.id).toBe('aaaa');
    expect(store.all().map((s) => s.id)).toEqual(['bbbb']);
    await store.close();
  });

  test('recordRun stores the run and the posted papers in one change', async () => {
    const store = await open();
    await store.add(subscription('aaaa'));
    await store.recordRun('aaaa', {
      at: new Date('2026-11-27T09:00:00Z'),
      papersSince: '2026-11-27T09:00:00.000Z',
      nextRunAt: new Date('2026-11-28T09:00:00Z'),
      postedPaperIds: ['p1', 'p2'],
    });
    expect(store.get('aaaa')).toMatchObject({
      lastRunAt: '2026-11-27T09:00:00.000Z',
      lastPostAt: '2026-11-27T09:00:00.000Z',
      nextRunAt: '2026-11-28T09:00:00.000Z',
    });
    expect(store.postedIn('C0GENERAL')).toEqual({
      p1: '2026-11-27T09:00:00.000Z',
      p2: '2026-11-27T09:00:00.000Z',
    });
    await store.close();
  });

  test('40 concurrent adds are 40 stored subscriptions', async () => {
    const store = await open();
    await Promise.all(
      Array.from({ length: 40 }, (_, i) => store.add(subscription(`s${String(i).padStart(3, '0')}`))),
    );
    expect(store.inChannel('C0GENERAL')).toHaveLength(40);
    await store.close();
  });
});

describe('lowdb store on disk', () => {
  test('what was acknowledged is on disk, and a reopened store reads it', async () => {
    const file = tempFile();
    const store = await openLowdbStore(file);
    await Promise.all(
      Array.from({ length: 40 }, (_, i) => store.add(subscription(`s${String(i).padStart(3, '0')}`))),
    );
    expect(JSON.parse(readFileSync(file, 'utf8')).channels.C0GENERAL.subscriptions).toHaveLength(40);
    await store.close();
    const reopened = await openLowdbStore(file);
    expect(reopened.all()).toHaveLength(40);
    expect(existsSync(`${file}.bak`)).toBe(true); // the last good copy, made on load
    await reopened.close();
  });

  test('one instance per file: opening twice gives the same store', async () => {
    const file = tempFile();
    const [a, b] = await Promise.all([openLowdbStore(file), openLowdbStore(file)]);
    expect(a).toBe(b);
    await a.close();
  });

  test('a corrupt file stops the load with a message naming it and how to restore, and is left untouched', async () => {
    const file = tempFile();
    const good = await openLowdbStore(file);
    await good.add(subscription('aaaa'));
    await good.close();
    await (await openLowdbStore(file)).close(); // a load that keeps the last good copy
    writeFileSync(file, '{"version": 1, "channels": {"C0GENERAL": ');
    const error = await openLowdbStore(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PaperbotError);
    expect((error as PaperbotError).code).toBe('paperbot_store_error');
    expect((error as Error).message).toMatch(
      new RegExp(
        `^The subscriptions file ${file} is not valid JSON \\(.+\\)\\. paperbot left it untouched and did not start\\.\\n` +
          `To restore the last good copy: cp ${file}\\.bak ${file}\\nTo start with no subscriptions: mv ${file} ${file}\\.broken$`,
      ),
    );
    expect(readFileSync(file, 'utf8')).toBe('{"version": 1, "channels": {"C0GENERAL": ');
    expect(JSON.parse(readFileSync(`${file}.bak`, 'utf8')).channels.C0GENERAL.subscriptions[0].id).toBe(
      'aaaa',
    );
  });

  test.each([
    ['[]', 'top level: Invalid input: expected object, received array'],
    ['null', 'top level: Invalid input: expected object, received null'],
    ['{"version": 2, "channels": {}}', 'version: Invalid input: expected 1'],
  ])('a file holding %s is refused: %s', async (content, problem) => {
    const file = tempFile();
    writeFileSync(file, content);
    await expect(openLowdbStore(file)).rejects.toThrow(
      `The subscriptions file ${file} is not a paperbot subscriptions file (${problem}). paperbot left it untouched`,
    );
    expect(readFileSync(file, 'utf8')).toBe(content);
  });

  test('a failed write changes nothing in memory and does not block later writes', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'paperbot-store-')), 'sub', 'subscriptions.json');
    const store = await openLowdbStore(file);
    await store.add(subscription('aaaa'));
    // Replace the directory by a file: the next write cannot create its temporary file.
    const { rmSync } = await import('node:fs');
    rmSync(join(file, '..'), { recursive: true });
    writeFileSync(join(file, '..'), 'not a directory');
    await expect(store.add(subscription('bbbb'))).rejects.toThrow();
    expect(store.all().map((s) => s.id)).toEqual(['aaaa']);
    rmSync(join(file, '..'));
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(file, '..'));
    await store.add(subscription('cccc'));
    expect(store.all().map((s) => s.id)).toEqual(['aaaa', 'cccc']);
    await store.close();
  });
});
