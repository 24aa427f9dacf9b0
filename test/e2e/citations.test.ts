import { afterEach, describe, expect, test } from '@jest/globals';
import { createMemoryDiscussionStore } from '../../src/discussions/store.js';
import { Library } from '../../src/library.js';
import { createMemoryCitationStore } from '../../src/papers/citations.js';
import type { Paper } from '../../src/papers/paper.js';
import { blocksOf, expectValidMessage } from '../support/blockKit.js';
import { FakeClock } from '../support/bot.js';
import { FakeSemanticScholar, type S2Fault } from '../support/fakeSemanticScholar.js';
import { FakeSlack, type StoredMessage } from '../support/fakeSlack.js';
import { makePaper } from '../support/papers.js';
import { postSigned, slashCommandBody } from '../support/signing.js';
import { type RunningApp, type StartOptions, startApp } from '../support/slackApp.js';
import { shareLink } from '../support/userActions.js';

const FORM = 'application/x-www-form-urlencoded';
const DAY_MS = 86_400_000;
const apps: RunningApp[] = [];
let slack: FakeSlack | undefined;
let s2: FakeSemanticScholar | undefined;
afterEach(async () => {
  for (const app of apps.splice(0)) await app.stop(false);
  await slack?.stop();
  await s2?.stop();
  slack = undefined;
  s2 = undefined;
});

const discussed = makePaper({
  id: '2310.02743',
  arxivId: '2310.02743',
  title: 'Reward Model Ensembles Help Mitigate Overoptimization',
  abstract: 'Ensembles of reward models mitigate overoptimization in RLHF.',
  arrivedAt: '2026-11-20T00:00:00.000Z',
});
const background = Array.from({ length: 8 }, (_, i) =>
  makePaper({
    id: `2402.0000${i}`,
    arxivId: `2402.0000${i}`,
    title: `Protein Folding ${i}`,
    abstract: 'Proteins fold.',
  }),
);
/** A new paper (arXiv 2411.0000n) that cites the discussed one. */
const citing = (n: number): Paper =>
  makePaper({
    id: `2411.0000${n}`,
    arxivId: `2411.0000${n}`,
    title: `Reward Model Ensembles, Revisited ${n}`,
    abstract: 'We revisit ensembles of reward models.',
    // Arrives an hour after the one before it (the fault test ingests one an hour).
    arrivedAt: new Date(Date.parse('2026-11-26T12:01:00.000Z') + (n - 1) * 3_600_000).toISOString(),
  });

const followUpsIn = (channel: string): StoredMessage[] =>
  (slack?.messagesIn(channel) ?? []).filter((m) => m.metadata?.event_type === 'paperbot_follow_up');

async function start(library: Library, options: Partial<StartOptions> = {}): Promise<RunningApp> {
  const app = await startApp({
    index: library,
    library,
    slack,
    semanticScholar: { apiUrl: s2?.url as string, timeoutMs: 300 },
    ...options,
  });
  app.slack.addChannel({ id: 'C0ML', name: 'ml-reading' });
  apps.push(app);
  return app;
}

/** Runs citation passes (and the follow-ups they start) until none has anything left to do. */
async function settle(app: RunningApp): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await app.tracker?.tick();
    await app.followUps.idle();
  }
}

async function slash(app: RunningApp, text: string, id: string, channel = 'C0ML') {
  await postSigned(
    app.eventsUrl,
    slashCommandBody(text, app.slack.responseUrl(id), { channel_id: channel }),
    FORM,
  );
  return (await app.slack.waitFor(() => app.slack.responses.find((r) => r.id === id))).body;
}

