import { writeFileSync } from 'node:fs';
import { expect, test } from '@jest/globals';
import { newsOf } from '../../src/discussions/news.js';
import { Library, type PaperUpdate } from '../../src/library.js';
import { silentLogger } from '../../src/logger.js';
import { corpusFile } from '../../src/papers/corpus.js';
import { closedAfter } from '../support/cleanup.js';
import { makePaper } from '../support/papers.js';
import { tempDir } from '../support/tmp.js';

const paper = makePaper({
  id: '2401.00001',
  arxivId: '2401.00001',
  title: 'Reward model ensembles',
  upvotes: 10,
});

test('the library tells its listeners what its ingests and its catch-ups changed, as it was and as it is', async () => {
  const dataDir = tempDir('paperbot-updates-');
  writeFileSync(corpusFile(dataDir), '');
  const bot = closedAfter(await Library.open(dataDir, silentLogger));
  const heard: PaperUpdate[][] = [];
  bot.onUpdated((updates) => heard.push(updates));
  await bot.ingest({ papers: [paper], skipped: [] });
  expect(heard).toEqual([]); // a new paper has no "before"
  // The same paper twice in one batch: one update, from the stored version to the last merge.
  await bot.ingest({
    papers: [
      { ...paper, upvotes: 60 },
      { ...paper, upvotes: 60, links: { code: ['https://github.com/a/b'], project: [] } },
    ],
    skipped: [],
  });
  expect(heard).toHaveLength(1);
  const [[update]] = heard as [[PaperUpdate]];
  expect(update.before.upvotes).toBe(10);
  expect(newsOf(update.before, update.after)).toEqual([
    { kind: 'code', url: 'https://github.com/a/b' },
    { kind: 'upvotes', threshold: 50, upvotes: 60 },
  ]);
  // `paperbot ingest` in another process stores a new version; the bot hears of it when it catches up.
  const cli = closedAfter(await Library.open(dataDir, silentLogger));
  await cli.ingest({ papers: [{ ...paper, arxivVersion: 2 }], skipped: [] });
  await cli.close();
  await bot.catchUp();
  expect(heard).toHaveLength(2);
  const caught = heard[1]?.[0] as PaperUpdate;
  expect(newsOf(caught.before, caught.after)).toEqual([{ kind: 'version', version: 2 }]);
  await bot.close();
});
