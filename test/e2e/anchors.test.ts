import { afterEach, describe, expect, test } from '@jest/globals';
import { blocksOf, expectValidMessage, sectionTexts, viewViolations } from '../support/blockKit.js';
import { FakeClock } from '../support/bot.js';
import { HF_NOW, recentHfPapers } from '../support/hfPapers.js';
import { buttonClickBody, postSigned } from '../support/signing.js';
import { type RunningApp, startApp } from '../support/slackApp.js';
import { slash } from '../support/userActions.js';

/** What every paper tool has, through the real Bolt app and the strict fake Slack: cite, trending, following authors. */
const FORM = 'application/x-www-form-urlencoded';
let running: RunningApp | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

const start = async () => {
  running = await startApp({ papers: recentHfPapers(7), clock: new FakeClock(new Date(HF_NOW)) });
  return running;
};

async function clickCite(app: RunningApp, paperId: string, id: string) {
  const response = await postSigned(
    app.eventsUrl,
    buttonClickBody({ action_id: 'cite_paper', value: paperId }, { responseUrl: app.slack.responseUrl(id) }),
    FORM,
  );
  expect(response.status).toBe(200);
  return (await app.slack.waitFor(() => app.slack.responses.find((r) => r.id === id))).body;
}

const titles = (payload: { blocks?: unknown }) =>
  sectionTexts(payload).flatMap((text) => /^\*(.+?)\*\n/.exec(text)?.[1] ?? []);

describe('cite', () => {
  test('/paper cite answers only the user with the BibTeX in a code block', async () => {
    const app = await start();
    const answer = await slash(app, 'cite https://arxiv.org/abs/2608.19880v2', 'cite');
    expect(answer.response_type).toBe('ephemeral');
    const [about, code] = sectionTexts(answer);
    expect(about).toContain('BibTeX for “EnvHarness: Awakening Static Worlds for Agent Learning”');
    expect(code).toMatch(/^```\n@misc\{huang2026envharness,\n/);
    expect(code).toContain('eprint        = {2608.19880}');
    expectValidMessage(answer);
    expect(app.slack.callsTo('chat.postMessage')).toHaveLength(0); // nothing in the channel
  });

  test('the Cite button of a search card answers privately with the same entry', async () => {
    const app = await start();
    const results = await slash(app, 'EnvHarness static worlds', 'search');
    const cite = blocksOf(results)
      .flatMap((block) => block.elements ?? [])
      .find((element) => element.action_id === 'cite_paper');
    expect(cite?.value).toBe('2608.19880');
    const answer = await clickCite(app, cite?.value ?? '', 'click');
    expect(answer).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(sectionTexts(answer)).toEqual(sectionTexts(await slash(app, 'cite 2608.19880', 'typed')));
    expectValidMessage(answer);
  });

  test('a Cite click without a response URL (a Home tab card) opens the entry in a modal', async () => {
    const app = await start();
    const body = new URLSearchParams(
      buttonClickBody({ action_id: 'cite_paper', value: '2608.19880' }, { responseUrl: '' }),
    );
    const payload = JSON.parse(body.get('payload') ?? '{}');
    delete payload.response_url;
    delete payload.channel;
    payload.container = { type: 'view', view_id: 'V0HOME' };
    const response = await postSigned(
      app.eventsUrl,
      new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
      FORM,
    );
    expect(response.status).toBe(200);
    const opened = await app.slack.waitFor(() => app.slack.callsTo('views.open')[0]);
    const view = opened.args.view as Record<string, unknown>;
    expect(viewViolations(view)).toEqual([]);
    expect(JSON.stringify(view)).toContain('eprint        = {2608.19880}');
  });
});

describe('trending', () => {
  test('/paper trending week: the most upvoted cards of the week, each valid, with a Cite button', async () => {
    const app = await start();
    const answer = await slash(app, 'trending week', 'trending');
    expect(titles(answer)).toEqual([
      'EnvHarness: Awakening Static Worlds for Agent Learning',
      'Zetta ζ: An Efficient Closed-Loop Embodied Harness for Self-Evolving Physical Intelligence',
      'Co-RL: Unsupervised Reasoning Emerges from Diverse Cohort in Multi-agent RL',
      'SemaPLC: A Project-Grounded, Verification-Gated Agent Harness for PLC Code Generation',
      'SemComp-Bench: Benchmarking Semantic Task Completion in Video Generation',
    ]);
    expect(JSON.stringify(answer)).toContain('▲ 163 upvotes');
    expect(blocksOf(answer).filter((b) => JSON.stringify(b).includes('"cite_paper"'))).toHaveLength(5);
    expectValidMessage(answer);
  });

  test('a "top 3 trending" subscription posts its digest in the channel', async () => {
    const app = await start();
    const subscribed = await slash(app, 'subscribe top 3 trending', 'sub');
    const id = /\(id `([a-z0-9]+)`\)/.exec(sectionTexts(subscribed)[0] ?? '')?.[1];
    expect(id).toBeDefined();
    const done = await slash(app, `digest now ${id}`, 'now');
    expect(sectionTexts(done)[0]).toContain('Posted 3 new papers');
    const digest = app.slack.callsTo('chat.postMessage').at(-1)?.args as { text: string; blocks: unknown };
    expect(digest.text.split('\n')[0]).toBe('The 3 most upvoted new papers of the last day:');
    expectValidMessage(digest);
  });
});

describe('following authors', () => {
  test('subscribe author:"…" then digest now: the author\'s papers, the author marked on every card', async () => {
    const app = await start();
    const subscribed = await slash(app, 'subscribe author:"Nuno Vasconcelos" weekly', 'sub');
    expect(sectionTexts(subscribed)[0]).toContain('Subscribed this channel to *author:"Nuno Vasconcelos"*');
    const id = /\(id `([a-z0-9]+)`\)/.exec(sectionTexts(subscribed)[0] ?? '')?.[1];
    await slash(app, `digest now ${id}`, 'now');
    const digest = app.slack.callsTo('chat.postMessage').at(-1)?.args as { text: string; blocks: unknown };
    expect(digest.text).toMatch(/^3 new papers on author:"Nuno Vasconcelos"/);
    const cards = sectionTexts(digest).filter((text) => text.startsWith('*'));
    expect(cards).toHaveLength(3);
    for (const card of cards) expect(card).toContain('*Nuno Vasconcelos* (followed)');
    expectValidMessage(digest);
    // The channel's /paper results mark him too.
    expect(
      JSON.stringify(await slash(app, 'self-supervised visual on-policy distillation', 'search')),
    ).toContain('*Nuno Vasconcelos* (followed)');
  });
});
