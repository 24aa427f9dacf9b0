import type { ModalView } from '@slack/types';
import type { SearchHit } from '../search/paperSearch.js';
import { escapeToFit, plainText, truncate } from './mrkdwn.js';

/** callback_id of the "Subscribe channel to this topic" modal. */
export const SUBSCRIBE_MODAL = 'subscribe_modal';

/** block_ids of the modal's fields (also the keys of its validation errors). */
export const MODAL_FIELDS = { topic: 'topic', cadence: 'cadence', time: 'time', tz: 'tz' } as const;

/** What the modal carries between opening and submitting: the channel it subscribes. */
export interface ModalContext {
  channel: string;
}

const option = (value: string, label: string) => ({ text: plainText(label, 75), value });
const CADENCES = [
  option('daily', 'Every day'),
  option('weekdays', 'Every weekday'),
  option('weekly', 'Every Monday'),
];

/**
 * The subscribe modal: the topic (prefilled with the search), schedule fields, and a preview of
 * what the subscription would post now. Without `preview` the form says the preview is coming:
 * it opens at once (a trigger lasts 3 s) and the preview follows with views.update.
 */
export function subscribeModal(
  topic: string,
  context: ModalContext,
  preview?: readonly SearchHit[],
): ModalView {
  const lines = (preview ?? []).map((hit) => `• ${escapeToFit(truncate(hit.paper.title, 150), 400)}`);
  const previewText =
    preview === undefined
      ? '*Preview:* Finding the papers it would post now…'
      : lines.length > 0
        ? `*Preview: what it would post now*\n${lines.join('\n')}`.slice(0, 3000)
        : '*Preview:* no paper matches it strongly yet; digests post strong matches as they arrive.';
  return {
    type: 'modal',
    callback_id: SUBSCRIBE_MODAL,
    private_metadata: JSON.stringify(context),
    title: plainText('Subscribe this channel', 24),
    submit: plainText('Subscribe', 24),
    close: plainText('Cancel', 24),
    blocks: [
      {
        type: 'input',
        block_id: MODAL_FIELDS.topic,
        label: plainText('Topic', 2000),
        hint: plainText('The same syntax as /paper: "phrases", -words, author:name, has:code', 2000),
        element: {
          type: 'plain_text_input',
          action_id: 'value',
          initial_value: truncate(topic, 200),
          max_length: 200,
        },
      },
      {
        type: 'input',
        block_id: MODAL_FIELDS.cadence,
        label: plainText('How often', 2000),
        element: {
          type: 'static_select',
          action_id: 'value',
          options: CADENCES,
          initial_option: CADENCES[0],
        },
      },
      {
        type: 'input',
        block_id: MODAL_FIELDS.time,
        label: plainText('At', 2000),
        element: { type: 'timepicker', action_id: 'value', initial_time: '09:00' },
      },
      {
        type: 'input',
        block_id: MODAL_FIELDS.tz,
        optional: true,
        label: plainText('Time zone', 2000),
        hint: plainText('Leave empty for your Slack time zone, or write one like Europe/Paris', 2000),
        element: { type: 'plain_text_input', action_id: 'value', max_length: 64 },
      },
      {
        type: 'section',
        block_id: 'preview',
        text: { type: 'mrkdwn', text: previewText },
      },
    ],
  };
}
