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

/** A small deterministic PRNG (mulberry32), so every run benchmarks the same inputs. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
