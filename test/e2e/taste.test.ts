import { afterEach, describe, expect, test } from '@jest/globals';
import { blocksOf, expectValidMessage, sectionTexts } from '../support/blockKit.js';
import { FakeClock } from '../support/bot.js';
import { makePaper } from '../support/papers.js';
import { type RunningApp, startApp } from '../support/slackApp.js';
import { click, slash } from '../support/userActions.js';

let running: RunningApp | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

const liked = makePaper({
  title: 'Graph Neural Networks for Molecules',
  abstract: 'Graph neural networks predict molecular properties of drug candidates.',
  arrivedAt: '2026-11-25T10:00:00.000Z',
});
const disliked = makePaper({
  title: 'Neural Networks for Stock Prices',
  abstract: 'Recurrent neural networks forecast stock prices and markets.',
  arrivedAt: '2026-11-25T10:00:00.000Z',
});

describe('the channel’s taste', () => {
  test('votes show in /paper taste; "Why this?" explains a digest card; /paper taste reset forgets, after confirming', async () => {
    const clock = new FakeClock(new Date('2026-11-25T12:00:00Z'));
    running = await startApp({ papers: [liked, disliked], clock });
    const app = running;
    expect((await slash(app, 'taste', 'empty')).text).toMatch(/^This channel has no taste yet/);
    await slash(app, 'subscribe neural networks tz UTC', 'sub');
    const [subscription] = await app.store.inTeam('T0TEST');
    const id = subscription?.id ?? '';
    clock.set('2026-11-26T09:00:00Z');
    await app.scheduler.tick();
    const digest = app.slack.callsTo('chat.postMessage').at(-1)?.args ?? {};
    // Each card's row: its links, 👍, 👎, Cite and "Why this?".
    const row = blocksOf(digest).find((b) => b.block_id === `links:${liked.id}`);
    expect((row?.elements ?? []).map((e) => [e.action_id, e.value])).toEqual([
      ['paper_link:page', undefined],
      ['digest_like', `${id}:${liked.id}`],
      ['digest_dislike', `${id}:${liked.id}`],
      ['cite_paper', liked.id],
      ['why_this', `${id}:${liked.id}`],
    ]);
    expectValidMessage(digest);

    await click(app, { action_id: 'digest_like', value: `${id}:${liked.id}` }, 'up');
    await click(app, { action_id: 'digest_dislike', value: `${id}:${disliked.id}` }, 'down');

    const taste = await slash(app, 'taste', 'taste');
    expect(sectionTexts(taste)).toEqual([
      "*This channel's taste* (2 votes)",
      ':thumbsup: *Liked* (1)\n• Graph Neural Networks for Molecules',
      ':thumbsdown: *Disliked* (1)\n• Neural Networks for Stock Prices',
      // "neural" and "networks" are in both and cancel out.
      '*Words that weigh most:* graph (+4), molecules (+3), candidates (+1), drug (+1), molecular (+1), predict (+1), properties (+1)',
      '*Words that weigh against:* prices (-4), stock (-4), forecast (-1), markets (-1), recurrent (-1)',
    ]);
    expectValidMessage(taste);

    // A new paper like the liked one arrives: its card in the next digest answers "Why this?".
    const protein = makePaper({
      title: 'Graph Neural Networks for Protein Molecules',
      abstract: 'Graph neural networks predict protein and molecular structure.',
      arrivedAt: '2026-11-26T11:00:00.000Z',
    });
    await app.index.ingest({ papers: [protein], skipped: [] });
    const why = await click(app, { action_id: 'why_this', value: `${id}:${protein.id}` }, 'why');
    expect(why.replace_original).toBe(false); // a message for the clicker only; the digest stays
    expect(why.response_type).toBe('ephemeral');
    // Terms shared with the liked paper: graph, neural, network, molecul(es), predict, molecular:
    // 6 of the 11 the two have in all; with the disliked one: neural, network, 2 of 13.
    expect(sectionTexts(why)[0]).toBe(
      [
        '*Why “Graph Neural Networks for Protein Molecules”?*',
        'It has the words of the topic “neural networks”: *neural*, *networks*.',
        ':dart: About the topic: the topic is in its title; its abstract opens on the topic.',
        ':thumbsup: It resembles “Graph Neural Networks for Molecules”, which this channel liked (55% of their words shared).',
        ':thumbsdown: It also resembles “Neural Networks for Stock Prices”, which this channel disliked (15%).',
      ].join('\n'),
    );
    expectValidMessage(why);

    // Reset: first a question with a confirmation dialog, then the click forgets.
    const prompt = await slash(app, 'taste reset', 'reset');
    const button = blocksOf(prompt).flatMap((b) => b.elements ?? [])[0];
    expect(button).toMatchObject({ action_id: 'taste_reset', style: 'danger', confirm: { style: 'danger' } });
    expect(await app.store.feedbackIn({ team: 'T0TEST', channel: 'C0GENERAL' })).toEqual({
      [liked.id]: 'like',
      [disliked.id]: 'dislike',
    });
    const forgotten = await click(app, { action_id: 'taste_reset', value: 'reset' }, 'forget');
    expect(forgotten.replace_original).toBe(true);
    expect(forgotten.text).toBe(":wastebasket: Forgot this channel's 2 votes; its taste starts afresh.");
    expect(await app.store.feedbackIn({ team: 'T0TEST', channel: 'C0GENERAL' })).toEqual({});
    expect((await slash(app, 'taste', 'after')).text).toMatch(/^This channel has no taste yet/);
    // Typed in full, it forgets at once (the console has no buttons).
    expect((await slash(app, 'taste reset confirm', 'typed')).text).toBe(
      ":wastebasket: Forgot this channel's 0 votes; its taste starts afresh.",
    );
  });

  test('"Why this?" for a removed subscription or a paper gone from the corpus says so', async () => {
    running = await startApp({ papers: [liked, disliked] });
    const gone = await click(running, { action_id: 'why_this', value: `zzzz:${liked.id}` }, 'gone');
    expect(gone.text).toBe(
      ':warning: That subscription was removed, so I cannot say why it picked this paper.',
    );
    const missing = await click(running, { action_id: 'why_this', value: 'zzzz:no-such-paper' }, 'missing');
    expect(missing.text).toBe(':warning: That paper is no longer in the corpus.');
  });
});
