import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, test } from '@jest/globals';
import { serialiseCorpus } from '../../../src/papers/corpus.js';
import { detectFormat, NotPapers, paperProblem, readPaperFile } from '../../../src/papers/sources/files.js';
import { arxivRows, hfDays } from '../../support/fakeSources.js';
import { makePaper, SEED_PAGE } from '../../support/papers.js';
import { tempDir } from '../../support/tmp.js';

const ARRIVED = '2026-11-26T00:00:00.000Z';
const SHARED = fileURLToPath(new URL('../../../../shared/data/', import.meta.url));
const dir = tempDir('paperbot-files-');
const write = (name: string, content: string | Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const days = hfDays(3);
const items = days.flatMap((day) => day.items);

describe('readPaperFile', () => {
  test.each([
    ['the seed page', () => SEED_PAGE, 'hf-page', 80],
    [
      'an HF answer (JSON array)',
      () => write('day.json', JSON.stringify(days[0]?.items)),
      'hf-daily',
      days[0]?.items.length,
    ],
    [
      'an HF answer wrapped in {data}',
      () => write('wrapped.json', JSON.stringify({ status: 'ok', data: days[0]?.items }, null, 2)),
      'hf-daily',
      days[0]?.items.length,
    ],
    [
      'HF items as gzipped JSONL',
      () => write('items.jsonl.gz', gzipSync(items.map((i) => JSON.stringify(i)).join('\n'))),
      'hf-daily',
      items.length,
    ],
    [
      'the per-day replay file',
      () => write('by_day.jsonl', days.map((d) => JSON.stringify(d)).join('\n')),
      'hf-daily',
      items.length,
    ],
    [
      'daily-arXiv JSONL',
      () =>
        write(
          'arxiv.jsonl',
          arxivRows(30)
            .map((r) => JSON.stringify(r))
            .join('\n'),
        ),
      'daily-arxiv',
      30,
    ],
    [
      'paperbot corpus JSONL',
      () => write('papers.jsonl', serialiseCorpus([makePaper({ title: 'Mine' })])),
      'paperbot',
      1,
    ],
  ] as const)('%s is detected and read', async (_name, path, format, count) => {
    const batch = await readPaperFile(path(), ARRIVED);
    expect(batch.format).toBe(format);
    expect(batch.papers).toHaveLength(count ?? -1);
    expect(batch.skipped).toEqual([]);
  });

  test('the real shared HF file reads whole', async () => {
    const batch = await readPaperFile(`${SHARED}hf-daily-papers/daily_papers.jsonl.gz`, ARRIVED);
    expect(batch).toMatchObject({ format: 'hf-daily', skipped: [] });
    expect(batch.papers).toHaveLength(9877);
  });

  test('bad lines are skipped with reasons, good ones kept; paperbot rows keep their arrival', async () => {
    const path = write(
      'mixed.jsonl',
      [
        serialiseCorpus([makePaper({ title: 'Kept', arrivedAt: '2020-01-01T00:00:00.000Z' })])
          .toString()
          .trim(),
        '{oops',
        JSON.stringify({ id: 'x', arrivedAt: 'y', links: {} }),
      ].join('\n'),
    );
    const batch = await readPaperFile(path, ARRIVED);
    expect(batch.papers.map((p) => [p.title, p.arrivedAt])).toEqual([['Kept', '2020-01-01T00:00:00.000Z']]);
    expect(batch.skipped.map((s) => s.reason)).toEqual([
      'line is not JSON',
      'paper row: title: Invalid input: expected string, received undefined',
    ]);
  });

  test('the format can be named instead of detected', async () => {
    const path = write(
      'rows.txt',
      arxivRows(2)
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    expect((await readPaperFile(path, ARRIVED, 'daily-arxiv')).papers).toHaveLength(2);
  });

  test('detectFormat on bare text and on JSON', () => {
    expect(detectFormat('Subscribe\nMay 8\n')).toBe('hf-page');
    expect(detectFormat('{"paper": {"id": "1"}}\n{"paper": {"id": "2"}}')).toBe('hf-daily');
    expect(detectFormat('[{"listing_date": "2025-01-01"}]')).toBe('daily-arxiv');
    expect(detectFormat('{"name": "paperbot", "version": "0.1.0"}')).toBeUndefined();
    expect(detectFormat('[1, 2, 3]')).toBeUndefined();
  });

  test('a file that is not papers is refused with the reason; a named format is taken at its word', async () => {
    const readme = write(
      'README.md',
      [
        '# paperbot',
        '| Setting | Default | What it does, in a sentence long enough to pass for an abstract when it is read as one |',
        `| \`PAPERBOT_DATA_DIR\` | \`data/\` | ${'Where the corpus, the index snapshot and the subscriptions live; '.repeat(4)}|`,
      ].join('\n'),
    );
    await expect(readPaperFile(readme, ARRIVED)).rejects.toThrow(NotPapers);
    await expect(readPaperFile(readme, ARRIVED)).rejects.toThrow(
      /does not look like papers: 1 of the 1 read as hf-page fail the basic checks \(e\.g\. “\| Setting \| Default/,
    );
    expect((await readPaperFile(readme, ARRIVED, 'hf-page')).papers).toHaveLength(1);
    await expect(readPaperFile(write('notes.txt', 'short\nlines\nonly\n'), ARRIVED)).rejects.toThrow(
      /has no papers paperbot can read as hf-page; nothing was added/,
    );
    await expect(readPaperFile(write('config.json', '{"port": 3000}'), ARRIVED)).rejects.toThrow(
      /is JSON of a shape paperbot does not know/,
    );
  });

  test('paperProblem: prose passes, markup and stubs do not', () => {
    const abstract = 'We study how reward model ensembles reduce overoptimization in RLHF, and show '.repeat(
      2,
    );
    expect(
      paperProblem({ title: 'Reward Model Ensembles Help Mitigate Overoptimization', abstract }),
    ).toBeUndefined();
    expect(paperProblem({ title: 'P(h|b) and ||W||: a note', abstract })).toBeUndefined();
    expect(paperProblem({ title: '| `/paper help` | lists commands |', abstract })).toBe(
      'a title that is markup, not prose',
    );
    expect(paperProblem({ title: '2026-12-01', abstract })).toBe('a title without letters');
    expect(paperProblem({ title: 'A title', abstract: 'Too short.' })).toBe(
      'an abstract shorter than 100 characters',
    );
    expect(
      paperProblem({
        title: 'A log line',
        abstract: `{"level":"info","time":"2026-12-01T18:07:27.179Z","pid":12526,"msg":"${'x'.repeat(80)}"}`,
      }),
    ).toBe('an abstract that is markup or data, not prose');
  });
});
