import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from '@jest/globals';
import { PaperbotError } from '../../src/errors.js';
import type { Paper } from '../../src/papers/paper.js';
import { expectValidMessage, sectionTexts } from '../support/blockKit.js';
import { FakeClock } from '../support/bot.js';
import type { ApiCall, FakeSlack } from '../support/fakeSlack.js';
import { bundledPapers, makePaper } from '../support/papers.js';
import { postSigned, slashCommandBody } from '../support/signing.js';
import { type RunningApp, startApp } from '../support/slackApp.js';
import { tempDir } from '../support/tmp.js';

const FORM = 'application/x-www-form-urlencoded';
const tempFile = () => join(tempDir('paperbot-e2e-subs-'), 'subscriptions.json');

let running: RunningApp | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

let commandSequence = 0;
async function slash(app: RunningApp, text: string): Promise<Record<string, unknown>> {
  const id = `cmd-${++commandSequence}`;
  const response = await postSigned(app.eventsUrl, slashCommandBody(text, app.slack.responseUrl(id)), FORM);
  expect(response.status).toBe(200);
  return (await app.slack.waitFor(() => app.slack.responses.find((r) => r.id === id))).body;
}

/** The digests posted so far: chat.postMessage calls whose first section is a digest heading. */
function digests(slack: FakeSlack): ApiCall[] {
  return slack
    .callsTo('chat.postMessage')
    .filter((call) => sectionTexts(call.args)[0]?.startsWith(':newspaper:'));
}

/** Titles of the cards in a digest, in order. */
function cardTitles(call: ApiCall | undefined): string[] {
  return sectionTexts(call?.args ?? {})
    .slice(1)
    .map((text) => /^\*(.+?)\*\n?/.exec(text)?.[1] ?? '');
}

const newPaper = (title: string, arrivedAt: string): Paper =>
  makePaper({ title, arrivedAt, abstract: `We study reward models for language model alignment. ${title}.` });

