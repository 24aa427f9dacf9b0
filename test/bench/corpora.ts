import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createGunzip } from 'node:zlib';
import type { Paper } from '../../src/papers/paper.js';
import { DailyArxivRow, paperFromDailyArxiv } from '../../src/papers/sources/dailyArxiv.js';

const DAILY_ARXIV = fileURLToPath(
  new URL('../../../shared/data/daily-arxiv/papers.jsonl.gz', import.meta.url),
);

/** The 74,728 real arXiv papers, each arriving at 06:00 UTC on its listing day. */
export async function loadDailyArxiv(): Promise<Paper[]> {
  const papers: Paper[] = [];
  for await (const line of createInterface({ input: createReadStream(DAILY_ARXIV).pipe(createGunzip()) })) {
    const row = DailyArxivRow.parse(JSON.parse(line));
    papers.push(paperFromDailyArxiv(row, `${row.listing_date}T06:00:00.000Z`));
  }
  return papers;
}

/** The product's seeded generator (mulberry32), so every run benchmarks the same inputs. */
export { seededRandom as random } from '../../src/search/signal.js';
