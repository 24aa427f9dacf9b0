import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { describe, expect, test } from '@jest/globals';
import { Library } from '../src/library.js';
import { silentLogger } from '../src/logger.js';
import { corpusFile } from '../src/papers/corpus.js';
import { describeIngest } from '../src/papers/ingest.js';
import { parseQuery } from '../src/search/query.js';
import { snapshotFile } from '../src/search/snapshot.js';
import { WorkerSearcher } from '../src/search/workerSearcher.js';
import { closedAfter } from './support/cleanup.js';
import { BUNDLED_SIZE, makePaper } from './support/papers.js';
import { tempDir } from './support/tmp.js';

const emptyDataDir = () => {
  const dir = tempDir('paperbot-library-');
  writeFileSync(corpusFile(dir), '');
  return dir;
};
const search = async (library: Library, text: string) =>
  (await library.search(parseQuery(text).query)).hits.map((h) => h.paper.title);

describe('Library.ingest', () => {
  test('new papers are searchable at once, and stored: a reopened library loads them from the snapshot', async () => {
    const dir = emptyDataDir();
    const library = closedAfter(await Library.open(dir, silentLogger));
    const report = await library.ingest({
      papers: [
        makePaper({ id: '2401.00001', title: 'Graph Transformers' }),
        makePaper({ id: '2401.00002', title: 'Protein Folding' }),
      ],
      skipped: [{ reason: 'no title' }, { reason: 'no title' }],
    });
    expect(report).toEqual({ new: 2, updated: 0, unchanged: 0, skipped: { 'no title': 2 }, corpusSize: 2 });
    expect(describeIngest(report)).toBe(
      '2 new, 0 updated, 0 unchanged; skipped 2 (2 × no title); 2 papers in the corpus',
    );
    expect(await search(library, 'protein')).toEqual(['Protein Folding']);
    expect(readFileSync(corpusFile(dir), 'utf8').split('\n').filter(Boolean)).toHaveLength(2);
    const reopened = closedAfter(await Library.open(dir, silentLogger));
    expect(reopened.origin).toBe('snapshot');
    expect(await search(reopened, 'graph')).toEqual(['Graph Transformers']);
  });

  test('an empty data directory ingests on top of the bundled seed, merging a seed paper by title', async () => {
    const dir = tempDir('paperbot-library-');
    const library = closedAfter(await Library.open(dir, silentLogger));
    const report = await library.ingest({
      papers: [
        makePaper({
          id: '2406.01660',
          arxivId: '2406.01660',
          title: 'Self-Improving Robust Preference Optimization',
          authors: ['Eugene Choi'],
        }),
      ],
      skipped: [],
    });
    expect(report).toMatchObject({ new: 0, updated: 1, corpusSize: BUNDLED_SIZE });
  });

  test('nothing changed: nothing written', async () => {
    const dir = emptyDataDir();
    const library = closedAfter(await Library.open(dir, silentLogger));
    await library.ingest({ papers: [makePaper({ title: 'Once' })], skipped: [] });
    const corpus = readFileSync(corpusFile(dir), 'utf8');
    expect((await library.ingest({ papers: [makePaper({ title: 'Once' })], skipped: [] })).unchanged).toBe(1);
    expect(readFileSync(corpusFile(dir), 'utf8')).toBe(corpus);
  });

  test('an ingest appends what changed and rewrites nothing; the snapshot waits for a checkpoint', async () => {
    const dir = emptyDataDir();
    const library = closedAfter(await Library.open(dir, silentLogger, { checkpointAfter: 3 }));
    const snapshot = readFileSync(snapshotFile(dir));
    await library.ingest({ papers: [makePaper({ title: 'One' }), makePaper({ title: 'Two' })], skipped: [] });
    await library.ingest({ papers: [makePaper({ title: 'One', upvotes: 3 })], skipped: [] });
    const lines = readFileSync(corpusFile(dir), 'utf8').split('\n').filter(Boolean);
    expect(lines.map((line) => JSON.parse(line).upvotes)).toEqual([undefined, undefined, 3]);
    await library.catchUp(); // a tick of the bot's: 3 changes since the last checkpoint, one is due
    expect(readFileSync(snapshotFile(dir)).equals(snapshot)).toBe(false);
    await library.close();
  });

  test('with the index in a worker thread, as the bot has it: ingested papers are found at once', async () => {
    const dir = emptyDataDir();
    const library = closedAfter(
      await Library.open(dir, silentLogger, {
        searcher: new WorkerSearcher({ logger: silentLogger }),
      }),
    );
    await library.ingest({ papers: [makePaper({ title: 'Protein Folding' })], skipped: [] });
    expect(await search(library, 'protein')).toEqual(['Protein Folding']);
    await library.close();
    const reopened = closedAfter(
      await Library.open(dir, silentLogger, {
        searcher: new WorkerSearcher({ logger: silentLogger }),
      }),
    );
    expect(reopened.origin).toBe('snapshot');
    expect(await search(reopened, 'protein')).toEqual(['Protein Folding']);
    await reopened.close();
  });

  test('papers another process stored reach the running library at its next catch-up', async () => {
    const dir = emptyDataDir();
    const bot = closedAfter(await Library.open(dir, silentLogger));
    const cli = closedAfter(await Library.open(dir, silentLogger));
    await cli.ingest({ papers: [makePaper({ title: 'From The CLI' })], skipped: [] });
    expect(await search(bot, 'cli')).toEqual([]);
    await bot.catchUp();
    expect(await search(bot, 'cli')).toEqual(['From The CLI']);
  });

  test('papers another process wrote meanwhile are kept', async () => {
    const dir = emptyDataDir();
    const bot = closedAfter(await Library.open(dir, silentLogger));
    const cli = closedAfter(await Library.open(dir, silentLogger));
    await cli.ingest({ papers: [makePaper({ title: 'From The CLI' })], skipped: [] });
    await bot.ingest({ papers: [makePaper({ title: 'From The Bot' })], skipped: [] });
    expect(await search(bot, 'cli')).toEqual(['From The CLI']);
    const lines = readFileSync(corpusFile(dir), 'utf8').split('\n').filter(Boolean);
    expect(lines.map((line) => JSON.parse(line).title).sort()).toEqual(['From The Bot', 'From The CLI']);
  });

  test('concurrent ingests are serialised: none is lost', async () => {
    const dir = emptyDataDir();
    const library = closedAfter(await Library.open(dir, silentLogger));
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        library.ingest({ papers: [makePaper({ title: `Paper Number ${i}` })], skipped: [] }),
      ),
    );
    expect(readFileSync(corpusFile(dir), 'utf8').split('\n').filter(Boolean)).toHaveLength(10);
  });
});

