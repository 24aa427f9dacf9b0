import { describe, expect, test } from '@jest/globals';
import {
  ago,
  discussionBlock,
  followUpMessage,
  papersShown,
  withDiscussions,
} from '../../src/blocks/discussions.js';
import { standaloneCard } from '../../src/blocks/paperCard.js';
import type { Sighting } from '../../src/discussions/discussion.js';
import { blockKitViolations } from '../support/blockKit.js';
import { makePaper } from '../support/papers.js';

const NOW = new Date('2026-11-29T12:00:00Z');
const sighting: Sighting = {
  team: 'T0TEST',
  channel: 'C0ML',
  ts: '1700000000.000100',
  threadTs: '1700000000.000100',
  paperId: '2310.02743',
  kind: 'link',
  at: '2026-11-26T12:00:00.000Z',
  replyCount: 12,
  permalink: 'https://team.slack.com/archives/C0ML/p1700000000000100',
};
const paper = makePaper({ id: '2310.02743', title: 'Reward Model Ensembles <3 & more' });

describe('the discussed line', () => {
  test('names the channel as Slack renders it, the replies, the age, and links the thread', () => {
    expect(discussionBlock(paper.id, { newest: sighting, others: 2 }, 'C0GENERAL', NOW)).toEqual({
      type: 'section',
      block_id: 'discussed:2310.02743',
      text: {
        type: 'mrkdwn',
        text: ':speech_balloon: Discussed in <#C0ML>, 12 replies, 3 days ago (and 2 more threads)',
      },
      accessory: {
        type: 'button',
        action_id: 'paper_link:thread',
        text: { type: 'plain_text', text: 'Open thread', emoji: false },
        url: sighting.permalink,
      },
    });
  });

  test('"here" in its own channel; Shared or Posted without replies; no button without a permalink', () => {
    const { permalink: _, replyCount: __, ...bare } = sighting;
    expect(discussionBlock(paper.id, { newest: bare, others: 0 }, 'C0ML', NOW).text?.text).toBe(
      ':speech_balloon: Shared here, 3 days ago',
    );
    expect(discussionBlock(paper.id, { newest: { ...bare, kind: 'digest' }, others: 1 }, 'C0X', NOW)).toEqual(
      {
        type: 'section',
        block_id: 'discussed:2310.02743',
        text: { type: 'mrkdwn', text: ':speech_balloon: Posted in <#C0ML>, 3 days ago (and 1 more thread)' },
      },
    );
    // A channel id that is not Slack's shape is never written as markup.
    expect(
      discussionBlock(paper.id, { newest: { ...bare, channel: '!here' }, others: 0 }, 'C0X', NOW).text?.text,
    ).toBe(':speech_balloon: Shared in a channel, 3 days ago');
  });

  test.each([
    ['2026-11-29T11:59:30Z', 'just now'],
    ['2026-11-29T11:58:00Z', '2 minutes ago'],
    ['2026-11-29T11:00:00Z', '1 hour ago'],
    ['2026-11-15T12:00:00Z', '2 weeks ago'],
    ['2025-11-29T12:00:00Z', '1 year ago'],
    ['2026-12-01T12:00:00Z', 'just now'], // a clock ahead of ours
  ])('%s is %s', (at, text) => {
    expect(ago(at, NOW)).toBe(text);
  });

  test('goes right under its card’s buttons; other cards and blocks are untouched', () => {
    const second = makePaper({ id: 'other', title: 'Other' });
    const message = { text: 'x', blocks: [...standaloneCard(paper), ...standaloneCard(second)] };
    expect(papersShown(message)).toEqual(['2310.02743', 'other']);
    const noted = withDiscussions(
      message,
      new Map([['other', { newest: sighting, others: 0 }]]),
      'C0GENERAL',
      NOW,
    );
    expect(noted.blocks.map((b) => b.block_id)).toEqual([
      'paper:2310.02743',
      'links:2310.02743',
      'paper:other',
      'links:other',
      'discussed:other',
    ]);
    expect(withDiscussions(message, new Map(), 'C0GENERAL', NOW)).toBe(message);
  });
});

describe('follow-ups', () => {
  test('"Code is out" with the repository, escaped, above the card', () => {
    const message = followUpMessage(paper, { kind: 'code', url: 'https://github.com/a/b' });
    expect(message.text).toBe('Code is out for Reward Model Ensembles &lt;3 &amp; more');
    expect(message.blocks[0]).toEqual({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: ':rocket: Code is out for *Reward Model Ensembles &lt;3 &amp; more*: https://github.com/a/b',
      },
    });
    expect(message.blocks.slice(1)).toEqual(standaloneCard(paper));
    expect(blockKitViolations(message)).toEqual([]);
  });

  test('a new version and upvotes past a threshold', () => {
    expect(followUpMessage(paper, { kind: 'version', version: 3 }).text).toBe(
      'New arXiv version (v3) of Reward Model Ensembles &lt;3 &amp; more',
    );
    expect(followUpMessage(paper, { kind: 'upvotes', threshold: 100, upvotes: 131 }).blocks[0]).toEqual({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: ':fire: *Reward Model Ensembles &lt;3 &amp; more* passed 100 upvotes on Hugging Face (now 131).',
      },
    });
  });
});
