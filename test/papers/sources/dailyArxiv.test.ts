import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createGunzip } from 'node:zlib';
import { describe, expect, test } from '@jest/globals';
import { Paper } from '../../../src/papers/paper.js';
import { DailyArxivRow, paperFromDailyArxiv } from '../../../src/papers/sources/dailyArxiv.js';

const PAPERS = fileURLToPath(new URL('../../../../shared/data/daily-arxiv/papers.jsonl.gz', import.meta.url));

describe('paperFromDailyArxiv', () => {
  test('unwraps text, keeps abs/PDF links and finds code in the comment', () => {
    const row = DailyArxivRow.parse({
      id: '2503.12014',
      title: 'Learning Dual-Domain Multi-Scale\n  Representations',
      summary: 'We derain images.\n  Code is at\nhttps://github.com/zs1314/DMSR.',
      authors: ['Shun Zou', 'Yi Zou'],
      categories: ['cs.CV'],
      comment: '6 pages, code: https://github.com/zs1314/DMSR, project: https://zs1314.github.io/DMSR',
      pdf: 'https://arxiv.org/pdf/2503.12014',
      abs: 'https://arxiv.org/abs/2503.12014',
      listing_date: '2025-03-18',
    });
    expect(paperFromDailyArxiv(row, '2025-03-18T06:00:00.000Z')).toEqual({
      id: '2503.12014',
      arxivId: '2503.12014',
      title: 'Learning Dual-Domain Multi-Scale Representations',
      abstract: 'We derain images. Code is at https://github.com/zs1314/DMSR.',
      authors: ['Shun Zou', 'Yi Zou'],
      published: '2025-03-18',
      arrivedAt: '2025-03-18T06:00:00.000Z',
      links: {
        page: 'https://arxiv.org/abs/2503.12014',
        pdf: 'https://arxiv.org/pdf/2503.12014',
        code: ['https://github.com/zs1314/DMSR'],
        project: ['https://zs1314.github.io/DMSR'],
      },
      source: 'daily-arxiv',
      categories: ['cs.CV'],
    });
  });

  test('the first 2,000 real rows all parse into valid papers', async () => {
    const lines = createInterface({ input: createReadStream(PAPERS).pipe(createGunzip()) });
    let checked = 0;
    for await (const line of lines) {
      const paper = paperFromDailyArxiv(DailyArxivRow.parse(JSON.parse(line)), '2026-01-01T00:00:00.000Z');
      expect(Paper.safeParse(paper).error?.issues ?? []).toEqual([]);
      if (++checked === 2000) break;
    }
    lines.close();
    expect(checked).toBe(2000);
  });
});
