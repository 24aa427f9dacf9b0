import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, jest, test } from '@jest/globals';
import { PaperbotError } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';
import { BUNDLED_CORPUS_FILE, corpusFile, serialiseCorpus } from '../../src/papers/corpus.js';
import { catalogFile } from '../../src/papers/corpusCatalog.js';
import { FileCorpusStore } from '../../src/papers/corpusFile.js';
import { Paper } from '../../src/papers/paper.js';
import { closedAfter } from '../support/cleanup.js';
import { BUNDLED_SIZE, makePaper } from '../support/papers.js';
import { tempDir } from '../support/tmp.js';

const emptyDir = () => tempDir('paperbot-corpus-');
const stores: FileCorpusStore[] = [];
const storeOf = (
  dir: string,
  options: ConstructorParameters<typeof FileCorpusStore>[2] = {},
  logger = silentLogger,
) => {
  const store = closedAfter(new FileCorpusStore(dir, logger, options));
  stores.push(store);
  return store;
};
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  jest.restoreAllMocks();
});
const titles = async (store: FileCorpusStore) => {
  const { catalog } = await store.open();
  return (await store.read(catalog.ids.toArray())).map((paper) => paper?.title);
};

describe('the corpus file: what start-up reads', () => {
  test('an empty data directory starts from the bundled corpus', async () => {
    const store = storeOf(emptyDir());
    const { catalog } = await store.open();
    expect(store.file).toBe(BUNDLED_CORPUS_FILE);
    expect(catalog.ids.toArray()).toHaveLength(BUNDLED_SIZE);
  });

  test('a working corpus in the data directory wins over the bundled one', async () => {
    const dir = emptyDir();
    writeFileSync(corpusFile(dir), serialiseCorpus([makePaper({ title: 'Only Paper' })]));
    const store = storeOf(dir);
    expect(await titles(store)).toEqual(['Only Paper']);
    expect(store.file).toBe(corpusFile(dir));
  });

  test('non-ASCII text survives reading by byte offset, a last line without a newline too', async () => {
    const dir = emptyDir();
    const names = ['Über Ωmega: 🚀 scaling', 'Ça va — 日本語の論文'];
    writeFileSync(
      corpusFile(dir),
      serialiseCorpus(names.map((title) => makePaper({ title }))).subarray(0, -1),
    );
    const store = storeOf(dir);
    expect(await titles(store)).toEqual(names);
    // The next append starts a line of its own.
    await store.append([makePaper({ title: 'Third' })], (await store.open()).position);
    expect(await titles(storeOf(dir))).toEqual([...names, 'Third']);
  });

  test('a line that is not JSON stops the open, naming the file and line', async () => {
    const dir = emptyDir();
    writeFileSync(corpusFile(dir), `${serialiseCorpus([makePaper({ title: 'A' })])}{"id": "broken"\n`);
    const error = await storeOf(dir)
      .open()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PaperbotError);
    expect((error as PaperbotError).code).toBe('paperbot_corpus_error');
    expect((error as Error).message).toMatch(
      new RegExp(
        `^${corpusFile(dir).replace(/[.]/g, '\\.')} line 2 is not valid JSON \\(.+\\)\\. Fix or delete that line`,
      ),
    );
  });

  test('a row that is not a paper stops the open, saying which field is wrong', async () => {
    const dir = emptyDir();
    writeFileSync(
      corpusFile(dir),
      `${JSON.stringify({ ...makePaper({ title: 'A' }), arrivedAt: 'yesterday' })}\n`,
    );
    await expect(storeOf(dir).open()).rejects.toThrow(
      `${corpusFile(dir)} line 1 is not a valid paper: arrivedAt: Invalid ISO datetime. Fix or delete that line.`,
    );
  });

  test('a row written by hand gets the defaults of a paper when it is read', async () => {
    const dir = emptyDir();
    writeFileSync(
      corpusFile(dir),
      `${JSON.stringify({ id: 'x', title: 'Hand Written', arrivedAt: '2026-11-01T00:00:00.000Z', links: {}, source: 'paperbot' })}\n`,
    );
    const store = storeOf(dir);
    await store.open();
    expect(await store.read(['x'])).toEqual([
      Paper.parse({
        id: 'x',
        title: 'Hand Written',
        arrivedAt: '2026-11-01T00:00:00.000Z',
        links: {},
        source: 'paperbot',
      }),
    ]);
  });
});

/** A data directory with an empty corpus of its own. */
const emptyCorpus = () => {
  const dir = emptyDir();
  writeFileSync(corpusFile(dir), '');
  return dir;
};

