import { describe, expect, test } from '@jest/globals';
import { parseTime } from '../../src/bot/paperCommand.js';
import { describeSchedule, formatInZone, isTimeZone, nextRun } from '../../src/subscriptions/schedule.js';

const at = (iso: string) => new Date(iso);

describe('nextRun', () => {
  test('daily at 09:00 Paris is 08:00 UTC in winter, strictly after the given instant', () => {
    const schedule = { cadence: 'daily', time: '09:00', tz: 'Europe/Paris' } as const;
    expect(nextRun(schedule, at('2026-11-26T07:59:00Z')).toISOString()).toBe('2026-11-26T08:00:00.000Z');
    expect(nextRun(schedule, at('2026-11-26T08:00:00Z')).toISOString()).toBe('2026-11-27T08:00:00.000Z');
  });

  test('across the spring DST change the local time stays 09:00', () => {
    const schedule = { cadence: 'daily', time: '09:00', tz: 'Europe/Paris' } as const;
    // Clocks go forward on 29 March 2026: 09:00 Paris is 08:00 UTC before, 07:00 UTC after.
    expect(nextRun(schedule, at('2026-03-28T12:00:00Z')).toISOString()).toBe('2026-03-29T07:00:00.000Z');
  });

  test('weekdays skip the weekend; weekly is Mondays', () => {
    // 2026-11-27 is a Friday.
    const friday = at('2026-11-27T12:00:00Z');
    expect(nextRun({ cadence: 'weekdays', time: '09:00', tz: 'UTC' }, friday).toISOString()).toBe(
      '2026-11-30T09:00:00.000Z',
    );
    expect(nextRun({ cadence: 'weekly', time: '17:30', tz: 'UTC' }, friday).toISOString()).toBe(
      '2026-11-30T17:30:00.000Z',
    );
  });

  test('time zones are respected far from UTC', () => {
    const schedule = { cadence: 'daily', time: '09:00', tz: 'Asia/Kolkata' } as const;
    expect(nextRun(schedule, at('2026-11-26T00:00:00Z')).toISOString()).toBe('2026-11-26T03:30:00.000Z');
  });
});

describe('schedule wording', () => {
  test('describeSchedule and formatInZone', () => {
    expect(describeSchedule({ cadence: 'weekdays', time: '08:30', tz: 'America/New_York' })).toBe(
      'every weekday at 08:30 (America/New_York)',
    );
    expect(formatInZone(at('2026-11-27T08:00:00Z'), 'Europe/Paris')).toBe('Fri 27 Nov, 09:00');
  });

  test('isTimeZone', () => {
    expect(isTimeZone('Europe/Paris')).toBe(true);
    expect(isTimeZone('Mars/Olympus_Mons')).toBe(false);
  });
});

describe('parseTime', () => {
  test.each([
    ['9', '09:00'],
    ['9:30', '09:30'],
    ['09:30', '09:30'],
    ['21:05', '21:05'],
    ['9am', '09:00'],
    ['12am', '00:00'],
    ['12pm', '12:00'],
    ['5:45PM', '17:45'],
  ])('%s → %s', (text, time) => {
    expect(parseTime(text)).toBe(time);
  });

  test.each(['25:00', '9:60', '13pm', 'noon', '9.30', ''])('%j is not a time', (text) => {
    expect(parseTime(text)).toBeUndefined();
  });
});
