import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, jest, test } from '@jest/globals';
import { Library } from '../../src/library.js';
import { silentLogger } from '../../src/logger.js';
import { PackedStrings } from '../../src/packedStrings.js';
import { corpusFile, serialiseCorpus } from '../../src/papers/corpus.js';
import { catalogFile } from '../../src/papers/corpusCatalog.js';
import { Paper } from '../../src/papers/paper.js';
import { DocumentIndex } from '../../src/search/documentIndex.js';
import { MINISEARCH_VERSION } from '../../src/search/miniSearchIndex.js';
import { searchDocument } from '../../src/search/paperSearch.js';
import { parseQuery } from '../../src/search/query.js';
import {
  INDEX_FORMAT,
  readIndexSnapshot,
  snapshotFile,
  writeIndexSnapshot,
} from '../../src/search/snapshot.js';
import { readSectionFile, writeSectionFile } from '../../src/sectionFile.js';
import { closedAfter } from '../support/cleanup.js';
import { BUNDLED_SIZE, bundledPapers, makePaper } from '../support/papers.js';
import { tempDir } from '../support/tmp.js';

function dataDirWith(titles: string[]): string {
  const dir = tempDir('paperbot-snapshot-');
  writeFileSync(corpusFile(dir), serialiseCorpus(titles.map((title) => makePaper({ title }))));
  return dir;
}

/** Opens the library of a data directory and closes it again: what a start of the bot does to its files. */
async function start(dir: string, logger = silentLogger) {
  const library = closedAfter(await Library.open(dir, logger));
  const { origin } = library;
  const found = (await library.search(parseQuery('diffusion protein graph').query, { limit: 10 })).hits
    .map((hit) => hit.paper.title)
    .sort();
  await library.close();
  return { origin, found };
}

/** The index after a trip through a snapshot file. */
async function roundTrip(index: DocumentIndex): Promise<DocumentIndex> {
  const file = join(tempDir('paperbot-snapshot-'), 'index.snapshot');
  await writeIndexSnapshot(file, index, { at: 'here' });
  return DocumentIndex.restore(readIndexSnapshot(readFileSync(file)).saved);
}

/** The header of a snapshot file. */
const headerOf = (file: string) => readSectionFile(readFileSync(file)).header as Record<string, unknown>;

describe('the index snapshot at start-up', () => {
  test('is written when the index is built, then loaded', async () => {
    const dir = dataDirWith(['Graph Neural Networks', 'Diffusion Models']);
    expect(await start(dir)).toEqual({
      origin: 'built',
      found: ['Diffusion Models', 'Graph Neural Networks'],
    });
    expect(await start(dir)).toEqual({
      origin: 'snapshot',
      found: ['Diffusion Models', 'Graph Neural Networks'],
    });
  });

  test('papers stored after it are caught up from its position, not indexed again', async () => {
    const dir = dataDirWith(['Graph Neural Networks']);
    await start(dir);
    const library = closedAfter(await Library.open(dir, silentLogger));
    await library.ingest({ papers: [makePaper({ title: 'Protein Folding' })], skipped: [] });
    // No close: as after a crash, the snapshot is the one from before the ingest.
    const info = jest.fn();
    const reopened = await start(dir, { ...silentLogger, info });
    expect(reopened).toEqual({ origin: 'snapshot', found: ['Graph Neural Networks', 'Protein Folding'] });
    expect(String(info.mock.calls[0]?.[0])).toMatch(
      /index loaded from snapshot and 1 papers caught up in \d+ ms$/,
    );
  });

  test('a corpus replaced by another is indexed again', async () => {
    const dir = dataDirWith(['Graph Neural Networks']);
    await start(dir);
    writeFileSync(corpusFile(dir), serialiseCorpus([makePaper({ title: 'Protein Folding' })]));
    expect(await start(dir)).toEqual({ origin: 'built', found: ['Protein Folding'] });
  });

  test('a snapshot of another minisearch version is rebuilt, as its internals may differ', async () => {
    const dir = dataDirWith(['Graph Neural Networks']);
    await start(dir);
    const written = readSectionFile(readFileSync(snapshotFile(dir)));
    expect(headerOf(snapshotFile(dir)).minisearch).toBe(MINISEARCH_VERSION);
    await writeSectionFile(
      snapshotFile(dir),
      { ...(written.header as object), minisearch: '6.3.0' },
      Object.fromEntries(written.sections),
    );
    const info = jest.fn();
    expect((await start(dir, { ...silentLogger, info })).origin).toBe('built');
    expect(String(info.mock.calls[0]?.[0])).toMatch(
      /^Index snapshot .*index\.snapshot is for another index format or minisearch version; re-indexing\.$/,
    );
    expect(headerOf(snapshotFile(dir)).minisearch).toBe(MINISEARCH_VERSION);
  });

  test.each([
    ['garbage', async (file: string) => writeFileSync(file, '{"format": "paperbot-index/1", "corp')],
    [
      'a truncated snapshot',
      async (file: string) => writeFileSync(file, readFileSync(file).subarray(0, 200)),
    ],
    [
      'another shape',
      (file: string) =>
        writeSectionFile(file, { ...headerOf(file) }, { 'terms.offsets': ['graph'], 'mini.fieldCounts': [] }),
    ],
  ])('%s is rebuilt with a warning, not an error', async (_name, corrupt) => {
    const dir = dataDirWith(['Graph Neural Networks']);
    await start(dir);
    await corrupt(snapshotFile(dir));
    const warn = jest.fn();
    expect((await start(dir, { ...silentLogger, warn })).origin).toBe('built');
    expect(String(warn.mock.calls[0]?.[0])).toMatch(
      /^Index snapshot .*index\.snapshot is unreadable \(.+\); re-indexing\.$/,
    );
    expect(headerOf(snapshotFile(dir)).format).toBe(INDEX_FORMAT);
  });

  test('a catalog that cannot be used is written again by the next start, which keeps its snapshot', async () => {
    const dir = dataDirWith(['Graph Neural Networks', 'Diffusion Models']);
    await start(dir);
    writeFileSync(catalogFile(dir), 'not a catalog');
    const warn = jest.fn();
    expect(await start(dir, { ...silentLogger, warn })).toEqual({
      origin: 'snapshot',
      found: ['Diffusion Models', 'Graph Neural Networks'],
    });
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/papers\.catalog is unreadable/);
    expect(headerOf(catalogFile(dir)).format).toBe('paperbot-catalog/2');
    const validate = jest.spyOn(Paper, 'safeParse');
    expect((await start(dir)).origin).toBe('snapshot');
    expect(validate).not.toHaveBeenCalled();
    validate.mockRestore();
  });

  test('a data folder of an earlier paperbot (catalog layout 1, index format 5) opens with the same answers and is upgraded', async () => {
    const dir = tempDir('paperbot-snapshot-');
    cpSync(fileURLToPath(new URL('../fixtures/dataFolder-catalog1-index5', import.meta.url)), dir, {
      recursive: true,
    });
    const fresh = tempDir('paperbot-snapshot-');
    writeFileSync(corpusFile(fresh), readFileSync(corpusFile(dir)));
    const answers = async (folder: string) => {
      const library = closedAfter(await Library.open(folder, silentLogger));
      const hits = (await library.search(parseQuery('loss classification').query, { limit: 10 })).hits;
      await library.close();
      return { origin: library.origin, hits: hits.map(({ paper, score }) => [paper.id, score]) };
    };
    const expected = (await answers(fresh)).hits;
    expect(expected.length).toBeGreaterThan(1);
    expect(await answers(dir)).toEqual({ origin: 'built', hits: expected });
    expect(headerOf(snapshotFile(dir)).format).toBe(INDEX_FORMAT);
    expect(headerOf(catalogFile(dir)).format).toBe('paperbot-catalog/2');
    expect(await answers(dir)).toEqual({ origin: 'snapshot', hits: expected });
  });

  test('an unwritable data directory only costs the catalog and the snapshot', async () => {
    const dir = dataDirWith(['Graph Neural Networks']);
    // A directory below a regular file cannot be created, even by root.
    const blocked = join(corpusFile(dir), 'data');
    const warn = jest.fn();
    const library = closedAfter(await Library.open(blocked, { ...silentLogger, warn }));
    expect(library.origin).toBe('built');
    expect(library.size).toBe(BUNDLED_SIZE); // the bundled corpus
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/^Could not write the corpus catalog of .*: ENOTDIR/);
    await library.close();
  });
});

