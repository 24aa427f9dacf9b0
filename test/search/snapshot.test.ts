import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, jest, test } from '@jest/globals';
import { silentLogger } from '../../src/logger.js';
import { type Corpus, corpusFile, loadCorpus, serialiseCorpus } from '../../src/papers/corpus.js';
import { parseQuery } from '../../src/search/query.js';
import { openIndex, snapshotFile } from '../../src/search/snapshot.js';
import { makePaper } from '../support/papers.js';

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

  test('a corrupt snapshot is rebuilt with a warning, not an error', async () => {
    const { dir, corpus } = await dataDirWith(['Graph Neural Networks']);
    writeFileSync(snapshotFile(dir), '{"format": "paperbot-index/1", "corp');
    const warn = jest.fn();
    const { origin } = await openIndex(dir, corpus, { ...silentLogger, warn });
    expect(origin).toBe('built');
    expect(String(warn.mock.calls[0]?.[0])).toMatch(
      /^Index snapshot .*index\.json is unreadable \(.+\); re-indexing\.$/,
    );
    expect(JSON.parse(readFileSync(snapshotFile(dir), 'utf8')).format).toBe('paperbot-index/1');
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
