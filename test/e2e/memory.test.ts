import { afterEach, describe, expect, test } from '@jest/globals';
import { blocksOf, expectValidMessage } from '../support/blockKit.js';
import { FakeClock } from '../support/bot.js';
import type { ApiCall } from '../support/fakeSlack.js';
import { makePaper } from '../support/papers.js';
import { buttonClickBody, eventBody, postSigned } from '../support/signing.js';
import { type RunningApp, startApp } from '../support/slackApp.js';
import { slash } from '../support/userActions.js';

const FORM = 'application/x-www-form-urlencoded';
const DAY_MS = 86_400_000;
let running: RunningApp | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

const ensembles = makePaper({
  id: '2310.02743',
  arxivId: '2310.02743',
  title: 'Reward Model Ensembles Help Mitigate Overoptimization',
  abstract: 'Ensembles of reward models mitigate overoptimization in RLHF.',
  arrivedAt: '2026-11-20T00:00:00.000Z',
});
const other = makePaper({
  id: '2401.00002',
  arxivId: '2401.00002',
  title: 'Uncertainty in Reward Model Ensembles',
  abstract: 'Reward model ensembles estimate uncertainty for overoptimization.',
  arrivedAt: '2026-11-21T00:00:00.000Z',
});
const background = Array.from({ length: 10 }, (_, i) =>
  makePaper({
    title: `Protein Folding ${i}`,
    abstract: 'Proteins fold.',
    arrivedAt: '2026-10-01T00:00:00.000Z',
  }),
);
const PAPERS = [ensembles, other, ...background];
const LINK = 'https://arxiv.org/abs/2310.02743v2';

async function start(): Promise<RunningApp> {
  const app = await startApp({ papers: PAPERS, clock: new FakeClock(new Date('2026-11-26T12:00:00Z')) });
  app.slack.addChannel({ id: 'C0GENERAL', name: 'general' });
  app.slack.addChannel({ id: 'C0ML', name: 'ml-reading' });
  app.slack.addChannel({ id: 'C0SECRET', name: 'secret', isPrivate: true });
  app.slack.addUser({ id: 'U0GUEST', guest: 'multi' });
  return app;
}

/** Someone posts the link in `channel`; Slack sends link_shared; resolves to the unfurl call. */
async function shareLink(
  app: RunningApp,
  channel: string,
  user = 'U0BOB',
): Promise<{ ts: string; unfurl: ApiCall }> {
  const { ts } = app.slack.userMessage(channel, { text: `worth a read <${LINK}>`, user });
  const before = app.slack.callsTo('chat.unfurl').length;
  await postSigned(
    app.eventsUrl,
    eventBody({
      type: 'link_shared',
      channel,
      user,
      message_ts: ts,
      links: [{ url: LINK, domain: 'arxiv.org' }],
    }),
    'application/json',
  );
  const unfurl = await app.slack.waitFor(() => app.slack.callsTo('chat.unfurl')[before]);
  // Remembered after the unfurl: wait until the store has it.
  await app.slack.waitFor(async () =>
    (await app.discussions.ofPaper('T0TEST', ensembles.id)).some((s) => s.ts === ts),
  );
  return { ts, unfurl };
}

/** The "discussed" line under a paper's card, and its button's URL. */
function discussed(payload: { blocks?: unknown }, paperId: string) {
  const block = blocksOf(payload).find((b) => b.block_id === `discussed:${paperId}`);
  return block
    ? {
        text: (block.text as { text: string }).text,
        url: (block.accessory as { url?: string } | undefined)?.url,
      }
    : undefined;
}