describe('Library.remove', () => {
  test('removes papers by id or arXiv id from the corpus and the index; the bot beside it reads the corpus again', async () => {
    const dir = emptyDataDir();
    try {
      await removeBesideTheBot(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** paperbot remove (a library) beside a running bot's library on one data directory. */
async function removeBesideTheBot(dir: string): Promise<void> {
  const cli = await Library.open(dir, silentLogger);
  await cli.ingest({
    papers: [
      makePaper({ id: 'junk-row', title: '| GET /healthz | a liveness probe |' }),
      makePaper({ id: '2401.00002', arxivId: '2401.00002', title: 'Protein Folding' }),
      makePaper({ id: '2401.00003', title: 'Graph Transformers' }),
    ],
    skipped: [],
  });
  // The bot, its index in a worker thread, opened on the same folder.
  const bot = await Library.open(dir, silentLogger, {
    searcher: new WorkerSearcher({ workers: 1, logger: silentLogger }),
  });
  expect(await search(bot, 'liveness probe')).toEqual(['| GET /healthz | a liveness probe |']);

  const outcome = await cli.remove(['junk-row', '2401.00002', 'never-stored']);
  expect(outcome.removed.map((paper) => paper.id)).toEqual(['junk-row', '2401.00002']);
  expect(outcome.unknown).toEqual(['never-stored']);
  expect(cli.size).toBe(1);
  expect(await search(cli, 'liveness probe')).toEqual([]);
  expect(await cli.getByArxivId('2401.00002')).toBeUndefined();
  expect(readFileSync(corpusFile(dir), 'utf8')).not.toContain('liveness');

  await bot.catchUp();
  expect(bot.size).toBe(1);
  expect(await search(bot, 'liveness probe')).toEqual([]);
  expect(await search(bot, 'graph')).toEqual(['Graph Transformers']);
  await cli.close();
  await bot.close();
  // A later start: the snapshot written at close is of the corpus without them.
  const reopened = await Library.open(dir, silentLogger);
  expect(reopened.origin).toBe('snapshot');
  expect(await search(reopened, 'protein')).toEqual([]);
  await reopened.close();
}