describe('the catalog: rows are validated once', () => {
  test('after a checkpoint, start-up validates only the lines written since', async () => {
    const dir = emptyCorpus();
    const store = storeOf(dir);
    let { position } = await store.open();
    position = await store.append([makePaper({ title: 'A' }), makePaper({ title: 'B' })], position);
    await store.checkpoint();
    await store.append([makePaper({ title: 'C' })], position);
    const validate = jest.spyOn(Paper, 'safeParse');
    expect(await titles(storeOf(dir))).toEqual(['A', 'B', 'C']);
    expect(validate).toHaveBeenCalledTimes(1);
  });

  test('a file changed under its catalog is validated whole again: an edited row stops start-up', async () => {
    const dir = emptyCorpus();
    const store = storeOf(dir);
    const { position } = await store.open();
    await store.append([makePaper({ title: 'A' }), makePaper({ title: 'B' })], position);
    await store.checkpoint();
    // The same length, so only the fingerprint can tell.
    const text = readFileSync(corpusFile(dir), 'utf8').replace(
      '2026-11-01T00:00:00.000Z',
      '2026-11-01T00:00:00.00QZ',
    );
    writeFileSync(corpusFile(dir), text);
    await expect(storeOf(dir).open()).rejects.toThrow(/line 1 is not a valid paper: arrivedAt/);
  });

  test('a damaged catalog is only a slower start', async () => {
    const dir = emptyCorpus();
    const store = storeOf(dir);
    const { position } = await store.open();
    await store.append([makePaper({ title: 'A' })], position);
    await store.checkpoint();
    writeFileSync(catalogFile(dir), 'not a catalog');
    const warn = jest.fn();
    expect(await titles(storeOf(dir, {}, { ...silentLogger, warn }))).toEqual(['A']);
    expect(String(warn.mock.calls[0]?.[0])).toMatch(
      /^The corpus catalog .*papers\.catalog is unreadable \(.+\); reading the corpus\.$/,
    );
  });
});

describe('appends and crashes', () => {
  test('the first append copies the bundled corpus into the data directory', async () => {
    const dir = emptyDir();
    const store = storeOf(dir);
    const { position } = await store.open();
    await store.append([makePaper({ title: 'Mine' })], position);
    expect(readFileSync(corpusFile(dir), 'utf8').split('\n').filter(Boolean)).toHaveLength(BUNDLED_SIZE + 1);
  });

  test('an incomplete last line (a write cut short) is ignored with a warning and cut off by the next append', async () => {
    const dir = emptyDir();
    writeFileSync(corpusFile(dir), serialiseCorpus([makePaper({ title: 'A' })]));
    appendFileSync(corpusFile(dir), '{"id":"half-writ');
    const warn = jest.fn();
    const store = storeOf(dir, {}, { ...silentLogger, warn });
    expect(await titles(store)).toEqual(['A']);
    expect(String(warn.mock.calls[0]?.[0])).toBe(
      `${corpusFile(dir)} line 2 is incomplete (a write cut short); it is ignored, and cut off at the next ingest.`,
    );
    await store.append([makePaper({ title: 'B' })], (await store.open()).position);
    expect(readFileSync(corpusFile(dir), 'utf8')).toBe(
      serialiseCorpus([makePaper({ title: 'A' }), makePaper({ title: 'B' })]).toString(),
    );
  });

  test('a lock left by a process that is gone is taken over', async () => {
    const dir = emptyDir();
    writeFileSync(corpusFile(dir), '');
    writeFileSync(`${corpusFile(dir)}.lock`, '999999999\n');
    const store = storeOf(dir);
    await store.append([makePaper({ title: 'A' })], (await store.open()).position);
    expect(existsSync(`${corpusFile(dir)}.lock`)).toBe(false);
    expect(await titles(storeOf(dir))).toEqual(['A']);
  });
});

describe('compaction', () => {
  test('rewrites one line per paper; a reader at the position before it is still caught up from there', async () => {
    const dir = emptyDir();
    writeFileSync(corpusFile(dir), '');
    const store = storeOf(dir, { compactAfter: 3 });
    let { position } = await store.open();
    for (let round = 0; round < 4; round++)
      position = await store.append(
        [makePaper({ title: 'A', abstract: `v${round}` }), makePaper({ title: 'B', abstract: `v${round}` })],
        position,
      );
    expect(store.wantsCompaction).toBe(true);
    const before = position;
    const after = await store.compact();
    expect(store.wantsCompaction).toBe(false);
    expect(readFileSync(corpusFile(dir), 'utf8').split('\n').filter(Boolean)).toHaveLength(2);
    expect((await store.read(['a', 'b'])).map((paper) => paper?.abstract)).toEqual(['v3', 'v3']);
    expect((await store.changesSince(before))?.papers).toEqual([]);
    const later = await store.append([makePaper({ title: 'C' })], after);
    // Another process opening the data directory now: the old position is known through the catalog.
    const other = storeOf(dir);
    await other.open();
    expect((await other.changesSince(before))?.papers.map((paper) => paper.title)).toEqual(['C']);
    expect((await other.changesSince(later))?.papers).toEqual([]);
  });
});
