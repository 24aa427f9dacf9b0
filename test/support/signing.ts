import { createHmac } from 'node:crypto';
import { newTriggerId } from './fakeSlack.js';

/** The signing secret the test apps are built with. */
export const SIGNING_SECRET = 'test-signing-secret';

/** Slack's request signature: `v0=` + HMAC-SHA256 of `v0:<timestamp>:<body>`. */
export function signature(body: string, timestamp: number, secret = SIGNING_SECRET): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

/** Options of a request to the bot's receiver. */
export interface SignedRequestOptions {
  /** Seconds since the epoch; default now. */
  timestamp?: number;
  /** Sign with this secret instead (to forge a bad signature). */
  secret?: string;
  /** Send no signature headers at all. */
  unsigned?: boolean;
  headers?: Record<string, string>;
}

/** POSTs a body to the receiver the way Slack does, signed unless told otherwise. */
export async function postSigned(
  url: string,
  body: string,
  contentType: string,
  options: SignedRequestOptions = {},
): Promise<Response> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = { 'content-type': contentType, ...options.headers };
  if (!options.unsigned) {
    headers['x-slack-request-timestamp'] = String(timestamp);
    headers['x-slack-signature'] = signature(body, timestamp, options.secret);
  }
  return fetch(url, { method: 'POST', headers, body });
}

let sequence = 0;

/** A slash command payload, form-encoded as Slack sends it. */
export function slashCommandBody(
  text: string,
  responseUrl: string,
  extra: Record<string, string> = {},
): string {
  sequence++;
  return new URLSearchParams({
    token: 'legacy-verification-token',
    team_id: 'T0TEST',
    team_domain: 'paperbot-test',
    channel_id: 'C0GENERAL',
    channel_name: 'general',
    user_id: 'U0ALICE',
    user_name: 'alice',
    command: '/paper',
    text,
    api_app_id: 'A0PAPERBOT',
    response_url: responseUrl,
    trigger_id: newTriggerId(),
    ...extra,
  }).toString();
}

/** An Events API callback body around `event`, for workspace `team` (default T0TEST). */
export function eventBody(
  event: Record<string, unknown>,
  eventId = `Ev${++sequence}`,
  team = 'T0TEST',
): string {
  return JSON.stringify({
    token: 'legacy-verification-token',
    team_id: team,
    api_app_id: 'A0PAPERBOT',
    event,
    type: 'event_callback',
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [
      {
        team_id: team,
        enterprise_id: null,
        user_id: 'UPAPERBOT',
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
  });
}

/** A block_actions payload for a click on a button, form-encoded as Slack sends it. */
export function buttonClickBody(
  action: { action_id: string; value?: string; block_id?: string },
  context: {
    responseUrl: string;
    channel?: string;
    user?: string;
    messageTs?: string;
    /** How long ago Slack issued the click's trigger_id (views.open refuses it after 3 s). */
    triggerAgeMs?: number;
    /** The workspace of the click (default T0TEST). */
    team?: string;
  },
): string {
  sequence++;
  const team = context.team ?? 'T0TEST';
  const payload = {
    type: 'block_actions',
    user: { id: context.user ?? 'U0ALICE', username: 'alice', team_id: team },
    api_app_id: 'A0PAPERBOT',
    token: 'legacy-verification-token',
    team: { id: team, domain: 'paperbot-test' },
    channel: { id: context.channel ?? 'C0GENERAL', name: 'general' },
    container: {
      type: 'message',
      message_ts: context.messageTs ?? '1.1',
      channel_id: context.channel ?? 'C0GENERAL',
      is_ephemeral: true,
    },
    trigger_id: newTriggerId(context.triggerAgeMs),
    response_url: context.responseUrl,
    actions: [
      {
        type: 'button',
        block_id: action.block_id ?? 'b',
        action_ts: `${Date.now() / 1000}`,
        text: { type: 'plain_text', text: 'x' },
        ...action,
      },
    ],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** A view_submission payload for a modal with these input values ({ block_id: { action_id: value } }). */
export function viewSubmissionBody(
  view: Record<string, unknown>,
  values: Record<string, Record<string, unknown>>,
  user = 'U0ALICE',
  /** The id Slack gave the view (views.open's answer), for a later views.update. */
  viewId?: string,
): string {
  sequence++;
  const payload = {
    type: 'view_submission',
    team: { id: 'T0TEST', domain: 'paperbot-test' },
    user: { id: user, username: 'alice', team_id: 'T0TEST' },
    api_app_id: 'A0PAPERBOT',
    token: 'legacy-verification-token',
    trigger_id: newTriggerId(),
    view: {
      ...view,
      id: viewId ?? `V${sequence}`,
      team_id: 'T0TEST',
      state: { values },
      hash: 'h',
      app_id: 'A0PAPERBOT',
      bot_id: 'BPAPERBOT',
    },
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/**
 * A message shortcut's payload (`message_action`), form-encoded as Slack sends it: the message it
 * was used on, where, a response_url and a trigger_id
 * (https://api.slack.com/reference/interaction-payloads/shortcuts).
 */
export function messageShortcutBody(
  callbackId: string,
  message: { ts: string; text: string; user?: string; thread_ts?: string },
  context: { responseUrl: string; channel?: string; user?: string; team?: string },
): string {
  sequence++;
  const team = context.team ?? 'T0TEST';
  const payload = {
    type: 'message_action',
    callback_id: callbackId,
    token: 'legacy-verification-token',
    action_ts: `${Date.now() / 1000}`,
    team: { id: team, domain: 'paperbot-test' },
    user: { id: context.user ?? 'U0ALICE', name: 'alice', team_id: team },
    channel: { id: context.channel ?? 'C0GENERAL', name: 'general' },
    message: { type: 'message', user: message.user ?? 'U0BOB', ...message },
    message_ts: message.ts,
    response_url: context.responseUrl,
    trigger_id: newTriggerId(),
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** A global shortcut's payload (`shortcut`): no channel and no response_url, a trigger_id only. */
export function globalShortcutBody(
  callbackId: string,
  options: { user?: string; triggerAgeMs?: number } = {},
): string {
  sequence++;
  const payload = {
    type: 'shortcut',
    callback_id: callbackId,
    token: 'legacy-verification-token',
    action_ts: `${Date.now() / 1000}`,
    team: { id: 'T0TEST', domain: 'paperbot-test' },
    user: { id: options.user ?? 'U0ALICE', username: 'alice', team_id: 'T0TEST' },
    trigger_id: newTriggerId(options.triggerAgeMs),
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}
