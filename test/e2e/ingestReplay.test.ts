import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, expect, test } from '@jest/globals';
import { Library } from '../../src/library.js';
import { silentLogger } from '../../src/logger.js';
import { corpusFile } from '../../src/papers/corpus.js';
import { Refresher } from '../../src/papers/refresher.js';
import { configuredSources } from '../../src/papers/refreshSources.js';
import { sectionTexts } from '../support/blockKit.js';
import { FakeClock } from '../support/bot.js';
import { closedAfter } from '../support/cleanup.js';
import { FakeSlack } from '../support/fakeSlack.js';
import { FakeSources, hfDays } from '../support/fakeSources.js';
import { postSigned, slashCommandBody } from '../support/signing.js';
import { type RunningApp, startApp } from '../support/slackApp.js';
import { tempDir } from '../support/tmp.js';

const DAY_MS = 86_400_000;
const days = hfDays(30);
let sources: FakeSources | undefined;
let running: RunningApp | undefined;
afterAll(async () => {
  await running?.stop();
  await sources?.stop();
});

test('30 days of HF daily papers through the running bot: the corpus grows by exactly the new papers, and a subscription gets each matching one once', async () => {
  sources = await new FakeSources().start();
  for (const day of days) sources.hfDays.set(day.date, day.items);
  const dataDir = tempDir('paperbot-replay-');
  writeFileSync(corpusFile(dataDir), ''); // start from an empty corpus
  const library = closedAfter(await Library.open(dataDir, silentLogger));
  const first = days[0]?.date ?? '';
  const clock = new FakeClock(new Date(`${first}T08:00:00Z`));
  // Slack allows about one post per second per channel: the digests of this replay are a day
  // apart in the scenario, so the fake Slack measures its rate on the scenario's clock.
  const slack = await new FakeSlack({ now: () => clock.now().getTime() }).start();
  running = await startApp({ index: library, clock, slack });
  const refresher = new Refresher({
    library,
    sources: configuredSources({
      hfApiUrl: sources.hfUrl,
      arxivApiUrl: sources.arxivUrl,
      hfSchedule: '5 * * * *',
      arxivCategories: [],
      arxivMax: 1,
    }),
    now: clock.now,
    logger: silentLogger,
  });

  // The channel subscribes before any paper arrives.
  await postSigned(
    running.eventsUrl,
    slashCommandBody('subscribe diffusion tz UTC', running.slack.responseUrl('sub')),
    'application/x-www-form-urlencoded',
  );
  await running.slack.waitFor(() => running?.slack.responses.find((r) => r.id === 'sub'));
  expect(await running.store.inTeam('T0TEST')).toHaveLength(1);

  // Each replayed day: the hourly refresh at 10:05, then the next morning's digest at 09:00.
  let changed = 0;
  for (const day of days) {
    clock.set(`${day.date}T10:05:00Z`);
    const runs = await refresher.tick();
    expect(runs.map((run) => ('error' in run ? run.error : 'ok'))).toEqual(['ok']);
    for (const run of runs) if ('report' in run) changed += run.report.new + run.report.updated;
    clock.set(new Date(Date.parse(`${day.date}T09:00:00Z`) + DAY_MS));
    await running.scheduler.tick();
  }
  // Then mornings without new papers, until the digests have caught up.
  for (
    let extra = 0;
    extra < 60 && (await running.scheduler.tick()).some((run) => run.outcome === 'posted') !== false;
    extra++
  ) {
    clock.advance(DAY_MS);
  }

  const unique = new Map(
    days.flatMap((day) => day.items.map((item) => [item.paper.id, item.paper] as const)),
  );
  expect(library.size).toBe(unique.size);
  // The corpus file is appended to: a line per paper that was new or changed, nothing rewritten.
  const lines = readFileSync(corpusFile(dataDir), 'utf8').split('\n').filter(Boolean);
  expect(lines).toHaveLength(changed);
  expect(new Set(lines.map((line) => (JSON.parse(line) as { id: string }).id)).size).toBe(unique.size);

  // Judged without the search engine: a paper is on topic when its title or abstract has a word starting "diffus".
  const onTopic = [...unique.values()]
    .filter((paper) => /\bdiffus/i.test(`${paper.title} ${(paper as { summary?: string }).summary ?? ''}`))
    .map((paper) => paper.title.replace(/\s+/g, ' ').trim());
  const digests = running.slack
    .callsTo('chat.postMessage')
    .filter((call) => sectionTexts(call.args)[0]?.startsWith(':newspaper:'));
  const posted = digests.flatMap((call) =>
    sectionTexts(call.args)
      .slice(1)
      .map((text) => /^\*(.+?)\*\n/.exec(text)?.[1] ?? ''),
  );
  // Digests post strong matches (the relevance floor): every paper with the word in its title, never
  // one without the word; a passing mention in an abstract is not enough.
  const titled = [...unique.values()]
    .filter((paper) => /\bdiffus(e|es|ed|ing|ion|ions)?\b/i.test(paper.title))
    .map((paper) => paper.title.replace(/\s+/g, ' ').trim());
  expect(titled.length).toBeGreaterThan(15);
  expect(new Set(posted).size).toBe(posted.length); // once each
  expect(posted.filter((title) => !onTopic.includes(title))).toEqual([]);
  expect(titled.filter((title) => !posted.includes(title))).toEqual([]);
}, 60_000); // 4 s on an idle machine, past jest's 20 s on a loaded one