describe('subscriptions end to end', () => {
  test('subscribe → 09:00 digest → next day only new papers → restart catches a missed run up once, no duplicates', async () => {
    const file = tempFile();
    const clock = new FakeClock(new Date('2026-11-26T12:00:00Z'));
    running = await startApp({ subscriptionsFile: file, clock });
    const { slack } = running;
    slack.on('users.info', () => ({ body: { ok: true, user: { id: 'U0ALICE', tz: 'Europe/Paris' } } }));

    const reply = await slash(running, 'subscribe reward model');
    const stored = JSON.parse(readFileSync(file, 'utf8')).teams.T0TEST.channels.C0GENERAL.subscriptions;
    expect(stored).toHaveLength(1); // on disk before the reply was sent
    const id = stored[0].id as string;
    expect(reply.response_type).toBe('ephemeral');
    expect(sectionTexts(reply)[0]).toBe(
      `:white_check_mark: Subscribed this channel to *reward model* (id \`${id}\`): every day at 09:00 (Europe/Paris). First digest: Fri 27 Nov, 09:00.`,
    );
    expectValidMessage(reply);
    expect(slack.callsTo('users.info')[0]?.args.user).toBe('U0ALICE');
    const notice = slack.callsTo('chat.postMessage')[0];
    expect(notice?.args).toMatchObject({ channel: 'C0GENERAL' });
    expect(notice?.args.text).toContain('subscribed this channel to *reward model* papers');

    // 08:59 Paris: nothing yet. 09:00 Paris (08:00 UTC): the first digest.
    clock.set('2026-11-27T07:59:00Z');
    await running.scheduler.tick();
    expect(digests(slack)).toHaveLength(0);
    clock.set('2026-11-27T08:00:00Z');
    await running.scheduler.tick();
    expect(digests(slack)).toHaveLength(1);
    const first = digests(slack)[0];
    expect(first?.args.channel).toBe('C0GENERAL');
    expect(sectionTexts(first?.args ?? {})[0]).toBe(':newspaper: 5 new papers on *reward model*');
    expect(cardTitles(first)).toContain('Reward Model Ensembles Help Mitigate Overoptimization');
    expectValidMessage(first?.args ?? {});

    // A paper arrives; the next morning's digest has it alone.
    const day2 = newPaper('Reward Model Distillation', '2026-11-27T12:00:00.000Z');
    await running.index.ingest({ papers: [day2], skipped: [] });
    clock.set('2026-11-28T08:00:00Z');
    await running.scheduler.tick();
    expect(cardTitles(digests(slack)[1])).toEqual(['Reward Model Distillation']);

    // The bot goes down; another paper arrives; it comes back three missed runs later.
    await running.stop(false);
    const day3 = newPaper('Reward Model Calibration', '2026-11-29T12:00:00.000Z');
    clock.set('2026-12-01T10:00:00Z');
    running = await startApp({
      subscriptionsFile: file,
      clock,
      slack,
      papers: [...bundledPapers(), day2, day3],
    });
    await running.scheduler.tick();
    await running.scheduler.tick();
    expect(digests(slack)).toHaveLength(3);
    expect(cardTitles(digests(slack)[2])).toEqual(['Reward Model Calibration']);

    const allPosted = digests(slack).flatMap(cardTitles);
    expect(new Set(allPosted).size).toBe(allPosted.length); // no paper twice
    expect((await running.store.get('T0TEST', id))?.nextRunAt).toBe('2026-12-02T08:00:00.000Z');
  });

  test('not_in_channel: the user is told to invite the bot, and the digest pauses with the reason', async () => {
    const clock = new FakeClock(new Date('2026-11-26T12:00:00Z'));
    running = await startApp({ clock });
    running.slack.on('chat.postMessage', () => ({ body: { ok: false, error: 'not_in_channel' } }));
    const reply = await slash(running, 'subscribe knowledge distillation tz UTC');
    expect(sectionTexts(reply)[1]).toContain('invite me with `/invite @paperbot`');
    clock.set('2026-11-27T09:00:00Z');
    expect((await running.scheduler.tick())[0]?.outcome).toBe('paused');
    const list = await slash(running, 'subscriptions');
    expect(sectionTexts(list)[1]).toContain(
      ':double_vertical_bar: paused: I am not in this channel (not_in_channel): invite me with /invite @paperbot',
    );
    expectValidMessage(list);
  });

  test('a 429 with Retry-After is waited out and the digest posted once', async () => {
    const clock = new FakeClock(new Date('2026-11-26T12:00:00Z'));
    running = await startApp({ clock });
    await slash(running, 'subscribe knowledge distillation tz UTC');
    let limited = 0;
    running.slack.on('chat.postMessage', () =>
      limited++ === 0
        ? { status: 429, headers: { 'retry-after': '1' }, body: { ok: false, error: 'ratelimited' } }
        : { body: { ok: true, ts: '1.2' } },
    );
    clock.set('2026-11-27T09:00:00Z');
    const started = Date.now();
    const [run] = await running.scheduler.tick();
    expect(run?.outcome).toBe('posted');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900); // Retry-After: 1 was honoured
    expect(digests(running.slack)).toHaveLength(2); // the rate-limited attempt and the accepted one
    expect(Object.keys(await running.store.postedIn({ team: 'T0TEST', channel: 'C0GENERAL' })).length).toBe(
      run?.papers,
    );
  });

  test('a corrupt subscriptions file stops start-up with a clear error and is left as it was', async () => {
    const file = tempFile();
    writeFileSync(file, '{"version":1,"channels":{"C0GENERAL":{"subscriptions":[{"id":');
    const error = await startApp({ subscriptionsFile: file }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PaperbotError);
    expect((error as Error).message).toContain(`The subscriptions file ${file} is not valid JSON`);
    expect(readFileSync(file, 'utf8')).toBe('{"version":1,"channels":{"C0GENERAL":{"subscriptions":[{"id":');
  });
});
