import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { PaperbotError } from '../../errors.js';
import { Paper } from '../paper.js';
import { DailyArxivRow, paperFromDailyArxiv } from './dailyArxiv.js';
import { hfAnswerItems, papersFromHfItems } from './hfDaily.js';
import { parseHfPapersPage } from './hfPapersPage.js';
import type { Skipped, SourceBatch } from './http.js';

/** The file formats paperbot reads. */
export const FILE_FORMATS = ['hf-page', 'hf-daily', 'daily-arxiv', 'paperbot'] as const;
export type FileFormat = (typeof FILE_FORMATS)[number];

/** A file that is not papers (or not in a format paperbot knows): the reason is the message. */
export class NotPapers extends PaperbotError {
  constructor(message: string) {
    super('paperbot_source_error', message);
    this.name = 'NotPapers';
  }
}

/**
 * Which format a (decompressed) file is in: a JSON array or object, or JSONL whose first row says
 * (an HF item has `paper`, a saved answer `data`, a replayed HF day has `date` and `items`, a
 * daily-arXiv row has `listing_date`, a paperbot row has `arrivedAt` and `links`); text that is not
 * JSON is read as a papers page. Undefined: JSON of a shape paperbot does not know.
 */
export function detectFormat(text: string): FileFormat | undefined {
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
  if (!sample || typeof sample !== 'object' || Array.isArray(sample)) return undefined;
  const row = sample as Record<string, unknown>;
  if ('arrivedAt' in row && 'links' in row) return 'paperbot';
  if ('listing_date' in row) return 'daily-arxiv';
  if ('paper' in row || Array.isArray(row.items) || Array.isArray(row.data)) return 'hf-daily';
  return undefined;
}

/** The shortest abstract a paper is believed to have (real ones run to hundreds of characters). */
const MIN_ABSTRACT_CHARS = 100;
/** The longest title believed (real ones stay under 200 characters). */
const MAX_TITLE_CHARS = 300;
/** Lines of Markdown, logs or JSON rather than prose: a table row, a heading, a JSON object. */
const MARKUP_START = /^(?:\||#|\{")/;
/** Table cells (` | `); a formula's `|x|` or `P(h|b)` has no spaces around its bars. */
const CELLS = / \| /g;

/**
 * Why a read paper is not believable as one (a README's table row read as a title, a log line as
 * an abstract), or undefined when it looks like a paper: a title of prose, and an abstract of real
 * length that is mostly words.
 */
export function paperProblem(paper: Pick<Paper, 'title' | 'abstract'>): string | undefined {
  const { title, abstract } = paper;
  if (!/\p{L}/u.test(title)) return 'a title without letters';
  if (title.length > MAX_TITLE_CHARS) return `a title longer than ${MAX_TITLE_CHARS} characters`;
  if (MARKUP_START.test(title) || (title.match(CELLS)?.length ?? 0) > 0)
    return 'a title that is markup, not prose';
  if (abstract.length < MIN_ABSTRACT_CHARS)
    return `an abstract shorter than ${MIN_ABSTRACT_CHARS} characters`;
  const letters = abstract.match(/[\p{L}\s]/gu)?.length ?? 0;
  if (
    MARKUP_START.test(abstract) ||
    letters / abstract.length < 0.7 ||
    (abstract.match(CELLS)?.length ?? 0) > 2
  )
    return 'an abstract that is markup or data, not prose';
  return undefined;
}

/**
 * Refuses a batch read from a file of a guessed format when its "papers" are not believable: none
 * at all, or most failing {@link paperProblem}. In a file that passes, a paper that fails a check
 * is kept (a title in brackets, an abstract of formulas), except markup, which is skipped.
 */
function checked(name: string, format: FileFormat, batch: SourceBatch): SourceBatch {
  const hint = `If it is papers, name its format: --format ${FILE_FORMATS.join('|')}.`;
  if (batch.papers.length === 0)
    throw new NotPapers(
      `${name} has no papers paperbot can read as ${format}${batch.skipped[0] ? ` (${batch.skipped.length} rows skipped, e.g. ${batch.skipped[0].reason})` : ''}; nothing was added. ${hint}`,
    );
  const problems = batch.papers.map(paperProblem);
  const failing = problems.filter((problem) => problem !== undefined).length;
  if (failing * 2 > batch.papers.length) {
    const at = problems.findIndex((problem) => problem !== undefined);
    const title = (batch.papers[at] as Paper).title;
    throw new NotPapers(
      `${name} does not look like papers: ${failing} of the ${batch.papers.length} read as ${format} fail the basic checks (e.g. “${title.length > 60 ? `${title.slice(0, 60)}…` : title}” has ${problems[at]}); nothing was added. ${hint}`,
    );
  }
  // Markup read as a paper (a table row, a heading) is never one, even in a file of papers.
  const markup = (at: number) => problems[at]?.includes('markup') === true;
  return {
    papers: batch.papers.filter((_, at) => !markup(at)),
    skipped: [
      ...batch.skipped,
      ...batch.papers.flatMap((paper, at) =>
        markup(at) ? [{ reason: `“${paper.title.slice(0, 60)}” has ${problems[at]}` }] : [],
      ),
    ],
  };
}

/**
 * Reads a file of papers (gzip accepted) in any {@link FileFormat}, detected unless given. Rows
 * that cannot be used are skipped with a reason; the rest become papers that arrive at `arrivedAt`
 * (paperbot's own rows keep theirs). Without `format`, a file whose format is not recognised or
 * whose papers are not believable (see {@link paperProblem}) is refused with {@link NotPapers};
 * a named format is taken at its word.
 */
export async function readPaperFile(
  path: string,
  arrivedAt: string,
  format?: FileFormat,
): Promise<SourceBatch & { format: FileFormat }> {
  const bytes = await readFile(path);
  const text = (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes).toString('utf8');
  if (format) return { format, ...parseText(text, format, arrivedAt) };
  const detected = detectFormat(text);
  if (!detected)
    throw new NotPapers(
      `${path} is JSON of a shape paperbot does not know (not Hugging Face daily items, daily-arXiv rows or paperbot's own corpus); nothing was added. If it is papers, name its format: --format ${FILE_FORMATS.join('|')}.`,
    );
  const batch = parseText(text, detected, arrivedAt);
  // paperbot's own rows were checked when they were stored.
  return { format: detected, ...(detected === 'paperbot' ? batch : checked(path, detected, batch)) };
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
