import { afterEach, describe, expect, test } from '@jest/globals';
import { blocksOf, expectValidMessage, sectionTexts, viewViolations } from '../support/blockKit.js';
import { FakeClock } from '../support/bot.js';
import { bundledPapers, makePaper } from '../support/papers.js';
import { buttonClickBody, postSigned, viewSubmissionBody } from '../support/signing.js';
import { type RunningApp, startApp } from '../support/slackApp.js';
import { slash } from '../support/userActions.js';

const FORM = 'application/x-www-form-urlencoded';
let running: RunningApp | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

async function click(app: RunningApp, action: { action_id: string; value?: string }, id: string) {
  const response = await postSigned(
    app.eventsUrl,
    buttonClickBody(action, { responseUrl: app.slack.responseUrl(id) }),
    FORM,
  );
  expect(response.status).toBe(200);
  return response;
}

/** The interactive buttons of a message: action_id → value, in order. */
function buttons(payload: { blocks?: unknown }): Array<[string | undefined, string | undefined]> {
  return blocksOf(payload)
    .filter((block) => block.type === 'actions')
    .flatMap((block) => block.elements ?? [])
    .filter((button) => button.url === undefined)
    .map((button) => [button.action_id, button.value]);
}

const titleOf = (text: string) => /^\*(.+?)\*/.exec(text)?.[1];

describe('buttons on search results', () => {
  test('More results replaces the list with the next page; the page travels in the button', async () => {
    running = await startApp();
    const first = await slash(running, 'reward model', 'page1');
    const more = buttons(first).find(([id]) => id === 'more_results');
    expect(more?.[1]).toBe('5:reward model'); // <offset>:<query as typed>
    await click(running, { action_id: 'more_results', value: more?.[1] ?? '' }, 'page2');
    const second = (await running.slack.waitFor(() => running?.slack.responses.find((r) => r.id === 'page2')))
      .body;
    expect(second.replace_original).toBe(true);
    expect(JSON.stringify(blocksOf(second)[1])).toMatch(/"text":"Papers 6–10 of \d+, best match first"/);
    const firstTitles = sectionTexts(first).map(titleOf);
    for (const title of sectionTexts(second).map(titleOf)) expect(firstTitles).not.toContain(title);
    expectValidMessage(second);
  });

  test('More like this answers with similar papers, never the paper itself', async () => {
    running = await startApp();
    const id = 'reward-model-ensembles-help-mitigate-overoptimization';
    await click(running, { action_id: 'more_like_this', value: id }, 'like');
    const answer = (await running.slack.waitFor(() => running?.slack.responses.find((r) => r.id === 'like')))
      .body;
    const titles = sectionTexts(answer).map(titleOf);
    expect(titles).toHaveLength(5);
    expect(titles).not.toContain('Reward Model Ensembles Help Mitigate Overoptimization');
    expect(titles.some((t) => /Reward Model/i.test(t ?? ''))).toBe(true);
    expect(answer.replace_original).toBe(false);
    expectValidMessage(answer);
  });

  test('Share to channel posts the card as shared by the user, and confirms privately', async () => {
    running = await startApp();
    await click(
      running,
      { action_id: 'share_paper', value: 'rlhf-workflow-from-reward-modeling-to-online-rlhf' },
      'share',
    );
    const confirmation = (
      await running.slack.waitFor(() => running?.slack.responses.find((r) => r.id === 'share'))
    ).body;
    expect(confirmation.text).toBe(':white_check_mark: Shared to the channel.');
    const [post] = running.slack.callsTo('chat.postMessage');
    expect(post?.args.channel).toBe('C0GENERAL');
    expect(blocksOf(post?.args ?? {})[0]?.elements?.[0]?.text).toBe(':link: Shared by <@U0ALICE>');
    expect(titleOf(sectionTexts(post?.args ?? {})[0] ?? '')).toBe(
      'RLHF Workflow: From Reward Modeling to Online RLHF',
    );
    // Links and Cite in the channel (its BibTeX answers whoever clicks, privately); no Share.
    expect(buttons(post?.args ?? {})).toEqual([
      ['cite_paper', 'rlhf-workflow-from-reward-modeling-to-online-rlhf'],
    ]);
  });

  test('Share where the bot is not a member says how to fix it', async () => {
    running = await startApp();
    running.slack.on('chat.postMessage', () => ({ body: { ok: false, error: 'not_in_channel' } }));
    await click(
      running,
      { action_id: 'share_paper', value: 'rlhf-workflow-from-reward-modeling-to-online-rlhf' },
      'share',
    );
    const answer = (await running.slack.waitFor(() => running?.slack.responses.find((r) => r.id === 'share')))
      .body;
    expect(answer.text).toContain("I can't post in this channel: invite me with `/invite @paperbot`");
  });

  test('URL buttons are acknowledged too', async () => {
    running = await startApp();
    const response = await click(running, { action_id: 'paper_link:pdf' }, 'url');
    expect(response.status).toBe(200);
  });
});

