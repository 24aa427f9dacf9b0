import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { eventBody, postSigned, slashCommandBody } from '../support/signing.js';
import { type RunningApp, startApp } from '../support/slackApp.js';

describe('request authenticity', () => {
  let running: RunningApp;
  beforeAll(async () => {
    running = await startApp();
  });
  afterAll(async () => running.stop());

  const FORM = 'application/x-www-form-urlencoded';
  const cases: Array<[string, Parameters<typeof postSigned>[3]]> = [
    ['a wrong signature', { secret: 'not-the-secret' }],
    ['no signature', { unsigned: true }],
    ['a timestamp 6 minutes old', { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 }],
    ['a timestamp 6 minutes ahead', { timestamp: Math.floor(Date.now() / 1000) + 6 * 60 }],
    ['a timestamp an hour ahead', { timestamp: Math.floor(Date.now() / 1000) + 3600 }],
  ];

  test.each(cases)('%s is rejected with 401 and nothing runs', async (_name, options) => {
    const slash = await postSigned(
      running.eventsUrl,
      slashCommandBody('reward models', running.slack.responseUrl('forged')),
      FORM,
      options,
    );
    const event = await postSigned(
      running.eventsUrl,
      eventBody({
        type: 'app_mention',
        user: 'U0EVE',
        text: '<@UPAPERBOT> reward',
        ts: '1.1',
        channel: 'C0GENERAL',
      }),
      'application/json',
      options,
    );
    expect(slash.status).toBe(401);
    expect(event.status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(running.slack.responses).toHaveLength(0);
    expect(running.slack.callsTo('chat.postMessage')).toHaveLength(0);
  });

  test('a timestamp 4 minutes off either way is still accepted (clock skew)', async () => {
    for (const [id, offset] of [
      ['skew-behind', -4 * 60],
      ['skew-ahead', 4 * 60],
    ] as const) {
      const response = await postSigned(
        running.eventsUrl,
        slashCommandBody('help', running.slack.responseUrl(id)),
        FORM,
        {
          timestamp: Math.floor(Date.now() / 1000) + offset,
        },
      );
      expect(response.status).toBe(200);
      await running.slack.waitFor(() => running.slack.responses.find((r) => r.id === id));
    }
  });
});
