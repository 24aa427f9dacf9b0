import { expect, test } from '@jest/globals';
import { RecentIds } from '../../src/slack/recentIds.js';

test('an id is a repeat within the TTL and new again after it', () => {
  let now = 0;
  const ids = new RecentIds(1000, 100, () => now);
  expect(ids.checkAndRemember('Ev1')).toBe(false);
  now = 999;
  expect(ids.checkAndRemember('Ev1')).toBe(true);
  now = 1000;
  expect(ids.checkAndRemember('Ev1')).toBe(false);
});

test('memory stays bounded: the oldest ids are dropped beyond the cap', () => {
  const ids = new RecentIds(60_000, 3, () => 0);
  for (const id of ['a', 'b', 'c', 'd']) ids.checkAndRemember(id);
  expect(ids.size).toBe(3);
  expect(ids.checkAndRemember('a')).toBe(false); // forgotten, so answered again
  expect(ids.checkAndRemember('d')).toBe(true);
});
