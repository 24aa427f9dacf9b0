import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { blocksOf, expectValidMessage, firstButtons, sectionTexts } from '../support/blockKit.js';
import { bundledPapers, makePaper } from '../support/papers.js';
import { postSigned, slashCommandBody } from '../support/signing.js';
import { type RunningApp, startApp } from '../support/slackApp.js';

const FORM = 'application/x-www-form-urlencoded';

/** A paper whose every text field tries to ping, broadcast or forge a link. */
const hostile = makePaper({
  title: `<!channel> <http://evil.example|Click me> &amp; zanzibar ${'x'.repeat(5000)}`,
  abstract: `<!here> zanzibar <@U0BOSS> says <https://evil.example|a trusted link>. ${'Reward model. '.repeat(400)}`,
  authors: ['<!everyone>', 'Mallory <mailto:m@evil.example|Boss>'],
});

describe('/paper through the Bolt HTTP receiver', () => {
  let running: RunningApp;
  beforeAll(async () => {
    running = await startApp({ papers: [...bundledPapers(), hostile] });
  });
  afterAll(async () => running.stop());

  async function slash(text: string, id: string) {
    const response = await postSigned(
      running.eventsUrl,
      slashCommandBody(text, running.slack.responseUrl(id)),
      FORM,
    );
    const posted = await running.slack.waitFor(() => running.slack.responses.find((r) => r.id === id));
    return { status: response.status, body: posted.body };
  }

  test('a query is acked, then answered ephemerally with the best paper first', async () => {
    const { status, body } = await slash('reward model ensembles', 'query');
    expect(status).toBe(200);
    expect(body.response_type).toBe('ephemeral');
    expect(blocksOf(body)[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'Papers for “reward model ensembles”', emoji: false },
    });
    const cards = sectionTexts(body);
    expect(cards).toHaveLength(5);
    expect(cards[0]).toMatch(/^\*Reward Model Ensembles Help Mitigate Overoptimization\*\n/);
    expect(cards[0]).toContain('*ensemble*');
    expect(body.text).toContain('1. Reward Model Ensembles Help Mitigate Overoptimization');
    expectValidMessage(body);
  });

  test('the card links to a title search when the paper page is unknown, and to the code', async () => {
    const { body } = await slash('"online iterative" RLHF workflow', 'links');
    expect(firstButtons(body)).toEqual([
      [
        'Find on arXiv',
        'https://arxiv.org/search/?query=RLHF+Workflow%3A+From+Reward+Modeling+to+Online+RLHF&searchtype=title',
      ],
      ['Code: RLHFlow/RLHF-Reward-Modeling', 'https://github.com/RLHFlow/RLHF-Reward-Modeling'],
      ['Code: RLHFlow/Online-RLHF', 'https://github.com/RLHFlow/Online-RLHF'],
      ['Share to channel', undefined],
      ['More like this', undefined],
      ['Cite', undefined],
    ]);
  });

  test('/paper alone shows the usage', async () => {
    const { body } = await slash('', 'empty');
    expect(body.text).toMatch(/^How to use paperbot/);
    expect(JSON.stringify(body.blocks)).toContain('/paper reward model ensembles');
    expectValidMessage(body);
  });

  test('/paper help shows the usage', async () => {
    const { body } = await slash('help', 'help');
    expect(body.text).toMatch(/^How to use paperbot/);
  });

  test('no hits says so and suggests a broader query', async () => {
    const { body } = await slash('zebrafish cardiology', 'none');
    expect(body.text).toContain('No papers match “zebrafish cardiology”');
    expect(body.text).toContain('fewer or broader words');
    expectValidMessage(body);
  });

  test('a malformed filter says what to type', async () => {
    const { body } = await slash('diffusion after:yesterday', 'bad-date');
    expect(body.text).toContain('`after:yesterday` is not a date; write it as `after:2024-01-31`');
    expectValidMessage(body);
  });

  test('hostile titles and abstracts cannot ping, broadcast or forge a link, and fit Block Kit', async () => {
    const { body } = await slash('zanzibar', 'hostile');
    const [card] = sectionTexts(body);
    // The text is shown, escaped, so Slack displays it literally and acts on none of it.
    expect(card).toMatch(
      /^\*&lt;!channel&gt; &lt;http:\/\/evil\.example\|Click me&gt; &amp;amp; zanzibar x+…\*\n/,
    );
    expect(card).toContain('&lt;!everyone&gt; and Mallory &lt;mailto:m@evil.example|Boss&gt;');
    expect(card).toContain(
      '&lt;!here&gt; *zanzibar* &lt;@U0BOSS&gt; says &lt;https://evil.example|a trusted link&gt;',
    );
    expect(body.text).toContain('&lt;!channel&gt;');
    expectValidMessage(body); // includes: no `<...>` anywhere in mrkdwn or the fallback text
  });

  test('a hostile query is echoed inert', async () => {
    const { body } = await slash('<!channel> <https://evil.example|login> reward', 'hostile-query');
    // The header is plain_text, which Slack never parses; the fallback text is escaped.
    expect(blocksOf(body)[0]?.text?.type).toBe('plain_text');
    expect(body.text).toContain('“&lt;!channel&gt; &lt;https://evil.example|login&gt; reward”');
    expectValidMessage(body);
  });
});
