import { describe, expect, test } from '@jest/globals';
import { homeView } from '../../src/blocks/home.js';
import { statusMessage } from '../../src/blocks/status.js';
import { parsePaperCommand } from '../../src/bot/paperCommand.js';
import type { ServiceStatus } from '../../src/status.js';
import { expectValidMessage, liveMarkup, viewViolations } from '../support/blockKit.js';
import { makePaper } from '../support/papers.js';
import { subscription } from '../support/subscriptions.js';

/** A status whose every text from outside (title, reasons, topic) tries to ping or forge a link. */
const status: ServiceStatus = {
  version: '0.1.0',
  startedAt: new Date('2026-12-01T17:00:00Z'),
  papers: 9952,
  newest: makePaper({
    title: 'Hostile <!channel> & <http://evil.example|paper>',
    published: '2026-11-30',
    arrivedAt: '2026-12-01T17:05:00.000Z',
  }),
  sources: [
    {
      name: 'Hugging Face daily papers',
      lastSuccess: {
        at: '2026-12-01T17:05:00.000Z',
        new: 3,
        summary: '3 new, 0 updated, 45 unchanged; 9,952 papers in the corpus',
      },
      lastFailure: { at: '2026-12-01T16:05:00.000Z', reason: 'HTTP 500 <!here>' },
      next: new Date('2026-12-01T18:05:00Z'),
    },
    {
      name: 'arXiv cs.LG, cs.CL',
      lastFailure: { at: '2026-12-01T06:30:00.000Z', reason: 'no answer within 30000 ms' },
      next: new Date('2026-12-02T06:30:00Z'),
    },
  ],
  backfill: {
    days: ['2026-12-01', '2026-11-30', '2026-11-29'],
    done: ['2026-12-01', '2026-11-29'],
    failed: { '2026-11-30': { attempts: 2, reason: 'HTTP 502', retryAt: '2026-12-01T17:40:00.000Z' } },
    abandoned: [],
    newPapers: 120,
    startedAt: '2026-12-01T17:00:00.000Z',
  },
};

describe('statusMessage', () => {
  test('corpus, each source, the backfill, the channel and the version, escaped, as exact blocks', () => {
    const message = statusMessage(status, [
      subscription('rwd001', { topic: 'reward <!everyone> models', nextRunAt: '2026-12-02T09:00:00.000Z' }),
      subscription('off001', {
        state: { status: 'paused', reason: 'not_in_channel', since: '2026-12-01T00:00:00.000Z' },
      }),
    ]);
    expectValidMessage(message);
    expect(liveMarkup(message)).toEqual([]);
    const texts = message.blocks.map((block) =>
      block.type === 'section'
        ? block.text?.text
        : block.type === 'context'
          ? JSON.stringify(block.elements)
          : block.type,
    );
    expect(texts).toEqual([
      'header',
      '*Corpus:* 9,952 papers · newest: “Hostile &lt;!channel&gt; &amp; &lt;http://evil.example|paper&gt;” (published 2026-11-30, arrived Tue 1 Dec, 17:05 UTC)',
      '*Hugging Face daily papers*\nlast read Tue 1 Dec, 17:05 UTC: 3 new, 0 updated, 45 unchanged; 9,952 papers in the corpus\nlast failure Tue 1 Dec, 16:05 UTC: HTTP 500 &lt;!here&gt;\nnext read Tue 1 Dec, 18:05 UTC',
      '*arXiv cs.LG, cs.CL*\nnot read successfully yet\n:warning: failed Tue 1 Dec, 06:30 UTC: no answer within 30000 ms\nnext read Wed 2 Dec, 06:30 UTC',
      '*Backfill* (Hugging Face, last 3 days): running since Tue 1 Dec, 17:00 UTC; 2 of 3 days read, 120 new papers\n2026-11-30 failed 2× (HTTP 502); next try Tue 1 Dec, 17:40 UTC',
      '*This channel:* 2 subscriptions\n• *reward &lt;!everyone&gt; models* · `rwd001` · next digest Wed 2 Dec, 09:00 (UTC)\n• *topic off001* · `off001` · paused: not_in_channel',
      '[{"type":"mrkdwn","text":"paperbot 0.1.0 · running since Tue 1 Dec, 17:00 UTC"}]',
    ]);
    expect(message.text).toBe(
      'paperbot 0.1.0: 9,952 papers, newest “Hostile &lt;!channel&gt; &amp; &lt;http://evil.example|paper&gt;”; 2 sources (1 failing); 2 subscriptions in this channel',
    );
  });

  test('the Home tab carries the same facts for the installer, and stays a valid view', () => {
    const view = homeView([], [], 0, status);
    expect(viewViolations(view as unknown as Record<string, unknown>)).toEqual([]);
    const text = JSON.stringify(view.blocks);
    expect(text).toContain('*Status* (shown to whoever installed paperbot)');
    expect(text).toContain('*Corpus:* 9,952 papers');
    expect(text).toContain('*Backfill* (Hugging Face, last 3 days)');
    expect(JSON.stringify(homeView([], [], 0).blocks)).not.toContain('*Status*');
  });
});

test('`/paper status` alone asks for the status; with more words it is a search', () => {
  expect(parsePaperCommand('status')).toEqual({ kind: 'status' });
  expect(parsePaperCommand(' STATUS ')).toEqual({ kind: 'status' });
  expect(parsePaperCommand('status quo bias')).toMatchObject({ kind: 'search', text: 'status quo bias' });
});
