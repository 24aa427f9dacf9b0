import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { describe, expect, jest, test } from '@jest/globals';
import { silentLogger } from '../../src/logger.js';
import { type Corpus, corpusFile, loadCorpus, serialiseCorpus } from '../../src/papers/corpus.js';
import { MINISEARCH_VERSION } from '../../src/search/miniSearchIndex.js';
import { INDEX_FORMAT, PaperIndex } from '../../src/search/paperIndex.js';
import { parseQuery } from '../../src/search/query.js';
import { openIndex, snapshotFile } from '../../src/search/snapshot.js';
import { bundledPapers, makePaper } from '../support/papers.js';

async function dataDirWith(titles: string[]): Promise<{ dir: string; corpus: Corpus }> {
  const dir = mkdtempSync(join(tmpdir(), 'paperbot-snapshot-'));
  writeFileSync(corpusFile(dir), serialiseCorpus(titles.map((title) => makePaper({ title }))));
  return { dir, corpus: await loadCorpus(dir) };
}

describe('openIndex', () => {
  test('builds and writes a snapshot the first time, then loads it', async () => {
    const { dir, corpus } = await dataDirWith(['Graph Neural Networks', 'Diffusion Models']);
    const first = await openIndex(dir, corpus, silentLogger);
    expect(first.origin).toBe('built');
    const second = await openIndex(dir, corpus, silentLogger);
    expect(second.origin).toBe('snapshot');
    expect(second.index.search(parseQuery('diffusion').query).hits.map((h) => h.paper.title)).toEqual([
      'Diffusion Models',
    ]);
  });

  test('a changed corpus makes the snapshot stale and it is rebuilt', async () => {
    const { dir, corpus } = await dataDirWith(['Graph Neural Networks']);
    await openIndex(dir, corpus, silentLogger);
    writeFileSync(corpusFile(dir), serialiseCorpus([makePaper({ title: 'Protein Folding' })]));
    const changed = await loadCorpus(dir);
    const reopened = await openIndex(dir, changed, silentLogger);
    expect(reopened.origin).toBe('built');
    expect(reopened.index.search(parseQuery('protein').query).total).toBe(1);
  });

  test('a snapshot of another minisearch version is rebuilt, as its internals may differ', async () => {
    const { dir, corpus } = await dataDirWith(['Graph Neural Networks']);
    await openIndex(dir, corpus, silentLogger);
    const written = deserialize(readFileSync(snapshotFile(dir))) as { minisearch: string };
    expect(written.minisearch).toBe(MINISEARCH_VERSION);
    writeFileSync(snapshotFile(dir), serialize({ ...written, minisearch: '6.3.0' }));
    const info = jest.fn();
    const reopened = await openIndex(dir, corpus, { ...silentLogger, info });
    expect(reopened.origin).toBe('built');
    expect(String(info.mock.calls[0]?.[0])).toMatch(
      /^Index snapshot .*index\.v8 is for another corpus, index format or minisearch version; re-indexing\.$/,
    );
    expect((deserialize(readFileSync(snapshotFile(dir))) as { minisearch: string }).minisearch).toBe(
      MINISEARCH_VERSION,
    );
  });

  test.each([
    ['garbage', () => Buffer.from('{"format": "paperbot-index/1", "corp')],
    ['a truncated snapshot', (file: string) => readFileSync(file).subarray(0, 200)],
    ['another shape', () => serialize({ format: INDEX_FORMAT, corpus: 'x', index: { tree: [] } })],
  ])('%s is rebuilt with a warning, not an error', async (_name, corrupt) => {
    const { dir, corpus } = await dataDirWith(['Graph Neural Networks']);
    await openIndex(dir, corpus, silentLogger);
    writeFileSync(snapshotFile(dir), corrupt(snapshotFile(dir)));
    const warn = jest.fn();
    const { origin } = await openIndex(dir, corpus, { ...silentLogger, warn });
    expect(origin).toBe('built');
    expect(String(warn.mock.calls[0]?.[0])).toMatch(
      /^Index snapshot .*index\.v8 is unreadable \(.+\); re-indexing\.$/,
    );
    expect((deserialize(readFileSync(snapshotFile(dir))) as { format: string }).format).toBe(INDEX_FORMAT);
  });

  test('a restored index ranks exactly as the one it was saved from, phrases and filters included', () => {
    const papers = bundledPapers();
    const built = PaperIndex.build(papers);
    const restored = PaperIndex.restore(deserialize(serialize(built.save())), papers);
    for (const text of [
      'reward model ensembles',
      'human feedback preference',
      'segmentation loss',
      'federated',
      '"reward model" has:code',
      'preference -survey has:code',
    ]) {
      const { query } = parseQuery(text);
      const ranked = (index: PaperIndex) =>
        index.search(query, { limit: 10 }).hits.map((hit) => [hit.paper.id, hit.score.toFixed(9)]);
      expect(ranked(restored)).toEqual(ranked(built));
      expect(ranked(restored).length).toBeGreaterThan(0);
    }
  });

  test('papers added to a restored index are searched and saved with the rest', () => {
    const papers = bundledPapers();
    const restored = PaperIndex.restore(
      deserialize(serialize(PaperIndex.build(papers.slice(0, 60)).save())),
      papers.slice(0, 60),
    );
    restored.add(papers.slice(50)); // 10 replaced, 20 new
    const again = PaperIndex.restore(deserialize(serialize(restored.save())), papers);
    const newcomer = papers[79] as (typeof papers)[number];
    for (const text of [
      'reward model ensembles',
      'segmentation',
      'preference optimization diffusion',
      newcomer.title,
    ]) {
      const { query } = parseQuery(text);
      const ranked = (index: PaperIndex) =>
        index.search(query, { limit: 10 }).hits.map((hit) => [hit.paper.id, hit.score.toFixed(9)]);
      expect(ranked(again)).toEqual(ranked(restored));
    }
    expect(again.search(parseQuery(newcomer.title).query).hits[0]?.paper.id).toBe(newcomer.id);
  });

  test('a snapshot missing a corpus paper is refused', () => {
    const papers = bundledPapers();
    const saved = PaperIndex.build(papers.slice(1)).save();
    const other = [makePaper({ title: 'Not In The Snapshot' }), ...papers.slice(2)];
    expect(() => PaperIndex.restore(saved, other)).toThrow(
      /^snapshot lacks the corpus paper not-in-the-snapshot$/,
    );
  });

  test('an unwritable data directory only costs the snapshot', async () => {
    const { dir, corpus } = await dataDirWith(['Graph Neural Networks']);
    // A directory below a regular file cannot be created, even by root.
    const blocked = join(corpusFile(dir), 'data');
    const warn = jest.fn();
    const { index, origin } = await openIndex(blocked, corpus, { ...silentLogger, warn });
    expect(origin).toBe('built');
    expect(index.size).toBe(1);
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/^Could not write the index snapshot .*: ENOTDIR/);
  });
});
