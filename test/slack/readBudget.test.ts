import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import { PaperbotError } from '../../src/errors.js';
import {
  createMemoryReadBudget,
  openLowdbReadBudget,
  TIER3_READ_INTERVAL_MS,
} from '../../src/slack/readBudget.js';
import { readBudgetContract } from './readBudgetContract.js';

const folder = mkdtempSync(join(tmpdir(), 'paperbot-read-budget-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
let files = 0;
const tempFile = () => join(folder, `budget-${++files}.json`);

readBudgetContract({ name: 'memory', open: async () => createMemoryReadBudget() });
readBudgetContract({ name: 'lowdb', open: () => openLowdbReadBudget(tempFile()) });

describe('lowdb read budget on disk', () => {
  test('a restart within the minute does not read again', async () => {
    const file = tempFile();
    const now = new Date('2026-11-26T12:00:00Z');
    const budget = await openLowdbReadBudget(file);
    expect(await budget.take('T1', 'conversations.history', now)).toBe(true);
    await budget.close();
    expect(JSON.parse(readFileSync(file, 'utf8')).teams.T1).toEqual({
      'conversations.history': '2026-11-26T12:01:00.000Z',
    });
    const reopened = await openLowdbReadBudget(file);
    expect(await reopened.take('T1', 'conversations.history', new Date('2026-11-26T12:00:30Z'))).toBe(false);
    await reopened.close();
  });

  test('a corrupt file stops the load with a message naming it', async () => {
    const file = tempFile();
    writeFileSync(file, '{"version": 1, "teams": {"T1": {"conversations.history": "soon"}}}');
    await expect(openLowdbReadBudget(file)).rejects.toThrow(PaperbotError);
    await expect(openLowdbReadBudget(file)).rejects.toThrow(/read budget/);
  });
});

test("an internal app's budget (Tier 3) frees a method's read every 1.2 s, not every minute", async () => {
  const budget = createMemoryReadBudget(TIER3_READ_INTERVAL_MS);
  const at = (ms: number) => new Date(Date.parse('2026-11-26T12:00:00Z') + ms);
  expect(await budget.take('T1', 'conversations.history', at(0))).toBe(true);
  expect(await budget.take('T1', 'conversations.history', at(1199))).toBe(false);
  expect(await budget.take('T1', 'conversations.history', at(1200))).toBe(true);
  await budget.close();
});
