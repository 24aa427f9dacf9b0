import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { parsePaperCommand } from '../../src/bot/paperCommand.js';
import { expectValidMessage, sectionTexts } from '../support/blockKit.js';
import { commandContext, makeBot } from '../support/bot.js';

describe('parsing /paper subscribe', () => {
  test.each([
    ['subscribe reward models', { topic: 'reward models' }],
    ['subscribe reward models weekly', { topic: 'reward models', cadence: 'weekly' }],
    [
      'subscribe reward models broad weekly',
      { topic: 'reward models', cadence: 'weekly', strictness: 'broad' },
    ],
    [
      'subscribe reward models daily Strict',
      { topic: 'reward models', cadence: 'daily', strictness: 'strict' },
    ],
    [
      'subscribe reward models weekdays at 8:30am tz America/New_York',
      { topic: 'reward models', cadence: 'weekdays', time: '08:30', tz: 'America/New_York' },
    ],
    [
      'subscribe "human feedback" has:code tz europe/paris at 17:00 daily',
      { topic: '"human feedback" has:code', cadence: 'daily', time: '17:00', tz: 'Europe/Paris' },
    ],
    // Options are read from the end only: these words are the topic.
    ['subscribe daily life of robots', { topic: 'daily life of robots' }],
    // "at" followed by no time is a word of the topic.
    ['subscribe graph learning at scale weekly', { topic: 'graph learning at scale', cadence: 'weekly' }],
  ])('%s', (text, expected) => {
    expect(parsePaperCommand(text)).toEqual({ kind: 'subscribe', ...expected });
  });

  test.each([
    [
      'subscribe',
      'topic',
      'Say what to follow: `/paper subscribe <topic> [daily|weekdays|weekly] [at HH:MM] [tz Area/City]`, e.g. `/paper subscribe reward models weekly`.',
    ],
    [
      'subscribe weekly',
      'topic',
      'Say what to follow: `/paper subscribe <topic> [daily|weekdays|weekly] [at HH:MM] [tz Area/City]`, e.g. `/paper subscribe reward models weekly`.',
    ],
    [
      'subscribe reward models at 25:00',
      'time',
      '`at 25:00` is not a time; write it as `at 09:00` (24-hour) or `at 9am`.',
    ],
    [
      'subscribe reward models at 13 pm',
      'time',
      '`at 13 pm` is not a time; write it as `at 09:00` (24-hour) or `at 9am`.',
    ],
    [
      'subscribe reward models tz Mars/Olympus',
      'tz',
      '`tz Mars/Olympus` is not a time zone I know; use a name like `Europe/Paris` or `America/New_York`.',
    ],
    ['subscribe reward after:soon', 'topic', '`after:soon` is not a date; write it as `after:2024-01-31`.'],
    [
      `subscribe ${'long '.repeat(60)}`,
      'topic',
      'That topic is 299 characters; keep it under 200 (a few words work best).',
    ],
    [`subscribe ${'x'.repeat(2000)}`, 'command', 'That is too long; keep it under 1000 characters.'],
    ['pause', 'command', 'Say which subscription: `/paper pause <id>` (ids are in `/paper subscriptions`).'],
    ['digest', 'command', 'To post a digest at once: `/paper digest now <id>`.'],
    ['digest now', 'command', 'To post a digest at once: `/paper digest now <id>`.'],
  ])('%s is refused, on the %s', (text, field, message) => {
    expect(parsePaperCommand(text)).toEqual({ kind: 'invalid', problems: [{ field, message }] });
  });

  test('the other subcommands', () => {
    expect(parsePaperCommand('subscriptions')).toEqual({ kind: 'subscriptions' });
    expect(parsePaperCommand('unsubscribe reward models')).toEqual({
      kind: 'unsubscribe',
      target: 'reward models',
    });
    expect(parsePaperCommand('Pause AB12CD')).toEqual({ kind: 'pause', id: 'ab12cd' });
    expect(parsePaperCommand('digest now ab12cd')).toEqual({ kind: 'digest-now', id: 'ab12cd' });
  });
});

