import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { PaperbotError } from '../../src/errors.js';
import { BUNDLED_CORPUS_FILE, corpusFile, loadCorpus, serialiseCorpus } from '../../src/papers/corpus.js';
import { makePaper } from '../support/papers.js';

const emptyDir = () => mkdtempSync(join(tmpdir(), 'paperbot-corpus-'));

describe('loadCorpus', () => {
  test('an empty data directory starts from the bundled seed corpus', async () => {
    const corpus = await loadCorpus(emptyDir());
    expect(corpus.file).toBe(BUNDLED_CORPUS_FILE);
    expect(corpus.papers).toHaveLength(80);
  });

  test('a working corpus in the data directory wins over the bundled one', async () => {
    const dir = emptyDir();
    writeFileSync(corpusFile(dir), serialiseCorpus([makePaper({ title: 'Only Paper' })]));
    const corpus = await loadCorpus(dir);
    expect(corpus.file).toBe(corpusFile(dir));
    expect(corpus.papers.map((p) => p.title)).toEqual(['Only Paper']);
  });

  test('non-ASCII text survives the byte-wise line reading, last line without a newline too', async () => {
    const dir = emptyDir();
    const titles = ['Über Ωmega: 🚀 scaling', 'Ça va — 日本語の論文'];
    writeFileSync(
      corpusFile(dir),
      serialiseCorpus(titles.map((title) => makePaper({ title }))).subarray(0, -1),
    );
    expect((await loadCorpus(dir)).papers.map((p) => p.title)).toEqual(titles);
  });

  test('the fingerprint follows the bytes', async () => {
    const dir = emptyDir();
    writeFileSync(corpusFile(dir), serialiseCorpus([makePaper({ title: 'A' })]));
    const before = (await loadCorpus(dir)).fingerprint;
    writeFileSync(corpusFile(dir), serialiseCorpus([makePaper({ title: 'B' })]));
    expect((await loadCorpus(dir)).fingerprint).not.toBe(before);
  });

  test('a line that is not JSON stops the load, naming the file and line', async () => {
    const dir = emptyDir();
    writeFileSync(corpusFile(dir), `${serialiseCorpus([makePaper({ title: 'A' })])}{"id": "broken"\n`);
    const error = await loadCorpus(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PaperbotError);
    expect((error as PaperbotError).code).toBe('paperbot_corpus_error');
    expect((error as Error).message).toMatch(
      new RegExp(
        `^${corpusFile(dir).replace(/[.]/g, '\\.')} line 2 is not valid JSON \\(.+\\)\\. Fix or delete that line`,
      ),
    );
  });

  test('a row that is not a paper stops the load, saying which field is wrong', async () => {
    const dir = emptyDir();
    writeFileSync(
      corpusFile(dir),
      `${JSON.stringify({ ...makePaper({ title: 'A' }), arrivedAt: 'yesterday' })}\n`,
    );
    await expect(loadCorpus(dir)).rejects.toThrow(
      `${corpusFile(dir)} line 1 is not a valid paper: arrivedAt: Invalid ISO datetime. Fix or delete that line.`,
    );
  });
});
