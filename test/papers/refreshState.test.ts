import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from '@jest/globals';
import { RefreshState, recordIngest } from '../../src/papers/refreshState.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

test('a manual ingest counts as a refresh, and a running process sees one recorded after it opened', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'paperbot-refresh-'));
  dirs.push(dir);
  const state = await RefreshState.open(dir);
  expect(state.neverRefreshed).toBe(true);
  expect(await state.lastIngest()).toBeUndefined();

  // `paperbot ingest` beside the running process, then a restart.
  const record = { at: '2026-12-07T10:00:00.000Z', what: 'file day.json', new: 58, summary: '58 new' };
  await recordIngest(dir, record);
  expect(await state.lastIngest()).toEqual(record);
  expect(state.neverRefreshed).toBe(false);
  expect((await RefreshState.open(dir)).neverRefreshed).toBe(false);
});