describe('citations of discussed papers', () => {
  test('a new paper citing a discussed one is told once in its thread, through a repeated ingest, a second replica and a restart', async () => {
    slack = await new FakeSlack().start();
    s2 = await new FakeSemanticScholar().start();
    s2.add(
      {
        arxivId: discussed.arxivId as string,
        citationCount: 250,
        influentialCitationCount: 31,
        references: [],
      },
      {
        arxivId: '2411.00001',
        citationCount: 0,
        influentialCitationCount: 0,
        references: [discussed.arxivId as string, '1706.03762'], // the second is not in the corpus
      },
    );
    const clock = new FakeClock(new Date('2026-11-26T12:00:00Z'));
    const discussions = createMemoryDiscussionStore();
    const citations = createMemoryCitationStore();
    const shared = { clock, discussions, citations };
    const library = await Library.inMemory([discussed, ...background]);
    const first = await start(library, shared);
    const thread = await shareLink(first, 'C0ML', discussed);

    await library.ingest({ papers: [citing(1)], skipped: [] });
    await settle(first);
    const [told, ...more] = followUpsIn('C0ML');
    expect(more).toEqual([]);
    expect(told?.thread_ts).toBe(thread);
    expectValidMessage(told as StoredMessage);
    expect(blocksOf(told as StoredMessage)[0]?.text).toMatchObject({
      text: `:paperclip: *${citing(1).title}* cites *${discussed.title}*`,
    });
    expect(told?.text).toBe(`${citing(1).title} cites ${discussed.title}`);
    expect(blocksOf(told as StoredMessage).some((b) => b.block_id === `paper:${citing(1).id}`)).toBe(true);
    expect(s2.requests.map((r) => r.ids)).toEqual([['ARXIV:2411.00001']]);

    // The same paper ingested again, and its references read again a day later: nothing more.
    await library.ingest({ papers: [citing(1)], skipped: [] });
    await citations.want(['2411.00001'], clock.now(), true);
    clock.advance(DAY_MS + 1);
    await settle(first);
    expect(followUpsIn('C0ML')).toHaveLength(1);

    // A second replica (its own corpus, the same stores) ingests it as new: nothing more.
    const otherLibrary = await Library.inMemory([discussed, ...background]);
    const second = await start(otherLibrary, shared);
    await otherLibrary.ingest({ papers: [citing(1)], skipped: [] });
    clock.advance(DAY_MS + 1);
    await settle(second);
    expect(followUpsIn('C0ML')).toHaveLength(1);

    // A restart of the first replica: nothing more either.
    await first.stop(false);
    apps.splice(apps.indexOf(first), 1);
    const restarted = await start(library, shared);
    await restarted.followUps.settle();
    await settle(restarted);
    expect(followUpsIn('C0ML')).toHaveLength(1);
    expect((await discussions.followUpsIn('T0TEST')).map((f) => [f.news, f.status])).toEqual([
      [{ kind: 'cited', by: citing(1).id }, 'posted'],
    ]);

    // The discussed paper was shown on a card and fetched since: its card says how often it is cited.
    await slash(restarted, 'reward model ensembles', 'search1');
    clock.advance(DAY_MS + 1);
    await settle(restarted);
    const answer = await slash(restarted, 'reward model ensembles', 'search2');
    expectValidMessage(answer);
    expect(JSON.stringify(answer)).toContain(':books: Cited by 250 (31 influential) · Semantic Scholar');
    // So do its digest cards, in a channel where it was not shared yet.
    restarted.slack.addChannel({ id: 'C0GENERAL', name: 'general' });
    await slash(restarted, 'subscribe reward model ensembles', 'sub', 'C0GENERAL');
    const [subscription] = await restarted.store.inChannel({ team: 'T0TEST', channel: 'C0GENERAL' });
    await slash(restarted, `digest now ${subscription?.id}`, 'now', 'C0GENERAL');
    const digest = restarted.slack
      .messagesIn('C0GENERAL')
      .find((m) => m.metadata?.event_type === 'paperbot_digest') as StoredMessage;
    expectValidMessage(digest);
    expect(JSON.stringify(digest.blocks)).toContain(':books: Cited by 250 (31 influential)');
  });

  test('Semantic Scholar answering 429, 500, nothing and garbage leaves answers and digests unaffected, and its news comes later', async () => {
    const clock = new FakeClock(new Date('2026-11-26T12:00:00Z'));
    // The channel's posting rate on the scenario's clock: its four hours leave the news room to post.
    slack = await new FakeSlack({ now: () => clock.now().getTime() }).start();
    s2 = await new FakeSemanticScholar().start();
    const faults: S2Fault[] = ['rate-limit', 'server-error', 'timeout', 'garbage'];
    for (const n of [1, 2, 3, 4])
      s2.add({
        arxivId: `2411.0000${n}`,
        citationCount: n,
        influentialCitationCount: 0,
        references: ['2310.02743'],
      });
    const library = await Library.inMemory([discussed, ...background]);
    const app = await start(library, { clock });
    await shareLink(app, 'C0ML', discussed);
    await slash(app, 'subscribe reward model ensembles daily', 'sub');
    const [subscription] = await app.store.inChannel({ team: 'T0TEST', channel: 'C0ML' });

    for (const [i, fault] of faults.entries()) {
      s2.fail(fault);
      await library.ingest({ papers: [citing(i + 1)], skipped: [] });
      const pass = await app.tracker?.tick();
      await app.followUps.idle();
      expect(pass?.stopped).toBeDefined();
      expect(followUpsIn('C0ML')).toHaveLength(0);
      // Answers and digests go on as if Semantic Scholar did not exist.
      const answer = await slash(app, 'reward model ensembles', `search-${fault}`);
      expectValidMessage(answer);
      expect(answer.text).toContain(citing(i + 1).title);
      const digest = await slash(app, `digest now ${subscription?.id}`, `digest-${fault}`);
      expect([fault, digest.text]).toEqual([
        fault,
        expect.stringMatching(/^:newspaper: Posted 1 new paper on/),
      ]);
      clock.advance(3_600_000 + 1); // past any back-off
    }
    await settle(app);
    const told = followUpsIn('C0ML');
    expect(told).toHaveLength(4);
    for (const message of told) expectValidMessage(message);
    expect(told.map((m) => m.text).sort()).toEqual(
      [1, 2, 3, 4].map((n) => `${citing(n).title} cites ${discussed.title}`).sort(),
    );
  });
});