describe('the snapshot file', () => {
  const papers = bundledPapers();

  test('a restored index ranks exactly as the one it was saved from, phrases and filters included', async () => {
    const built = DocumentIndex.build(papers.map(searchDocument));
    const restored = await roundTrip(built);
    for (const text of [
      'reward model ensembles',
      'human feedback preference',
      'segmentation loss',
      'federated',
      '"reward model" has:code',
      'preference -survey has:code',
    ]) {
      const query = parseQuery(text).query;
      expect(restored.search({ query, limit: 10 })).toEqual(built.search({ query, limit: 10 }));
      expect(restored.search({ query }).hits.length).toBeGreaterThan(0);
    }
  });

  test('an index of more documents than a call can take arguments restores (1M papers overflowed once)', async () => {
    // Restoring copied the per-document author lists with push(...list): at 1M papers,
    // "Maximum call stack size exceeded", and every start indexed the corpus again.
    const many = Array.from({ length: 150_000 }, (_, i) => ({
      id: `p${i}`,
      title: `word${i % 97}`,
      abstract: '',
      authors: [`Author ${i % 13}`],
      keywords: [],
      arrivedAt: '2026-11-26T00:00:00.000Z',
      hasCode: false,
    }));
    const restored = await roundTrip(DocumentIndex.build(many));
    expect(restored.size).toBe(150_000);
    expect(restored.search({ query: parseQuery('word5').query }).total).toBe(1547);
  });

  test('documents added to a restored index are searched and saved with the rest', async () => {
    const restored = await roundTrip(DocumentIndex.build(papers.slice(0, 60).map(searchDocument)));
    // 10 replaced (with another abstract, so that they are indexed again), 20 new
    const revised = papers
      .slice(50, 60)
      .map((paper) => ({ ...paper, abstract: `${paper.abstract} Revised.` }));
    restored.add([...revised, ...papers.slice(60)].map(searchDocument));
    const again = await roundTrip(restored);
    const newcomer = papers[79] as (typeof papers)[number];
    for (const text of [
      'reward model ensembles',
      'segmentation',
      'preference optimization diffusion',
      newcomer.title,
    ]) {
      const query = parseQuery(text).query;
      expect(again.search({ query, limit: 10 })).toEqual(restored.search({ query, limit: 10 }));
    }
    expect(again.search({ query: parseQuery(newcomer.title).query }).hits[0]?.id).toBe(newcomer.id);
    // Saved without the numbers of the 10 replaced documents.
    expect(new PackedStrings(again.save().mini.documentIds).length).toBe(80);
  });
});
