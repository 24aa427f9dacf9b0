import { afterEach, describe, expect, test } from '@jest/globals';
import { SHORTCUTS } from '../../src/blocks/shortcuts.js';
import { blockKitViolations, expectValidMessage, sectionTexts, viewViolations } from '../support/blockKit.js';
import {
  buttonClickBody,
  globalShortcutBody,
  messageShortcutBody,
  postSigned,
  viewSubmissionBody,
} from '../support/signing.js';
import { type RunningApp, startApp } from '../support/slackApp.js';

const FORM = 'application/x-www-form-urlencoded';
let running: RunningApp | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

describe('the message shortcut "Find papers for message"', () => {
  test('answers only the clicker with the best papers for the message; the button posts them in its thread, once', async () => {
    running = await startApp();
    const { slack } = running;
    const question = slack.userMessage('C0GENERAL', {
      text: 'Has anyone tried ensembles of reward models to stop overoptimization in RLHF?',
      user: 'U0BOB',
    });
    const response = await postSigned(
      running.eventsUrl,
      messageShortcutBody(SHORTCUTS.forMessage, question as { ts: string; text: string }, {
        responseUrl: slack.responseUrl('found'),
      }),
      FORM,
    );
    expect(response.status).toBe(200);
    const answer = await slack.waitFor(() => slack.responses.find((r) => r.id === 'found'));
    expect(answer.status).toBe(200);
    expect(answer.body.response_type).toBe('ephemeral');
    expectValidMessage(answer.body);
    expect(JSON.stringify(answer.body.blocks)).toContain(
      'Reward Model Ensembles Help Mitigate Overoptimization',
    );
    // Nothing in the channel yet, and nothing read from it: the payload carries the message.
    expect(slack.messagesIn('C0GENERAL')).toHaveLength(1);
    expect(slack.calls.filter((call) => call.method.startsWith('conversations.'))).toEqual([]);

    const actions = (
      answer.body.blocks as Array<{ type: string; elements?: Array<Record<string, string>> }>
    ).find((block) => block.type === 'actions' && block.elements?.[0]?.action_id === SHORTCUTS.postInThread);
    const value = actions?.elements?.[0]?.value ?? '';
    await postSigned(
      running.eventsUrl,
      buttonClickBody(
        { action_id: SHORTCUTS.postInThread, value },
        { responseUrl: slack.responseUrl('post') },
      ),
      FORM,
    );
    const confirmation = await slack.waitFor(() => slack.responses.find((r) => r.id === 'post'));
    expect(confirmation.body).toMatchObject({
      replace_original: true,
      text: ':white_check_mark: Posted in the thread.',
    });
    const inThread = slack.messagesIn('C0GENERAL').filter((m) => m.thread_ts === question.ts);
    expect(inThread).toHaveLength(1);
    // Valid Block Kit; its only markup is the mention of who shared them.
    expect(blockKitViolations(inThread[0] ?? {}, 'message')).toEqual([]);
    expect(inThread[0]?.text).toMatch(/^Papers for this message, shared by <@U0ALICE>:\n1\. /);
    // The thread is remembered as where those papers were discussed (their follow-ups go there).
    const paperId = (JSON.parse(value) as { p: string[] }).p[0] ?? '';
    expect((await running.discussions.ofPaper('T0TEST', paperId)).map((s) => s.threadTs)).toEqual([
      question.ts,
    ]);
  });

  test('a message with no words to search gets a sentence saying so', async () => {
    running = await startApp();
    const { slack } = running;
    const emoji = slack.userMessage('C0GENERAL', { text: ':tada: :tada:' });
    await postSigned(
      running.eventsUrl,
      messageShortcutBody(SHORTCUTS.forMessage, emoji as { ts: string; text: string }, {
        responseUrl: slack.responseUrl('nothing'),
      }),
      FORM,
    );
    const answer = await slack.waitFor(() => slack.responses.find((r) => r.id === 'nothing'));
    expect(sectionTexts(answer.body)[0]).toContain('That message has no words I can search with');
  });
});

describe('the global shortcut "Search papers"', () => {
  test('opens a light modal within the trigger’s 3 s; a search turns it into “Searching…”, then its results', async () => {
    running = await startApp();
    const { slack } = running;
    // The trigger is already 2.5 s old when the shortcut reaches the bot.
    const response = await postSigned(
      running.eventsUrl,
      globalShortcutBody(SHORTCUTS.search, { triggerAgeMs: 2500 }),
      FORM,
    );
    expect(response.status).toBe(200);
    const [opened] = await slack.waitFor(() => slack.views.size === 1 && [...slack.views.entries()]);
    const [viewId, { view }] = opened ?? ['', { view: {} as Record<string, unknown> }];
    expect(viewViolations(view)).toEqual([]);
    expect(view.callback_id).toBe(SHORTCUTS.searchModal);

    const empty = await postSigned(
      running.eventsUrl,
      viewSubmissionBody(
        view,
        { query: { value: { type: 'plain_text_input', value: '  ' } } },
        'U0ALICE',
        viewId,
      ),
      FORM,
    );
    expect(await empty.json()).toEqual({
      response_action: 'errors',
      errors: { query: 'Type a few words to search for.' },
    });

    const submitted = await postSigned(
      running.eventsUrl,
      viewSubmissionBody(
        view,
        { query: { value: { type: 'plain_text_input', value: 'reward model ensembles' } } },
        'U0ALICE',
        viewId,
      ),
      FORM,
    );
    const searching = (await submitted.json()) as { response_action: string; view: Record<string, unknown> };
    expect(searching.response_action).toBe('update');
    expect(viewViolations(searching.view)).toEqual([]);
    expect(JSON.stringify(searching.view)).toContain('Searching');
    const [update] = await slack.waitFor(
      () => slack.callsTo('views.update').length === 1 && slack.callsTo('views.update'),
    );
    expect(update?.args.view_id).toBe(viewId);
    const results = slack.views.get(viewId)?.view ?? {};
    expect(viewViolations(results)).toEqual([]);
    expect(JSON.stringify(results)).toContain('Reward Model Ensembles Help Mitigate Overoptimization');
    expect(JSON.stringify(results)).toContain('"initial_value":"reward model ensembles"');
  });
});
