import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, test } from '@jest/globals';
import { openLowdbDiscussionStore } from '../../src/discussions/store.js';
import { Library } from '../../src/library.js';
import { silentLogger } from '../../src/logger.js';
import { corpusFile } from '../../src/papers/corpus.js';
import { expectValidMessage } from '../support/blockKit.js';
import { FakeClock } from '../support/bot.js';
import { closedAfter } from '../support/cleanup.js';
import { FakeSlack, type StoredMessage } from '../support/fakeSlack.js';
import { makePaper } from '../support/papers.js';
import { type RunningApp, startApp } from '../support/slackApp.js';
import { tempDir } from '../support/tmp.js';
import { shareLink } from '../support/userActions.js';

let running: RunningApp | undefined;
let slack: FakeSlack | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
  await slack?.stop();
  slack = undefined;
});

const paper = makePaper({
  id: '2310.02743',
  arxivId: '2310.02743',
  title: 'Reward Model Ensembles Help Mitigate Overoptimization',
  abstract: 'Ensembles of reward models mitigate overoptimization.',
  upvotes: 30,
  arrivedAt: '2026-11-20T00:00:00.000Z',
});

const followUpsIn = (channel: string): StoredMessage[] =>
  (slack?.messagesIn(channel) ?? []).filter((m) => m.metadata?.event_type === 'paperbot_follow_up');

test('news merged into a discussed paper is told once in its threads, across a restart, and never in an archived channel', async () => {
  const dataDir = tempDir('paperbot-followups-');
  writeFileSync(corpusFile(dataDir), '');
  const memoryFile = join(dataDir, 'discussions.json');
  const clock = new FakeClock(new Date('2026-11-26T12:00:00Z'));
  slack = await new FakeSlack().start();
  slack.addChannel({ id: 'C0ML', name: 'ml-reading' });
  slack.addChannel({ id: 'C0OLD', name: 'old-reading' });
  let library = closedAfter(await Library.open(dataDir, silentLogger));
  await library.ingest({ papers: [paper], skipped: [] });
  running = await startApp({
    index: library,
    library,
    clock,
    slack,
    discussions: await openLowdbDiscussionStore(memoryFile),
  });
  const thread = await shareLink(running, 'C0ML', paper);
  const oldThread = await shareLink(running, 'C0OLD', paper);
  slack.addChannel({ id: 'C0OLD', name: 'old-reading', isArchived: true });

  // An ingest merges a code repository into the paper: "Code is out" in the thread, once.
  const withCode = { ...paper, links: { code: ['https://github.com/example/ensembles'], project: [] } };
  await library.ingest({ papers: [withCode], skipped: [] });
  await running.followUps.idle();
  const [reply, ...more] = followUpsIn('C0ML');
  expect(more).toEqual([]);
  expect(reply?.thread_ts).toBe(thread);
  expect(reply?.text).toBe('Code is out for Reward Model Ensembles Help Mitigate Overoptimization');
  expect(JSON.stringify(reply?.blocks)).toContain(':rocket: Code is out for *Reward Model Ensembles');
  expectValidMessage(reply ?? {});
  // The archived channel got nothing; Slack was asked (conversations.info answers is_archived).
  expect(followUpsIn('C0OLD')).toEqual([]);
  const told = await running.discussions.followUpsIn('T0TEST');
  expect(told.map((f) => [f.channel, f.threadTs, f.news.kind, f.status, f.reason])).toEqual([
    ['C0ML', thread, 'code', 'posted', undefined],
    ['C0OLD', oldThread, 'code', 'skipped', 'is_archived'],
  ]);

  // The same repository from another source: no news, nothing posted.
  await library.ingest({ papers: [{ ...withCode, source: 'hf-daily-papers' }], skipped: [] });
  await running.followUps.idle();
  expect(followUpsIn('C0ML')).toHaveLength(1);

  // A restart (the memory is on disk), then a new arXiv version and 120 upvotes arrive.
  await running.stop(false);
  library = closedAfter(await Library.open(dataDir, silentLogger));
  running = await startApp({
    index: library,
    library,
    clock,
    slack,
    discussions: await openLowdbDiscussionStore(memoryFile),
  });
  await library.ingest({ papers: [{ ...withCode, arxivVersion: 2, upvotes: 120 }], skipped: [] });
  await running.followUps.idle();
  expect(followUpsIn('C0ML').map((m) => m.text)).toEqual([
    'Code is out for Reward Model Ensembles Help Mitigate Overoptimization',
    'New arXiv version (v2) of Reward Model Ensembles Help Mitigate Overoptimization',
    'Reward Model Ensembles Help Mitigate Overoptimization passed 100 upvotes',
  ]);
  // The same ingest replayed after another restart: nothing twice.
  await library.ingest({ papers: [{ ...withCode, arxivVersion: 2, upvotes: 120 }], skipped: [] });
  await running.followUps.idle();
  expect(followUpsIn('C0ML')).toHaveLength(3);
  expect(followUpsIn('C0OLD')).toEqual([]);
});

test('a follow-up whose answer was lost is found in the thread by the next run, not posted twice', async () => {
  const clock = new FakeClock(new Date('2026-11-26T12:00:00Z'));
  slack = await new FakeSlack().start();
  slack.addChannel({ id: 'C0ML', name: 'ml-reading' });
  const dataDir = tempDir('paperbot-followups-');
  writeFileSync(corpusFile(dataDir), '');
  const library = closedAfter(await Library.open(dataDir, silentLogger));
  await library.ingest({ papers: [paper], skipped: [] });
  running = await startApp({ index: library, library, clock, slack });
  await shareLink(running, 'C0ML', paper);
  // Slack stores the reply but the answer never comes back.
  slack.on('chat.postMessage', () => ({ body: { ok: true }, hangUp: true }));
  await library.ingest({ papers: [{ ...paper, arxivVersion: 3 }], skipped: [] });
  await running.followUps.idle();
  slack.off('chat.postMessage');
  expect(followUpsIn('C0ML')).toHaveLength(1);
  // The post itself looked in the thread after the lost answer, and found it.
  expect((await running.discussions.followUpsIn('T0TEST')).map((f) => f.status)).toEqual(['posted']);
  expect(slack.callsTo('conversations.replies').length).toBeGreaterThan(0);
});
