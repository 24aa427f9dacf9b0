import { describe, expect, test } from '@jest/globals';
import { noticeMessage } from '../../src/blocks/messages.js';
import {
  parseThreadPapersValue,
  SHORTCUTS,
  searchModal,
  threadPapersMessage,
  withPostInThread,
} from '../../src/blocks/shortcuts.js';
import { blockKitViolations, viewViolations } from '../support/blockKit.js';
import { makePaper } from '../support/papers.js';

const button = (message: { blocks: unknown[] }) =>
  (message.blocks.at(-1) as { elements?: Array<{ action_id: string; value: string }> }).elements?.[0];

describe('the message shortcut’s blocks', () => {
  test('"Post these in the thread" carries the thread and the papers that fit in 2,000 characters', () => {
    const ids = Array.from({ length: 10 }, (_, i) => `${'a-very-long-paper-slug-'.repeat(12)}${i}`);
    const message = withPostInThread(noticeMessage('found'), '1700000000.000100', ids);
    const value = button(message)?.value ?? '';
    expect(button(message)?.action_id).toBe(SHORTCUTS.postInThread);
    expect(value.length).toBeLessThanOrEqual(2000);
    const parsed = parseThreadPapersValue(value);
    expect(parsed?.threadTs).toBe('1700000000.000100');
    expect(parsed?.paperIds).toEqual(ids.slice(0, parsed?.paperIds.length));
    expect(parsed?.paperIds.length).toBeGreaterThan(3);
    expect(blockKitViolations(message, 'message')).toEqual([]);
  });

  test('a value that is not one of ours asks for nothing', () => {
    for (const value of ['', 'x', '{"t":"<!channel>","p":["a"]}', '{"t":"1.2","p":[]}', '{"t":"1.2"}'])
      expect(parseThreadPapersValue(value)).toBeUndefined();
  });

  test('the thread post names who shared, escapes titles, and stays within Block Kit', () => {
    const papers = [
      makePaper({ id: 'p1', title: 'Attacks <!channel> & defences' }),
      makePaper({ id: 'p2', title: 'Second' }),
    ];
    const message = threadPapersMessage(papers, 'U0ALICE');
    expect(message.text).toContain('shared by <@U0ALICE>:\n1. Attacks &lt;!channel&gt; &amp; defences');
    expect(blockKitViolations(message, 'message')).toEqual([]);
  });
});

describe('the search modal', () => {
  test('is a valid view when light, searching, with a problem and with results', () => {
    const found = noticeMessage('results');
    for (const state of [
      {},
      { query: 'x', searching: true },
      { query: 'x', problem: 'Bad date' },
      { query: 'x', found },
    ])
      expect(viewViolations(searchModal(state) as unknown as Record<string, unknown>)).toEqual([]);
    expect(JSON.stringify(searchModal({ query: 'q', found }).blocks)).toContain('results');
  });
});