describe('the subscribe modal', () => {
  /** Clicks Subscribe; resolves to the view as opened and as updated with its preview. */
  async function openModal(app: RunningApp) {
    await click(app, { action_id: 'subscribe_topic', value: 'knowledge distillation' }, 'modal');
    const [update] = await app.slack.waitFor(
      () => app.slack.callsTo('views.update').length === 1 && app.slack.callsTo('views.update'),
    );
    const [open] = app.slack.callsTo('views.open');
    expect(update?.args.view_id).toBe(app.slack.views.keys().next().value); // the view views.open opened
    return {
      opened: open?.args.view as Record<string, unknown>,
      view: update?.args.view as Record<string, unknown>,
    };
  }

  test('opens prefilled with the query and a preview, and a valid submit subscribes the channel', async () => {
    running = await startApp({ clock: new FakeClock(new Date('2026-11-26T12:00:00Z')) });
    const { opened, view } = await openModal(running);
    expect(viewViolations(opened)).toEqual([]);
    expect(viewViolations(view)).toEqual([]);
    expect(JSON.stringify(opened.blocks)).toContain('"initial_value":"knowledge distillation"');
    expect(JSON.stringify(view.blocks)).toContain('"initial_value":"knowledge distillation"');
    expect(JSON.stringify(view.blocks)).toContain('Preview: what it would post now');
    const response = await postSigned(
      running.eventsUrl,
      viewSubmissionBody(view, {
        topic: { value: { type: 'plain_text_input', value: 'knowledge distillation' } },
        cadence: { value: { type: 'static_select', selected_option: { value: 'weekdays' } } },
        time: { value: { type: 'timepicker', selected_time: '08:30' } },
        tz: { value: { type: 'plain_text_input', value: 'Europe/Berlin' } },
      }),
      FORM,
    );
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(''); // closes the modal
    const [subscription] = await running.slack.waitFor(async () => {
      const stored = (await running?.store.inTeam('T0TEST')) ?? [];
      return stored.length === 1 && stored;
    });
    expect(subscription).toMatchObject({
      channel: 'C0GENERAL',
      topic: 'knowledge distillation',
      schedule: { cadence: 'weekdays', time: '08:30', tz: 'Europe/Berlin' },
    });
    const [ephemeral] = await running.slack.waitFor(
      () =>
        running?.slack.callsTo('chat.postEphemeral').length === 1 &&
        running.slack.callsTo('chat.postEphemeral'),
    );
    expect(ephemeral?.args).toMatchObject({ channel: 'C0GENERAL', user: 'U0ALICE' });
    expect(String(ephemeral?.args.text)).toContain('Subscribed this channel to knowledge distillation');
  });

  test('a bad time zone or a duplicate topic is shown in the modal on its field; nothing is stored', async () => {
    running = await startApp();
    const { view } = await openModal(running);
    const submit = async (topic: string, tz: string) => {
      const response = await postSigned(
        running?.eventsUrl ?? '',
        viewSubmissionBody(view, {
          topic: { value: { type: 'plain_text_input', value: topic } },
          cadence: { value: { type: 'static_select', selected_option: { value: 'daily' } } },
          time: { value: { type: 'timepicker', selected_time: '09:00' } },
          tz: { value: { type: 'plain_text_input', value: tz } },
        }),
        FORM,
      );
      return response.json();
    };
    expect(await submit('knowledge distillation', 'Mars/Olympus')).toEqual({
      response_action: 'errors',
      errors: {
        tz: 'tz Mars/Olympus is not a time zone I know; use a name like Europe/Paris or America/New_York.',
      },
    });
    expect(await submit('', '')).toMatchObject({
      response_action: 'errors',
      errors: { topic: expect.stringContaining('Say what to follow') },
    });
    expect(await running.store.inTeam('T0TEST')).toHaveLength(0);
    await slash(running, 'subscribe knowledge distillation', 'existing');
    expect(await submit('Knowledge Distillation', '')).toMatchObject({
      response_action: 'errors',
      errors: {
        topic: expect.stringMatching(/^This channel already follows this topic \(id [a-z0-9]+\)\.$/),
      },
    });
    expect(await running.store.inTeam('T0TEST')).toHaveLength(1);
  });
});

