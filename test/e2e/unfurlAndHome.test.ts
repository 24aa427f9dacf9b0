import { writeFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { arxivIdOfLink } from '../../src/bot/unfurls.js';
import { Library } from '../../src/library.js';
import { silentLogger } from '../../src/logger.js';
import { corpusFile } from '../../src/papers/corpus.js';
import { arxivPaperFetcher } from '../../src/papers/refreshSources.js';
import { blockKitViolations, liveMarkup, sectionTexts, viewViolations } from '../support/blockKit.js';
import { FakeClock } from '../support/bot.js';
import { closedAfter } from '../support/cleanup.js';
import { arxivRows, FakeSources } from '../support/fakeSources.js';
import { makePaper } from '../support/papers.js';
import { buttonClickBody, eventBody, postSigned, slashCommandBody } from '../support/signing.js';
import { type RunningApp, startApp } from '../support/slackApp.js';
import { subscription } from '../support/subscriptions.js';
import { tempDir } from '../support/tmp.js';

let running: RunningApp | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

const FORM = 'application/x-www-form-urlencoded';

describe('arxivIdOfLink', () => {
  test.each([
    ['https://arxiv.org/abs/2310.02743', '2310.02743'],
    ['https://arxiv.org/abs/2310.02743v3', '2310.02743'],
    ['http://arxiv.org/pdf/2310.02743v1.pdf', '2310.02743'],
    ['https://arxiv.org/pdf/2310.02743', '2310.02743'],
    ['https://huggingface.co/papers/2310.02743', '2310.02743'],
    ['https://huggingface.co/papers/2310.02743#community', '2310.02743'],
    ['https://arxiv.org/list/cs.LG/recent', undefined],
    ['https://huggingface.co/models', undefined],
    ['https://evil.example/arxiv.org/abs/2310.02743', undefined],
  ])('%s → %s', (url, id) => {
    expect(arxivIdOfLink(url)).toBe(id);
  });
});

describe('link unfurling', () => {
  let sources: FakeSources;
  const rows = arxivRows(5);
  beforeAll(async () => {
    sources = await new FakeSources().start();
    sources.arxiv = rows;
  });
  afterAll(async () => sources.stop());

  const linkShared = (urls: string[]) =>
    eventBody({
      type: 'link_shared',
      channel: 'C0GENERAL',
      user: 'U0ALICE',
      message_ts: '1700000000.000100',
      links: urls.map((url) => ({ url, domain: new URL(url).hostname })),
    });

  test('a known paper and an unknown one (fetched from arXiv, then added to the corpus) are previewed; a dead link is left alone', async () => {
    const dataDir = tempDir('paperbot-unfurl-');
    writeFileSync(corpusFile(dataDir), '');
    const library = closedAfter(await Library.open(dataDir, silentLogger));
    await library.ingest({
      papers: [makePaper({ id: '2310.02743', arxivId: '2310.02743', title: 'Reward Model Ensembles' })],
      skipped: [],
    });
    const fetchPaper = arxivPaperFetcher(
      library,
      { hfApiUrl: sources.hfUrl, arxivApiUrl: sources.arxivUrl, arxivCategories: [], arxivMax: 1 },
      () => new Date('2026-11-26T12:00:00Z'),
      { sleep: async () => {} },
    );
    running = await startApp({ index: library, fetchPaper });
    const known = 'https://arxiv.org/abs/2310.02743v2';
    const unknown = `https://huggingface.co/papers/${rows[2]?.id}`;
    const dead = 'https://arxiv.org/abs/2999.99999';
    await postSigned(running.eventsUrl, linkShared([known, unknown, dead]), 'application/json');
    const [unfurl] = await running.slack.waitFor(
      () => running?.slack.callsTo('chat.unfurl').length === 1 && running.slack.callsTo('chat.unfurl'),
    );
    expect(unfurl?.args).toMatchObject({ channel: 'C0GENERAL', ts: '1700000000.000100' });
    const unfurls = unfurl?.args.unfurls as Record<string, { blocks: unknown[] }>;
    expect(Object.keys(unfurls).sort()).toEqual([known, unknown].sort());
    expect(sectionTexts(unfurls[known] ?? {})[0]).toMatch(/^\*Reward Model Ensembles\*/);
    expect(sectionTexts(unfurls[unknown] ?? {})[0]).toContain(
      rows[2]?.title.replace(/\s+/g, ' ').trim().slice(0, 40) ?? '',
    );
    for (const preview of Object.values(unfurls))
      expect(blockKitViolations({ text: 'x', ...preview })).toEqual([]);
    expect(await library.getByArxivId(rows[2]?.id ?? '')).toBeDefined(); // now in the corpus
    expect(sources.requests.filter((r) => r.includes('id_list'))).toHaveLength(2); // the unknown and the dead one
  });

  test('/paper with the id or link of a paper not in the corpus fetches it from arXiv, adds it and answers with it', async () => {
    const library = await Library.inMemory([]);
    const fetchPaper = arxivPaperFetcher(
      library,
      { hfApiUrl: sources.hfUrl, arxivApiUrl: sources.arxivUrl, arxivCategories: [], arxivMax: 1 },
      () => new Date('2026-11-26T12:00:00Z'),
      { sleep: async () => {} },
    );
    running = await startApp({ index: library, fetchPaper });
    const wanted = rows[3];
    for (const [text, id] of [
      [`https://arxiv.org/abs/${wanted?.id}`, 'by-link'],
      [`${wanted?.id}`, 'by-id'],
    ] as const) {
      await postSigned(running.eventsUrl, slashCommandBody(text, running.slack.responseUrl(id)), FORM);
      const { body } = await running.slack.waitFor(() => running?.slack.responses.find((r) => r.id === id));
      expect(sectionTexts(body)[0]).toContain(wanted?.title.replace(/\s+/g, ' ').trim().slice(0, 40) ?? '');
    }
    expect(await library.getByArxivId(wanted?.id ?? '')).toBeDefined(); // now in the corpus
    // Fetched once: the second answer came from the corpus.
    expect(sources.requests.filter((r) => r.includes(`id_list=${wanted?.id}`))).toHaveLength(1);
    // An id arXiv does not know is said to be missing.
    await postSigned(
      running.eventsUrl,
      slashCommandBody('2999.99999', running.slack.responseUrl('dead')),
      FORM,
    );
    const { body: dead } = await running.slack.waitFor(() =>
      running?.slack.responses.find((r) => r.id === 'dead'),
    );
    expect(JSON.stringify(dead)).toContain(
      'arXiv:2999.99999 is not among my 1 papers, and arXiv does not know it',
    );
  });

  test('when nothing resolves (arXiv down), no chat.unfurl is made: Slack keeps its own preview', async () => {
    running = await startApp({ fetchPaper: async () => Promise.reject(new Error('arXiv is down')) });
    await postSigned(running.eventsUrl, linkShared(['https://arxiv.org/abs/2999.99999']), 'application/json');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(running.slack.callsTo('chat.unfurl')).toHaveLength(0);
  });
});

describe('the Home tab', () => {
  const openHome = (app: RunningApp) =>
    postSigned(
      app.eventsUrl,
      eventBody({ type: 'app_home_opened', user: 'U0ALICE', channel: 'D0ALICE', tab: 'home' }),
      'application/json',
    );

  async function withSubscriptions(count: number): Promise<RunningApp> {
    const app = await startApp({ clock: new FakeClock(new Date('2026-11-26T12:00:00Z')) });
    app.slack.on('users.conversations', () => ({
      body: { ok: true, channels: [{ id: 'C0GENERAL' }, { id: 'C0RESEARCH' }] },
    }));
    for (let i = 0; i < count; i++) {
      await app.store.add(
        subscription(`s${String(i).padStart(4, '0')}`, {
          channel: i % 2 ? 'C0GENERAL' : 'C0RESEARCH',
          topic: `topic <!here> ${i}`,
          createdBy: 'U0BOB',
        }),
      );
    }
    await app.store.add(subscription('elsewhere', { channel: 'C0OTHER', createdBy: 'U0BOB' })); // not the user's channel
    return app;
  }

  async function published(app: RunningApp, count: number) {
    const calls = await app.slack.waitFor(
      () => app.slack.callsTo('views.publish').length === count && app.slack.callsTo('views.publish'),
    );
    const view = calls.at(-1)?.args.view as Record<string, unknown>;
    expect(calls.at(-1)?.args.user_id).toBe('U0ALICE');
    expect(viewViolations(view)).toEqual([]);
    expect(liveMarkup({ blocks: view.blocks })).toEqual([]);
    return { view, text: JSON.stringify(view.blocks) };
  }

  test.each([0, 3, 200])(
    'with %i subscriptions: usage, the subscriptions of the user’s channels, the newest papers, under 100 blocks',
    async (count) => {
      running = await withSubscriptions(count);
      await openHome(running);
      const { view, text } = await published(running, 1);
      expect(view.type).toBe('home');
      expect((view.blocks as unknown[]).length).toBeLessThanOrEqual(100);
      expect(text).toContain('/paper reward model ensembles');
      expect(text).toContain('*Newest papers*');
      expect(text).not.toContain('`elsewhere`');
      if (count === 0) expect(text).toContain('None yet');
      else
        expect(text).toContain(
          `*Your channels' subscriptions* (${count}${count > 15 ? `, page 1 of ${Math.ceil(count / 15)}` : ''})`,
        );
      if (count === 3) expect(text).toContain('*topic &lt;!here&gt; 0* in <#C0RESEARCH>');
      if (count === 200) {
        expect(text).toMatch(/"action_id":"home_page","text":\{[^}]*"text":"Next →"[^}]*\},"value":"1"/);
        await postSigned(
          running.eventsUrl,
          buttonClickBody(
            { action_id: 'home_page', value: '13' },
            { responseUrl: running.slack.responseUrl('p') },
          ),
          'application/x-www-form-urlencoded',
        );
        const last = await published(running, 2);
        expect(last.text).toContain('page 14 of 14');
        expect(last.text).toContain('`s0199`');
      }
    },
  );

  test('pause, resume and remove work, and the tab is republished with the new state', async () => {
    running = await withSubscriptions(3);
    const click = (action_id: string, value: string) =>
      postSigned(
        running?.eventsUrl ?? '',
        buttonClickBody({ action_id, value }, { responseUrl: running?.slack.responseUrl('h') ?? '' }),
        'application/x-www-form-urlencoded',
      );
    await click('home_pause', 's0001');
    expect((await published(running, 1)).text).toContain('paused: paused from the Home tab');
    expect((await running.store.get('T0TEST', 's0001'))?.state.status).toBe('paused');
    await click('home_resume', 's0001');
    await published(running, 2);
    expect((await running.store.get('T0TEST', 's0001'))?.state).toEqual({ status: 'active' });
    // As with `/paper resume`: the next run is the schedule's next one from now, missed runs are not replayed.
    expect((await running.store.get('T0TEST', 's0001'))?.nextRunAt).toBe('2026-11-27T09:00:00.000Z');
    await click('home_remove', 's0002');
    const { text } = await published(running, 3);
    expect(await running.store.get('T0TEST', 's0002')).toBeUndefined();
    expect(text).not.toContain('`s0002`');
    expect(text).toContain("*Your channels' subscriptions* (2)");
  });
});
