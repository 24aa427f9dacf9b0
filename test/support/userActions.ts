import { expect } from '@jest/globals';
import { buttonClickBody, postSigned, slashCommandBody } from './signing.js';
import type { RunningApp } from './slackApp.js';

const FORM = 'application/x-www-form-urlencoded';

/**
 * Someone types `/paper <text>`: Slack's signed POST, whose ack must be HTTP 200, then the answer
 * the bot posts to the command's response_url (named `id` on the fake Slack).
 */
export async function slash(
  app: RunningApp,
  text: string,
  id: string,
  fields: Record<string, string> = {},
): Promise<Record<string, unknown>> {
  const ack = await postSigned(
    app.eventsUrl,
    slashCommandBody(text, app.slack.responseUrl(id), fields),
    FORM,
  );
  expect(ack.status).toBe(200);
  return (await app.slack.waitFor(() => app.slack.responses.find((r) => r.id === id))).body;
}

/** Someone clicks a button: Slack's signed POST (acked with HTTP 200), then the bot's answer to its response_url `id`. */
export async function click(
  app: RunningApp,
  action: { action_id: string; value?: string },
  id: string,
): Promise<Record<string, unknown>> {
  const ack = await postSigned(
    app.eventsUrl,
    buttonClickBody(action, { responseUrl: app.slack.responseUrl(id) }),
    FORM,
  );
  expect(ack.status).toBe(200);
  return (await app.slack.waitFor(() => app.slack.responses.find((r) => r.id === id))).body;
}