describe('digest feedback', () => {
  test('after 👍 and 👎, the next digest puts papers like the liked one first and leaves out a near copy of the disliked one', async () => {
    const liked = makePaper({
      title: 'Graph Neural Networks for Molecules',
      abstract: 'Graph neural networks predict molecular properties.',
      arrivedAt: '2026-11-25T10:00:00.000Z',
    });
    const disliked = makePaper({
      title: 'Neural Networks for Stock Prices',
      abstract: 'Recurrent neural networks forecast stock prices and markets.',
      arrivedAt: '2026-11-25T10:00:00.000Z',
    });
    const clock = new FakeClock(new Date('2026-11-25T12:00:00Z'));
    running = await startApp({ papers: [liked, disliked], clock });
    await slash(running, 'subscribe neural networks tz UTC', 'sub');
    const id = (await running.store.inTeam('T0TEST'))[0]?.id ?? '';
    clock.set('2026-11-26T09:00:00Z');
    await running.scheduler.tick(); // the first digest: the two papers above
    const digest = running.slack.callsTo('chat.postMessage').at(-1);
    expect(buttons(digest?.args ?? {})).toContainEqual(['digest_like', `${id}:${liked.id}`]);

    // New papers; by arrival alone the stock-market one (newest) would come first.
    await running.index.ingest({
      papers: [
        makePaper({
          title: 'Graph Neural Networks for Protein Molecules',
          abstract: 'Graph neural networks predict protein and molecular structure.',
          arrivedAt: '2026-11-26T11:00:00.000Z',
        }),
        makePaper({
          title: 'Neural Networks for Weather',
          abstract: 'Neural networks forecast rain.',
          arrivedAt: '2026-11-26T12:00:00.000Z',
        }),
        makePaper({
          title: 'Neural Networks for Stock Markets',
          abstract: 'Recurrent neural networks forecast stock prices and markets.',
          arrivedAt: '2026-11-26T13:00:00.000Z',
        }),
      ],
      skipped: [],
    });
    await click(running, { action_id: 'digest_like', value: `${id}:${liked.id}` }, 'up');
    await click(running, { action_id: 'digest_dislike', value: `${id}:${disliked.id}` }, 'down');
    const noted = (await running.slack.waitFor(() => running?.slack.responses.find((r) => r.id === 'up')))
      .body;
    expect(noted.text).toBe(
      ":thumbsup: Noted: this channel's digests will put papers like “Graph Neural Networks for Molecules” first.",
    );
    await running.slack.waitFor(
      async () =>
        (await running?.store.feedbackIn({ team: 'T0TEST', channel: 'C0GENERAL' }))?.[disliked.id] ===
        'dislike',
    );

    clock.set('2026-11-27T09:00:00Z');
    await running.scheduler.tick();
    const next = running.slack.callsTo('chat.postMessage').at(-1);
    expect(
      sectionTexts(next?.args ?? {})
        .slice(1)
        .map(titleOf),
    ).toEqual([
      'Graph Neural Networks for Protein Molecules',
      'Neural Networks for Weather',
      // "Neural Networks for Stock Markets" shares nearly every word of the disliked paper besides
      // the topic's: below the topic's floor now, not only last.
    ]);
    expectValidMessage(next?.args ?? {});
  });
});

test('bundled papers have no thumbnails; a paper with one shows it beside the card', async () => {
  const withThumb = makePaper({
    title: 'Thumbnail Paper',
    thumbnail: 'https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2405.13729.png',
    upvotes: 7,
    githubStars: 1200,
    categories: ['cs.LG', 'cs.CL'],
  });
  running = await startApp({ papers: [...bundledPapers(), withThumb] });
  const body = await slash(running, 'thumbnail paper', 'thumb');
  const section = blocksOf(body).find((block) => block.type === 'section') as
    | Record<string, unknown>
    | undefined;
  expect(section?.accessory).toEqual({
    type: 'image',
    image_url: withThumb.thumbnail,
    alt_text: 'Thumbnail Paper',
  });
  expect(blocksOf(body)[4]).toEqual({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: '▲ 7 upvotes · ★ 1,200 GitHub stars · cs.LG, cs.CL' }],
  });
  expectValidMessage(body);
});
