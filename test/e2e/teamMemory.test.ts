import { afterEach, describe, expect, test } from '@jest/globals';
import { Library } from '../../src/library.js';
import { blockKitViolations, blocksOf, expectValidMessage, liveMarkup } from '../support/blockKit.js';
import { FakeClock } from '../support/bot.js';
import { makePaper } from '../support/papers.js';
import { type RunningApp, startApp } from '../support/slackApp.js';
import { shareLink, slash } from '../support/userActions.js';

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
const uncertainty = makePaper({
  id: '2401.00002',
  arxivId: '2401.00002',
  title: 'Uncertainty in Reward Model Ensembles',
  abstract: 'Reward model ensembles estimate uncertainty for overoptimization.',
  arrivedAt: '2026-11-21T00:00:00.000Z',
});
const proteins = Array.from({ length: 10 }, (_, i) =>
  makePaper({
    id: `2402.0000${i}`,
    arxivId: `2402.0000${i}`,
    title: `Protein Folding ${i}`,
    abstract: 'Proteins fold.',
    arrivedAt: '2026-10-01T00:00:00.000Z',
  }),
);

/** General and ml-reading are public, secret is private; U0GUEST is a guest. */
async function start(library?: Library): Promise<RunningApp> {
  const app = await startApp({
    ...(library ? { index: library, library } : { papers: [ensembles, uncertainty, ...proteins] }),
    clock: new FakeClock(new Date('2026-11-26T12:00:00Z')),
  });
  app.slack.addChannel({ id: 'C0GENERAL', name: 'general' });
  app.slack.addChannel({ id: 'C0ML', name: 'ml-reading' });
  app.slack.addChannel({ id: 'C0SECRET', name: 'secret', isPrivate: true });
  app.slack.addUser({ id: 'U0GUEST', guest: 'multi' });
  return app;
}

/** `user` posts an arXiv link to `paperId` in `channel`; resolves once it is remembered. */
async function share(app: RunningApp, channel: string, user: string, paperId: string): Promise<string> {
  app.clock.advance(60_000);
  return shareLink(app, channel, { id: paperId }, { user, words: 'worth a read' });
}

/** The people an answer names, in order, with the text of their line. */
const lines = (payload: { blocks?: unknown }) =>
  blocksOf(payload)
    .map((b) => (b.text as { text?: string } | undefined)?.text ?? '')
    .filter((text) => /^\d+\. /.test(text));

describe('/paper who', () => {
  test('names who shared papers on a topic where the asker can see, strongest first; a guest sees their channel; forget me is for good', async () => {
    running = await start();
    const app = running;
    const bobThread = await share(app, 'C0ML', 'U0BOB', ensembles.id);
    await share(app, 'C0ML', 'U0BOB', uncertainty.id);
    await share(app, 'C0GENERAL', 'U0DAVE', ensembles.id);
    await share(app, 'C0SECRET', 'U0CAROL', ensembles.id);
    await share(app, 'C0SECRET', 'U0CAROL', uncertainty.id);
    await share(app, 'C0ML', 'U0ERIN', proteins[0]?.id as string); // another topic
    for (let i = 0; i < 3; i++) app.slack.userMessage('C0ML', { text: `reply ${i}`, thread_ts: bobThread });

    // Alice in #general: Bob (two papers in #ml-reading), then Dave; never Carol's private channel.
    const inGeneral = await slash(app, 'who reward model ensembles', 'who1');
    expect(blockKitViolations(inGeneral)).toEqual([]);
    // The only markup: the people named, written from Slack's own user ids.
    expect(liveMarkup(inGeneral)).toEqual(['<@U0BOB>', '<@U0DAVE>']);
    expect(inGeneral.response_type).toBe('ephemeral');
    expect(lines(inGeneral)).toEqual([
      '1. <@U0BOB>: 2 papers in 2 threads, e.g. in <#C0ML>',
      '2. <@U0DAVE>: 1 paper in 1 thread, e.g. here',
    ]);
    const bobButton = blocksOf(inGeneral).find((b) => (b.text as { text: string }).text.includes('U0BOB'))
      ?.accessory as { url?: string } | undefined;
    expect(bobButton?.url).toMatch(/^https:\/\/fake\.slack\.com\/archives\/C0ML\/p/);
    expect(JSON.stringify(inGeneral)).not.toContain('U0CAROL');
    expect(JSON.stringify(inGeneral)).not.toContain('C0SECRET');

    // Inside the private channel, what was shared there counts too (Carol ties with Bob, more recently).
    const inSecret = await slash(app, 'who reward model ensembles', 'who2', { channel_id: 'C0SECRET' });
    expect(lines(inSecret).map((line) => line.split(':')[0])).toEqual([
      '1. <@U0CAROL>',
      '2. <@U0BOB>',
      '3. <@U0DAVE>',
    ]);

    // A guest in #general sees #general only.
    const guest = await slash(app, 'who reward model ensembles', 'who3', { user_id: 'U0GUEST' });
    expect(lines(guest)).toEqual(['1. <@U0DAVE>: 1 paper in 1 thread, e.g. here']);

    // Bob leaves: never named again, whoever asks and wherever.
    const forgot = await slash(app, 'who forget me', 'who4', { user_id: 'U0BOB' });
    expectValidMessage(forgot);
    expect(forgot.text).toContain('will never name you');
    expect(await app.discussions.unnamed('T0TEST')).toEqual(['U0BOB']);
    const after = await slash(app, 'who reward model ensembles', 'who5');
    expect(lines(after)).toEqual(['1. <@U0DAVE>: 1 paper in 1 thread, e.g. here']);

    // Nothing on the topic: said so, validly.
    const nobody = await slash(app, 'who quantum chromodynamics', 'who6');
    expectValidMessage(nobody);
    expect(nobody.text).toContain('Nobody has shared or discussed papers on quantum chromodynamics');
  });
});

