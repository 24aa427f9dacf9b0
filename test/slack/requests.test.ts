import { expect, test } from '@jest/globals';
import { requestFacts } from '../../src/slack/requests.js';

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
