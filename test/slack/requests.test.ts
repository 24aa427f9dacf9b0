import { expect, test } from '@jest/globals';
import type { App, ReceiverEvent } from '@slack/bolt';
import { silentLogger } from '../../src/logger.js';
import { Metrics } from '../../src/metrics.js';
import { RequestTracker, requestFacts } from '../../src/slack/requests.js';

test('what a request is, and the fields its log lines carry, from each kind of body', () => {
  expect(
    requestFacts({ command: '/paper', team_id: 'T1', channel_id: 'C1', user_id: 'U1', trigger_id: 'tr' }),
  ).toEqual({
    kind: 'command',
    name: '/paper',
    fields: { team: 'T1', command: '/paper', channel: 'C1', user: 'U1', trigger_id: 'tr' },
  });
  expect(
    requestFacts({
      type: 'event_callback',
      team_id: 'T1',
      event_id: 'Ev1',
      event: { type: 'app_mention', channel: 'C1', user: 'U1' },
    }),
  ).toEqual({
    kind: 'event',
    name: 'app_mention',
    fields: { team: 'T1', event: 'app_mention', event_id: 'Ev1', channel: 'C1', user: 'U1' },
  });
  expect(
    requestFacts({
      type: 'block_actions',
      team: { id: 'T1' },
      channel: { id: 'C1' },
      user: { id: 'U1' },
      actions: [{ action_id: 'card_share' }],
    }),
  ).toMatchObject({
    kind: 'action',
    name: 'card_share',
    fields: { team: 'T1', channel: 'C1', action: 'card_share' },
  });
  expect(
    requestFacts({
      type: 'view_submission',
      team: { id: 'T1' },
      user: { id: 'U1' },
      view: { callback_id: 'subscribe' },
    }),
  ).toMatchObject({ kind: 'view', name: 'subscribe' });
  // Whatever arrives, it never throws.
  expect(requestFacts({ type: 42, event: null, actions: 'x' } as never)).toEqual({
    kind: 'other',
    name: 'unknown',
    fields: {},
  });
});

test('a request acked on the receiving thread is timed from its arrival to that ack, once', async () => {
  const metrics = new Metrics({ processMetrics: false });
  const tracker = new RequestTracker({ metrics, logger: silentLogger });
  const app = { processEvent: async (event: ReceiverEvent) => event.ack() } as unknown as App;
  tracker.observe(app);
  const receivedAt = performance.timeOrigin + performance.now();
  await app.processEvent({
    body: { command: '/paper', team_id: 'T0TEST' },
    ack: async () => {},
    customProperties: { receivedAt, ackedAt: receivedAt + 3 },
  });
  const text = await metrics.registry.metrics();
  expect(text).toContain('paperbot_slack_ack_seconds_count{kind="command"} 1');
  expect(text).toContain('paperbot_slack_ack_seconds_sum{kind="command"} 0.003');
});
