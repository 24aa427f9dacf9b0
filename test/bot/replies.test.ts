import { describe, expect, jest, test } from '@jest/globals';
import { queryFromMessage, questionOf } from '../../src/bot/mention.js';
import { parsePaperCommand } from '../../src/bot/paperCommand.js';
import { expectValidMessage, sectionTexts } from '../support/blockKit.js';
import { commandContext, makeBot } from '../support/bot.js';

const { replies } = await makeBot();
const context = commandContext();
const outsideThread = { inThread: false, threadParentText: async () => undefined };

describe('parsePaperCommand', () => {
  test.each(['', '   ', 'help', 'HELP', '--help', '?'])('%j asks for help', (text) => {
    expect(parsePaperCommand(text)).toEqual({ kind: 'help' });
  });

  test('stop words alone are not a query', () => {
    expect(parsePaperCommand('the of and')).toEqual({
      kind: 'invalid',
      problems: [
        {
          field: 'query',
          message:
            'Tell me what to look for: a few words about the topic, e.g. `/paper reward model ensembles`.',
        },
      ],
    });
  });

  test('a pasted essay is refused with the limit', () => {
    expect(parsePaperCommand('word '.repeat(300))).toEqual({
      kind: 'invalid',
      problems: [{ field: 'command', message: 'That is too long; keep it under 1000 characters.' }],
    });
  });

  test('a filter alone is a search', () => {
    expect(parsePaperCommand('has:code')).toMatchObject({ kind: 'search', query: { hasCode: true } });
  });
});

describe('Replies.toCommand', () => {
  test('the best match comes first and every message is valid Block Kit', async () => {
    const message = await replies.toCommand('reward model ensembles', context);
    expect(sectionTexts(message)[0]).toMatch(/^\*Reward Model Ensembles Help Mitigate Overoptimization\*/);
    expectValidMessage(message);
  });

  test('an invalid query lists each problem and points at help', async () => {
    expect((await replies.toCommand('has:pdf after:soon', context)).text).toBe(
      ':warning: `has:pdf` is not a filter I know; try `has:code`.\n`after:soon` is not a date; write it as `after:2024-01-31`.\nType `/paper help` for examples.',
    );
  });

  test('date filters on an undated corpus explain why nothing matched', async () => {
    expect((await replies.toCommand('reward after:2024-01-01', context)).text).toContain(
      'Try dropping a filter',
    );
  });
});

describe('Replies.toMention', () => {
  test('a question gets at most three cards', async () => {
    const message = await replies.toMention('<@UPAPERBOT> papers on reward model ensembles?', outsideThread);
    expect(sectionTexts(message)).toHaveLength(3);
    expect(sectionTexts(message)[0]).toMatch(/^\*Reward Model Ensembles/);
  });

  test('a bare mention in a thread reads the parent only then, and says it did', async () => {
    const threadParentText = jest.fn(
      async () => 'We keep arguing about knowledge distillation for segmentation.',
    );
    const message = await replies.toMention('<@UPAPERBOT> anything on this?', {
      inThread: true,
      threadParentText,
    });
    expect(threadParentText).toHaveBeenCalledTimes(1);
    expect(message.blocks[1]).toMatchObject({
      elements: [
        {
          text: "Searched with the thread's first message: “We keep arguing about knowledge distillation for segmentation”",
        },
        {},
      ],
    });
    expect(sectionTexts(message)[0]).toMatch(/Distillation/);
    expectValidMessage(message);
  });

  test('a question never reads the thread', async () => {
    const threadParentText = jest.fn(async () => 'unused');
    await replies.toMention('<@UPAPERBOT> contrastive loss', { inThread: true, threadParentText });
    expect(threadParentText).not.toHaveBeenCalled();
  });

  test('an empty thread parent is explained', async () => {
    const message = await replies.toMention('<@UPAPERBOT>', {
      inThread: true,
      threadParentText: async () => ':+1: <@U1>',
    });
    expect(message.text).toContain('has no words I can search with');
  });
});

describe('mention text', () => {
  test('questionOf drops mentions, links and filler', () => {
    expect(questionOf('<@UPAPERBOT> hey, any good papers on <https://x.org|reward models> please?')).toBe(
      'reward models',
    );
    expect(questionOf('<@UPAPERBOT> any papers on this? :thinking_face:')).toBe('');
  });

  test('queryFromMessage takes words only, so nobody else writes operators for the bot', () => {
    expect(queryFromMessage('see -survey author:x').words).toEqual(['see', 'survey', 'author', 'x']);
  });
});