describe('subscription replies', () => {
  test('subscribe stores, announces in the channel, and previews what it would post', async () => {
    const { replies, store } = await makeBot();
    const context = commandContext();
    const message = await replies.toCommand('subscribe reward model', context);
    const [stored] = await store.inChannel({ team: 'T0TEST', channel: 'C0GENERAL' });
    expect(stored).toMatchObject({
      topic: 'reward model',
      schedule: { cadence: 'daily', time: '09:00', tz: 'Europe/Paris' }, // the user's zone
      createdBy: 'U0ALICE',
      state: { status: 'active' },
      nextRunAt: '2026-11-27T08:00:00.000Z',
    });
    expect(sectionTexts(message)[0]).toBe(
      `:white_check_mark: Subscribed this channel to *reward model* (id \`${stored?.id}\`): every day at 09:00 (Europe/Paris). First digest: Fri 27 Nov, 09:00.`,
    );
    expect(sectionTexts(message).length).toBe(6); // the confirmation and 5 preview cards
    expect(context.announced[0]?.text).toBe(
      '<@U0ALICE> subscribed this channel to *reward model* papers, every day at 09:00 (Europe/Paris). `/paper subscriptions` lists them.',
    );
    expect(message.text).toContain(`(${stored?.id})`);
  });

  test('without a readable time zone the schedule is in UTC', async () => {
    const { replies, store } = await makeBot();
    await replies.toCommand(
      'subscribe diffusion',
      commandContext({
        userTimezone: async () => {
          throw new Error('missing_scope');
        },
      }),
    );
    expect((await store.inTeam('T0TEST'))[0]?.schedule.tz).toBe('UTC');
  });

  test('when the bot is not in the channel, the subscription is stored and the user told to invite it', async () => {
    const { replies, store } = await makeBot();
    const message = await replies.toCommand(
      'subscribe diffusion',
      commandContext({
        announce: async () => ({ ok: false, error: 'not_in_channel', pauseReason: 'not in channel' }),
      }),
    );
    expect(await store.inTeam('T0TEST')).toHaveLength(1);
    expect(sectionTexts(message)[1]).toBe(
      ":warning: I'm not a member of this channel, so I can't post digests here yet: invite me with `/invite @paperbot`.",
    );
  });

  test('invalid input and duplicates store nothing', async () => {
    const { replies, store } = await makeBot();
    const context = commandContext();
    await replies.toCommand('subscribe reward models', context);
    for (const text of [
      'subscribe Reward  Models',
      'subscribe at 9',
      'subscribe x tz Nowhere/City',
      `subscribe ${'y'.repeat(2000)}`,
    ]) {
      const message = await replies.toCommand(text, context);
      expect(message.text).toMatch(/^:(warning|information_source):/);
    }
    expect(await store.inTeam('T0TEST')).toHaveLength(1);
    expect((await replies.toCommand('subscribe reward models', context)).text).toBe(
      `:information_source: This channel already follows *reward models* (id \`${(await store.inTeam('T0TEST'))[0]?.id}\`). Change its schedule by unsubscribing and subscribing again.`,
    );
  });

  test('strictness: set by id, shown in the list, kept in the store; a wrong id or level is said', async () => {
    const { replies, store } = await makeBot();
    const context = commandContext();
    await replies.toCommand('subscribe reward models', context);
    const [reward] = await store.inChannel({ team: 'T0TEST', channel: 'C0GENERAL' });
    expect((await replies.toCommand(`strictness ${reward?.id} broad`, context)).text).toBe(
      `:dart: *reward models* (\`${reward?.id}\`) is now *broad*: digests also post papers where the topic is one strong thread among others (more papers, some off-topic).`,
    );
    expect((await store.get('T0TEST', reward?.id ?? ''))?.strictness).toBe('broad');
    await replies.toCommand('subscribe diffusion broad', context);
    expect((await store.inChannel({ team: 'T0TEST', channel: 'C0GENERAL' }))[1]).toMatchObject({
      topic: 'diffusion',
      strictness: 'broad',
    });
    expect(sectionTexts(await replies.toCommand('subscriptions', context))[1]).toContain(
      `\`${reward?.id}\` · broad`,
    );
    expect((await replies.toCommand('strictness nope strict', context)).text).toContain(
      ':warning: No subscription `nope` in this channel.',
    );
    expect(parsePaperCommand('strictness')).toMatchObject({ kind: 'invalid' });
    // Not a level: the words are a search.
    expect(parsePaperCommand('strictness of type systems')).toMatchObject({ kind: 'search' });
    expect(parsePaperCommand('Strictness AB12CD Strict')).toEqual({
      kind: 'strictness',
      id: 'ab12cd',
      strictness: 'strict',
    });
  });

  test('list, pause, resume and unsubscribe by id or topic', async () => {
    const { replies, store, clock } = await makeBot();
    const context = commandContext();
    await replies.toCommand('subscribe reward models weekly', context);
    await replies.toCommand('subscribe diffusion', context);
    const [reward, diffusion] = await store.inChannel({ team: 'T0TEST', channel: 'C0GENERAL' });
    const list = await replies.toCommand('subscriptions', context);
    expectValidMessage(list);
    expect(sectionTexts(list)[1]).toBe(
      `*reward models* · \`${reward?.id}\` · strict\nevery Monday at 09:00 (Europe/Paris) · next digest Mon 30 Nov, 09:00 · last post: never`,
    );
    clock.set('2026-11-28T10:00:00Z');
    expect((await replies.toCommand(`pause ${reward?.id}`, context)).text).toContain(
      `Paused *reward models* (\`${reward?.id}\`)`,
    );
    expect(sectionTexts(await replies.toCommand('subscriptions', context))[1]).toContain(
      `:double_vertical_bar: paused: paused with /paper pause (\`/paper resume ${reward?.id}\`)`,
    );
    expect((await replies.toCommand(`resume ${reward?.id}`, context)).text).toBe(
      `:arrow_forward: Resumed *reward models* (\`${reward?.id}\`). Next digest: Mon 30 Nov, 09:00 (Europe/Paris).`,
    );
    expect((await store.get('T0TEST', reward?.id ?? ''))?.state).toEqual({ status: 'active' });
    expect((await replies.toCommand('unsubscribe diffusion', context)).text).toBe(
      `:wave: Unsubscribed this channel from *diffusion* (\`${diffusion?.id}\`).`,
    );
    expect((await replies.toCommand('unsubscribe nope', context)).text).toBe(
      `:warning: No subscription \`nope\` in this channel. Its subscriptions: \`${reward?.id}\` (reward models).`,
    );
  });

  test('subscriptions of another channel are invisible here', async () => {
    const { replies } = await makeBot();
    await replies.toCommand('subscribe diffusion', commandContext({ channel: 'C0OTHER' }));
    const here = commandContext();
    expect((await replies.toCommand('subscriptions', here)).text).toBe(
      'This channel has no subscriptions. Start one with `/paper subscribe reward models`.',
    );
  });

  test('digest now posts at once, then says when there is nothing new', async () => {
    const { replies, store, poster } = await makeBot();
    const context = commandContext();
    await replies.toCommand('subscribe knowledge distillation', context);
    const id = (await store.inTeam('T0TEST'))[0]?.id;
    expect((await replies.toCommand(`digest now ${id}`, context)).text).toMatch(
      /^:newspaper: Posted [1-5] new papers? on \*knowledge distillation\* in this channel\.$/,
    );
    expect(poster.posts).toHaveLength(1);
    expect((await store.get('T0TEST', id ?? ''))?.nextRunAt).toBe('2026-11-27T08:00:00.000Z'); // the schedule is unchanged
    expect((await replies.toCommand(`digest now ${id}`, context)).text).toBe(
      ':zzz: No new papers on *knowledge distillation* since the last digest.',
    );
  });
});

