import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { Library } from '../../src/library.js';
import { silentLogger } from '../../src/logger.js';
import { WorkerSearcher } from '../../src/search/workerSearcher.js';
import { expectValidMessage, sectionTexts } from '../support/blockKit.js';
import { bundledPapers } from '../support/papers.js';
import { postSigned, slashCommandBody } from '../support/signing.js';
import { type RunningApp, startApp } from '../support/slackApp.js';

// The bot as main.ts runs it: its index in a worker thread. Under more requests than the worker can
// answer soon, every request is acknowledged at once, and answered: with papers, or with the busy
// sentence at once, never with an error and never after Slack has given up.
let running: RunningApp;
beforeAll(async () => {
  // A worker that may keep a search waiting 1 ms: every search that has to queue is shed.
  const searcher = new WorkerSearcher({ logger: silentLogger, maxWaitMs: 1 });
  running = await startApp({ index: await Library.inMemory(bundledPapers(), { searcher }) });
});
afterAll(async () => {
  await running.stop();
  await running.index.close();
});

test('a burst of /paper is acked, and each answered with papers or "busy, try again in a few seconds"', async () => {
  const ids = Array.from({ length: 40 }, (_, i) => `burst-${i}`);
  const statuses = await Promise.all(
    ids.map((id) =>
      postSigned(
        running.eventsUrl,
        slashCommandBody('reward model ensembles', running.slack.responseUrl(id)),
        'application/x-www-form-urlencoded',
      ).then((response) => response.status),
    ),
  );
  expect(statuses).toEqual(ids.map(() => 200));
  await running.slack.waitFor(() => ids.every((id) => running.slack.responses.some((r) => r.id === id)));
  const answers = ids.map((id) => running.slack.responses.find((r) => r.id === id)?.body ?? {});
  const busy = answers.filter((body) => String(body.text).includes('busy right now'));
  const papers = answers.filter((body) => sectionTexts(body)[0]?.startsWith('*Reward Model Ensembles'));
  expect(busy.length + papers.length).toBe(ids.length);
  expect(papers.length).toBeGreaterThan(0);
  expect(busy.length).toBeGreaterThan(0);
  expect(String(busy[0]?.text)).toBe(
    ':hourglass_flowing_sand: I’m busy right now: please try again in a few seconds.',
  );
  for (const body of answers) expectValidMessage(body);
});