describe('the workspace’s memory', () => {
  test('a shared link is remembered; cards then say where it was discussed, with the thread, only where the viewer can see', async () => {
    running = await start();
    const app = running;
    const { ts } = await shareLink(app, 'C0ML');
    const [sighting] = await app.discussions.ofPaper('T0TEST', ensembles.id);
    expect(sighting).toEqual({
      team: 'T0TEST',
      channel: 'C0ML',
      ts,
      threadTs: ts,
      paperId: ensembles.id,
      kind: 'link',
      user: 'U0BOB',
      at: '2026-11-26T12:00:00.000Z',
      permalink: `https://fake.slack.com/archives/C0ML/p${ts.replace('.', '')}`,
    });
    for (let i = 0; i < 12; i++) app.slack.userMessage('C0ML', { text: `reply ${i}`, thread_ts: ts });
    app.clock.advance(3 * DAY_MS);

    // Alice searches in #general: the card says it was discussed in #ml-reading (a public channel).
    const answer = await slash(app, 'reward model ensembles', 'search');
    // The thread is not read while Alice waits (Slack allows a distributed app one read a
    // minute): the line says where, when, and links the thread, without a count paperbot never saw.
    expect(discussed(answer, ensembles.id)).toEqual({
      text: `:speech_balloon: Shared in <#C0ML>, 3 days ago`,
      url: sighting?.permalink,
    });
    expect(discussed(answer, other.id)).toBeUndefined();
    expectValidMessage(answer);
    expect(app.slack.callsTo('conversations.replies')).toEqual([]);

    // Shared in a private channel too (a minute ago): never named outside it…
    await shareLink(app, 'C0SECRET');
    app.clock.advance(60_000);
    const again = await slash(app, 'reward model ensembles', 'search2');
    expect(discussed(again, ensembles.id)?.text).toBe(':speech_balloon: Shared in <#C0ML>, 3 days ago');
    // …but inside it, "here", with the other thread counted.
    const inside = await slash(app, 'reward model ensembles', 'search3', { channel_id: 'C0SECRET' });
    expect(discussed(inside, ensembles.id)?.text).toBe(
      ':speech_balloon: Shared here, 1 minute ago (and 1 more thread)', // no replies: Slack gives no count
    );
    // A guest sees none of the other channels.
    const guest = await slash(app, 'reward model ensembles', 'search4', { user_id: 'U0GUEST' });
    expect(discussed(guest, ensembles.id)).toBeUndefined();

    // The same link posted in #general later: its preview says where else it was discussed.
    const { unfurl } = await shareLink(app, 'C0GENERAL');
    const preview = (unfurl.args.unfurls as Record<string, { blocks: unknown }>)[LINK];
    expect(discussed(preview ?? {}, ensembles.id)?.text).toBe(
      ':speech_balloon: Shared in <#C0ML>, 3 days ago',
    );
  });

  test('"More results" pages say where their papers were discussed too', async () => {
    running = await start();
    const app = running;
    const first = await slash(app, 'protein folding', 'page1');
    const shown = new Set(blocksOf(first).map((b) => b.block_id));
    const later = background.find((p) => !shown.has(`paper:${p.id}`));
    const ts = '1700000000.000100';
    await app.discussions.record([
      {
        team: 'T0TEST',
        channel: 'C0ML',
        ts,
        threadTs: ts,
        paperId: later?.id ?? '',
        kind: 'mention',
        at: '2026-11-26T11:00:00.000Z',
      },
    ]);
    await postSigned(
      app.eventsUrl,
      buttonClickBody(
        { action_id: 'more_results', value: '5:protein folding' },
        { responseUrl: app.slack.responseUrl('page2') },
      ),
      FORM,
    );
    const second = (await app.slack.waitFor(() => app.slack.responses.find((r) => r.id === 'page2'))).body;
    expect(discussed(second, later?.id ?? '')?.text).toBe(
      ':speech_balloon: Discussed in <#C0ML>, 1 hour ago',
    );
    expectValidMessage(second);
  });

  test('a link still in the composer is previewed but not remembered (the message does not exist yet)', async () => {
    running = await start();
    await postSigned(
      running.eventsUrl,
      eventBody({
        type: 'link_shared',
        channel: 'COMPOSER',
        user: 'U0BOB',
        message_ts: 'U0BOB-1234-5678',
        unfurl_id: 'C123456.123456789.987654321',
        source: 'composer',
        links: [{ url: LINK, domain: 'arxiv.org' }],
      }),
      'application/json',
    );
    await running.slack.waitFor(() => running?.slack.callsTo('chat.unfurl')[0]);
    expect(await running.discussions.ofPaper('T0TEST', ensembles.id)).toEqual([]);
  });

  test('a Share click, a mention answer and a digest are remembered with their threads', async () => {
    running = await start();
    const app = running;
    // Share to channel.
    await postSigned(
      app.eventsUrl,
      buttonClickBody(
        { action_id: 'share_paper', value: other.id },
        { responseUrl: app.slack.responseUrl('share') },
      ),
      FORM,
    );
    await app.slack.waitFor(() => app.slack.responses.find((r) => r.id === 'share'));
    // A mention in a thread of #ml-reading.
    const { ts: root } = app.slack.userMessage('C0ML', { text: 'what is new on overoptimization?' });
    await postSigned(
      app.eventsUrl,
      eventBody({
        type: 'app_mention',
        channel: 'C0ML',
        user: 'U0ALICE',
        text: '<@UPAPERBOT> reward model ensembles',
        ts: `${Number(root) + 1}.000000`,
        thread_ts: root,
      }),
      'application/json',
    );
    await app.slack.waitFor(async () =>
      (await app.discussions.ofPaper('T0TEST', ensembles.id)).some((s) => s.kind === 'mention'),
    );
    const sightings = [
      ...(await app.discussions.ofPaper('T0TEST', ensembles.id)),
      ...(await app.discussions.ofPaper('T0TEST', other.id)),
    ];
    // The answer in the thread says where its papers came up before: the card shared in #general.
    const answer = app.slack.messagesIn('C0ML').find((m) => m.thread_ts === root && m.bot_id);
    expect(discussed(answer ?? {}, other.id)?.text).toBe(':speech_balloon: Shared in <#C0GENERAL>, just now');
    const share = sightings.find((s) => s.kind === 'share');
    expect(share).toMatchObject({ channel: 'C0GENERAL', user: 'U0ALICE', paperId: other.id });
    expect(share?.threadTs).toBe(share?.ts);
    const mentions = sightings.filter((s) => s.kind === 'mention');
    expect(mentions.map((s) => [s.channel, s.threadTs, s.user])).toEqual([
      ['C0ML', root, 'U0ALICE'],
      ['C0ML', root, 'U0ALICE'],
    ]);
    expect(mentions[0]?.permalink).toMatch(/^https:\/\/fake\.slack\.com\/archives\/C0ML\/p\d+\?thread_ts=/);

    // A digest in #ml-reading: its papers are remembered under the digest's message.
    await slash(app, 'subscribe reward model ensembles tz UTC', 'sub', { channel_id: 'C0ML' });
    const [subscription] = await app.store.inTeam('T0TEST');
    await app.scheduler.runNow(subscription as NonNullable<typeof subscription>);
    const digest = app.slack.messagesIn('C0ML').find((m) => m.metadata?.event_type === 'paperbot_digest');
    const digested = (await app.discussions.threadsOf([ensembles.id, other.id])).filter(
      (s) => s.kind === 'digest',
    );
    expect(digested.map((s) => [s.channel, s.ts, s.threadTs]).sort()).toEqual([
      ['C0ML', digest?.ts, digest?.ts],
      ['C0ML', digest?.ts, digest?.ts],
    ]);
  });

  test('a digest skips papers its channel already saw as a shared link', async () => {
    running = await start();
    const app = running;
    await shareLink(app, 'C0GENERAL');
    await slash(app, 'subscribe reward model ensembles tz UTC', 'sub');
    const [subscription] = await app.store.inTeam('T0TEST');
    const run = await app.scheduler.runNow(subscription as NonNullable<typeof subscription>);
    expect(run).toMatchObject({ outcome: 'posted', papers: 1 });
    const digest = app.slack
      .messagesIn('C0GENERAL')
      .find((m) => m.metadata?.event_type === 'paperbot_digest');
    expect(JSON.stringify(digest?.blocks)).toContain(other.title);
    expect(JSON.stringify(digest?.blocks)).not.toContain(ensembles.title);
    // Not recorded as posted: a link is not a digest (another channel's digest would still post it).
    expect(Object.keys(await app.store.postedIn({ team: 'T0TEST', channel: 'C0GENERAL' }))).toEqual([
      other.id,
    ]);
  });
});
