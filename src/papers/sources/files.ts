import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { Paper } from '../paper.js';
import { DailyArxivRow, paperFromDailyArxiv } from './dailyArxiv.js';
import { hfAnswerItems, papersFromHfItems } from './hfDaily.js';
import { parseHfPapersPage } from './hfPapersPage.js';
import type { Skipped, SourceBatch } from './http.js';

/** The file formats paperbot reads. */
export const FILE_FORMATS = ['hf-page', 'hf-daily', 'daily-arxiv', 'paperbot'] as const;
export type FileFormat = (typeof FILE_FORMATS)[number];

/**
 * Which format a (decompressed) file is in: a JSON array or object, or JSONL whose first row says
 * (an HF item has `paper`, a replayed HF day has `date` and `items`, a daily-arXiv row has
 * `listing_date`, a paperbot row has `arrivedAt` and `links`); anything else is a papers page.
 */
export function detectFormat(text: string): FileFormat {
  const start = text.trimStart();
  if (!start.startsWith('[') && !start.startsWith('{')) return 'hf-page';
  let sample: unknown;
  try {
    const whole = JSON.parse(start);
    sample = Array.isArray(whole) ? whole[0] : whole;
  } catch {
    try {
      sample = JSON.parse(start.slice(0, start.indexOf('\n') === -1 ? undefined : start.indexOf('\n')));
    } catch {
      return 'hf-page';
    }
  }
  const row = (sample ?? {}) as Record<string, unknown>;
  if ('arrivedAt' in row && 'links' in row) return 'paperbot';
  if ('listing_date' in row) return 'daily-arxiv';
  return 'hf-daily';
}

/**
 * Reads a file of papers (gzip accepted) in any {@link FileFormat}, detected unless given. Rows
 * that cannot be used are skipped with a reason; the rest become papers that arrive at `arrivedAt`
 * (paperbot's own rows keep theirs).
 */
export async function readPaperFile(
  path: string,
  arrivedAt: string,
  format?: FileFormat,
): Promise<SourceBatch & { format: FileFormat }> {
  const bytes = await readFile(path);
  const text = (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString('utf8');
  const chosen = format ?? detectFormat(text);
  return { format: chosen, ...parseText(text, chosen, arrivedAt) };
}

function parseText(text: string, format: FileFormat, arrivedAt: string): SourceBatch {
  if (format === 'hf-page') return { papers: parseHfPapersPage(text, arrivedAt), skipped: [] };
  const rows = jsonRows(text);
  const skipped: Skipped[] = rows.skipped;
  if (format === 'hf-daily') {
    // Saved answers, item JSONL, or the per-day replay file ({date, items}).
    const items = rows.values.flatMap((value) => {
      const answer = hfAnswerItems(value) ?? hfAnswerItems((value as { items?: unknown })?.items);
      return answer ?? [value];
    });
    const batch = papersFromHfItems(items, arrivedAt);
    return { papers: batch.papers, skipped: [...skipped, ...batch.skipped] };
  }
  const papers: Paper[] = [];
  for (const value of rows.values) {
    if (format === 'daily-arxiv') {
      const row = DailyArxivRow.safeParse(value);
      if (row.success) papers.push(paperFromDailyArxiv(row.data, arrivedAt));
      else
        skipped.push({
          reason: `daily-arXiv row: ${row.error.issues[0]?.path.join('.')}: ${row.error.issues[0]?.message}`,
        });
    } else {
      const paper = Paper.safeParse(value);
      if (paper.success) papers.push(paper.data);
      else
        skipped.push({
          reason: `paper row: ${paper.error.issues[0]?.path.join('.')}: ${paper.error.issues[0]?.message}`,
        });
    }
  }
  return { papers, skipped };
}

/** The values of a JSON document (an array's elements) or of JSONL lines; unparsable lines are skipped. */
function jsonRows(text: string): { values: unknown[]; skipped: Skipped[] } {
  const trimmed = text.trim();
  try {
    // One JSON document: an array of rows, or one saved answer ({ data: [...] }), possibly pretty-printed.
    const whole: unknown = JSON.parse(trimmed);
    return { values: Array.isArray(whole) ? whole : [whole], skipped: [] };
  } catch {
    // JSONL: one row per line
  }
  const values: unknown[] = [];
  const skipped: Skipped[] = [];
  for (const line of trimmed.split('\n')) {
    if (!line.trim()) continue;
    try {
      values.push(JSON.parse(line));
    } catch {
      skipped.push({ reason: 'line is not JSON' });
    }
  }
  return { values, skipped };
}
