import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { PaperbotError } from '../../src/errors.js';
import { createMemoryStore, openLowdbStore } from '../../src/subscriptions/store.js';
import { subscription } from '../support/subscriptions.js';
import { tempDir } from '../support/tmp.js';
import { storeContract } from './storeContract.js';

const tempFile = () => join(tempDir('paperbot-store-'), 'subscriptions.json');

storeContract({ name: 'memory', open: async () => createMemoryStore() });
storeContract({ name: 'lowdb', open: () => openLowdbStore(tempFile()) });

describe('lowdb store on disk', () => {
  test('what was acknowledged is on disk, and a reopened store reads it', async () => {
    const file = tempFile();
    const store = await openLowdbStore(file);
    await Promise.all(
      Array.from({ length: 40 }, (_, i) => store.add(subscription(`s${String(i).padStart(3, '0')}`))),
    );
    expect(JSON.parse(readFileSync(file, 'utf8')).teams.T0TEST.channels.C0GENERAL.subscriptions).toHaveLength(
      40,
    );
    await store.close();
    const reopened = await openLowdbStore(file);
    expect(await reopened.inTeam('T0TEST')).toHaveLength(40);
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
    expect(
      JSON.parse(readFileSync(`${file}.bak`, 'utf8')).teams.T0TEST.channels.C0GENERAL.subscriptions[0].id,
    ).toBe('aaaa');
  });

  test.each([
    ['[]', 'top level: Invalid input: expected object, received array'],
    ['null', 'top level: Invalid input: expected object, received null'],
    ['{"version": 3, "teams": {}}', 'version: Invalid input: expected 2'],
    [
      '{"version": 2, "teams": {"T0A": {"channels": {"C1": {"subscriptions": [' +
        JSON.stringify({ ...subscription('aaaa'), team: 'T0B', channel: 'C1' }) +
        ']}}}}}',
      'teams.T0A.channels.C1.subscriptions.0: filed under T0A/C1 but names T0B/C1',
    ],
  ])('a file holding %s is refused: %s', async (content, problem) => {
    const file = tempFile();
    writeFileSync(file, content);
    await expect(openLowdbStore(file)).rejects.toThrow(
      `The subscriptions file ${file} is not a paperbot subscriptions file (${problem}). paperbot left it untouched`,
    );
    expect(readFileSync(file, 'utf8')).toBe(content);
  });

  test('a failed write changes nothing in memory and does not block later writes', async () => {
    const file = join(tempDir('paperbot-store-'), 'sub', 'subscriptions.json');
    const store = await openLowdbStore(file);
    await store.add(subscription('aaaa'));
    // Replace the directory by a file: the next write cannot create its temporary file.
    const { rmSync } = await import('node:fs');
    rmSync(join(file, '..'), { recursive: true });
    writeFileSync(join(file, '..'), 'not a directory');
    await expect(store.add(subscription('bbbb'))).rejects.toThrow();
    expect((await store.inTeam('T0TEST')).map((s) => s.id)).toEqual(['aaaa']);
    rmSync(join(file, '..'));
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(file, '..'));
    await store.add(subscription('cccc'));
    expect((await store.inTeam('T0TEST')).map((s) => s.id)).toEqual(['aaaa', 'cccc']);
    await store.close();
  });

  test('a file of paperbot 0.1 (no workspaces) is adopted by the token’s workspace, and written in the new format', async () => {
    const file = tempFile();
    const { team: _, ...old } = subscription('aaaa');
    const v1 = {
      version: 1,
      channels: { C0GENERAL: { subscriptions: [old], posted: { p1: old.createdAt }, feedback: {} } },
    };
    writeFileSync(file, JSON.stringify(v1));
    const store = await openLowdbStore(file, { legacyTeam: 'T0LEGACY' });
    expect((await store.get('T0LEGACY', 'aaaa'))?.topic).toBe('topic aaaa');
    expect(await store.postedIn({ team: 'T0LEGACY', channel: 'C0GENERAL' })).toEqual({ p1: old.createdAt });
    expect(JSON.parse(readFileSync(`${file}.bak`, 'utf8'))).toEqual(v1); // the old file, as it was
    await store.recordFeedback({ team: 'T0LEGACY', channel: 'C0GENERAL' }, 'p1', 'like');
    await store.close();
    const written = JSON.parse(readFileSync(file, 'utf8'));
    expect(written.version).toBe(2);
    expect(written.teams.T0LEGACY.channels.C0GENERAL.subscriptions[0]).toEqual({ ...old, team: 'T0LEGACY' });
  });

  test('without a workspace to adopt it (OAuth, no single token), a 0.1 file is refused with what to do', async () => {
    const file = tempFile();
    writeFileSync(file, JSON.stringify({ version: 1, channels: {} }));
    await expect(openLowdbStore(file)).rejects.toThrow(
      `The subscriptions file ${file} is not a paperbot subscriptions file (it was written by paperbot 0.1, before workspaces; start paperbot once with the SLACK_BOT_TOKEN of its workspace to adopt it). paperbot left it untouched`,
    );
  });
});