/** The titles a recap lists as discussed, in order, and the lines of its news. */
function recapOf(payload: { blocks?: unknown }) {
  const texts = blocksOf(payload).map((b) => (b.text as { text?: string } | undefined)?.text ?? '');
  return {
    discussed: texts.filter((t) => /^\d+\. /.test(t)).map((t) => t.split('\n')[0]),
    news:
      texts
        .find((t) => t.startsWith('*Got code or a new version*'))
        ?.split('\n')
        .slice(1) ?? [],
  };
}

describe('/paper recap and its subscription', () => {
  test('the period’s most discussed papers and their news, where the viewer can see; a private channel only in its own recap', async () => {
    const library = await Library.inMemory([ensembles, uncertainty, ...proteins]);
    running = await start(library);
    const app = running;
    app.clock.set('2026-11-14T12:00:00Z');
    await share(app, 'C0GENERAL', 'U0DAVE', proteins[1]?.id as string); // twelve days ago
    app.clock.set('2026-11-26T12:00:00Z');
    const bobThread = await share(app, 'C0ML', 'U0BOB', ensembles.id);
    await app.discussions.setReplyCount({ team: 'T0TEST', channel: 'C0ML' }, bobThread, 6);
    await share(app, 'C0GENERAL', 'U0DAVE', proteins[0]?.id as string);
    await share(app, 'C0SECRET', 'U0CAROL', uncertainty.id);
    await share(app, 'C0SECRET', 'U0CAROL', uncertainty.id);
    // News arrives by ingest: code for the paper discussed in #ml-reading, v2 of the secret one.
    await library.ingest({
      papers: [
        { ...ensembles, links: { ...ensembles.links, code: ['https://github.com/example/ensembles'] } },
        { ...uncertainty, arxivVersion: 2 },
      ],
      skipped: [],
    });
    await app.followUps.idle();
    expect((await app.discussions.followUpsIn('T0TEST')).map((f) => f.status)).toEqual([
      'posted',
      'posted',
      'posted', // the secret paper's two threads
    ]);

    const inGeneral = await slash(app, 'recap', 'recap1');
    expectValidMessage(inGeneral);
    expect(inGeneral.response_type).toBe('ephemeral');
    expect(recapOf(inGeneral)).toEqual({
      discussed: [`1. *${ensembles.title}*`, `2. *${proteins[0]?.title}*`],
      news: [`:rocket: *${ensembles.title}*: code at github.com/example/ensembles`],
    });
    expect(JSON.stringify(inGeneral)).toContain('6 replies, 1 share · in <#C0ML>');
    expect(JSON.stringify(inGeneral)).not.toMatch(/C0SECRET|Uncertainty/);

    // In the private channel, its own papers too (two shares rank it above one).
    const inSecret = await slash(app, 'recap week', 'recap2', { channel_id: 'C0SECRET' });
    expect(recapOf(inSecret).discussed).toEqual([
      `1. *${ensembles.title}*`,
      `2. *${uncertainty.title}*`,
      `3. *${proteins[0]?.title}*`,
    ]);
    expect(recapOf(inSecret).news).toContain(`:page_facing_up: *${uncertainty.title}*: arXiv v2`);

    // A guest sees their channel only; a month reaches the older share.
    const guest = await slash(app, 'recap', 'recap3', { user_id: 'U0GUEST' });
    expect(recapOf(guest)).toEqual({ discussed: [`1. *${proteins[0]?.title}*`], news: [] });
    const month = await slash(app, 'recap month', 'recap4');
    expect(recapOf(month).discussed).toContain(`3. *${proteins[1]?.title}*`);
    expectValidMessage(await slash(app, 'recap year', 'recap5'));

    // The weekly subscription posts the same recap in the channel, as the channel can see it.
    await slash(app, 'subscribe recap weekly', 'sub1');
    await slash(app, 'subscribe recap weekly', 'sub2', { channel_id: 'C0SECRET' });
    const [general] = await app.store.inChannel({ team: 'T0TEST', channel: 'C0GENERAL' });
    const [secret] = await app.store.inChannel({ team: 'T0TEST', channel: 'C0SECRET' });
    expect(general?.topic).toBe('recap');
    await slash(app, `digest now ${general?.id}`, 'now1');
    await slash(app, `digest now ${secret?.id}`, 'now2', { channel_id: 'C0SECRET' });
    const posted = (channel: string) =>
      app.slack.messagesIn(channel).find((m) => m.metadata?.event_type === 'paperbot_digest');
    const generalRecap = posted('C0GENERAL');
    expect(generalRecap).toBeDefined();
    expectValidMessage(generalRecap as { blocks?: unknown });
    expect(recapOf(generalRecap as { blocks?: unknown })).toEqual(recapOf(inGeneral));
    expect(JSON.stringify(generalRecap)).not.toMatch(/C0SECRET|Uncertainty/);
    expect(recapOf(posted('C0SECRET') as { blocks?: unknown }).discussed).toHaveLength(3);
  });
});