describe('subscribe keeps its topic and its options apart', () => {
  // Words a topic may have, including the option words themselves inside it ("daily life", "look at").
  const topicWord = fc.constantFrom(
    'travel',
    'reward',
    'models',
    'graph',
    'neural',
    'daily',
    'life',
    'at',
    'look',
    'tz',
    'diffusion',
  );
  const endWord = fc.constantFrom(
    'travel',
    'reward',
    'models',
    'graph',
    'neural',
    'life',
    'diffusion',
    'scale',
  );
  const topic = fc
    .tuple(fc.array(topicWord, { maxLength: 4 }), endWord)
    .map(([words, last]) => [...words, last].join(' '))
    // "tz <word>" at its end would be an option (a misspelt zone), not the topic.
    .filter((t) => !/\btz \S+$/.test(t));
  const cadence = fc.constantFrom('daily', 'weekdays', 'weekly', 'Daily', 'WEEKLY');
  const time = fc.constantFrom(
    ['9', '09:00'],
    ['09:30', '09:30'],
    ['9am', '09:00'],
    ['9:30pm', '21:30'],
    ['9 am', '09:00'],
    ['5:45 PM', '17:45'],
    ['21:15', '21:15'],
  );
  const zone = fc.constantFrom(
    ['Europe/Paris', 'Europe/Paris'],
    ['europe/paris', 'Europe/Paris'],
    ['UTC', 'UTC'],
    ['America/Argentina/Buenos_Aires', 'America/Argentina/Buenos_Aires'],
  );

  test('in every order the options are typed after the topic', () => {
    fc.assert(
      fc.property(
        topic,
        fc.option(cadence),
        fc.option(time),
        fc.option(zone),
        fc.nat(),
        (topicText, cadenceText, timeText, zoneText, order) => {
          const options = [
            ...(cadenceText ? [cadenceText] : []),
            ...(timeText ? [`at ${timeText[0]}`] : []),
            ...(zoneText ? [`tz ${zoneText[0]}`] : []),
          ];
          // One of the orders of the options, picked by `order`.
          const shuffled = [...options];
          for (let i = shuffled.length - 1, n = order; i > 0; i--, n = Math.floor(n / (i + 1))) {
            const j = n % (i + 1);
            [shuffled[i], shuffled[j]] = [shuffled[j] as string, shuffled[i] as string];
          }
          expect(parsePaperCommand(`subscribe ${topicText} ${shuffled.join(' ')}`)).toEqual({
            kind: 'subscribe',
            topic: topicText,
            ...(cadenceText ? { cadence: cadenceText.toLowerCase() } : {}),
            ...(timeText ? { time: timeText[1] } : {}),
            ...(zoneText ? { tz: zoneText[1] } : {}),
          });
        },
      ),
      { numRuns: 500 },
    );
  });
});
