import { expect } from '@jest/globals';
import { buttonClickBody, eventBody, postSigned, slashCommandBody } from './signing.js';
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

/**
 * Someone (`user`, U0BOB unless said) posts an arXiv link to `paper` in `channel`, after `words`
 * if given, and Slack sends link_shared: resolves with the message's ts once paperbot has
 * remembered it.
 */
export async function shareLink(
  app: RunningApp,
  channel: string,
  paper: { id: string; arxivId?: string },
  options: { user?: string; words?: string } = {},
): Promise<string> {
  const user = options.user ?? 'U0BOB';
  const link = `https://arxiv.org/abs/${paper.arxivId ?? paper.id}`;
  const text = options.words ? `${options.words} <${link}>` : `<${link}>`;
  const { ts } = app.slack.userMessage(channel, { text, user });
  await postSigned(
    app.eventsUrl,
    eventBody({
      type: 'link_shared',
      channel,
      user,
      message_ts: ts,
      links: [{ url: link, domain: 'arxiv.org' }],
    }),
    'application/json',
  );
  await app.slack.waitFor(async () =>
    (await app.discussions.ofPaper('T0TEST', paper.id)).some((s) => s.ts === ts),
  );
  return ts;
}
