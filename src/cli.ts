#!/usr/bin/env node
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { resultsMessage } from './blocks/messages.js';
import { parsePaperCommand } from './bot/paperCommand.js';
import { COMMAND_RESULTS } from './bot/replies.js';
import { type Config, loadConfig } from './config.js';
import { renderText } from './console/renderText.js';
import { Database } from './db/database.js';
import { PaperbotError } from './errors.js';
import { Library } from './library.js';
import { createStderrLogger, type Logger } from './logger.js';
import { serialiseCorpus, writeFileAtomically } from './papers/corpus.js';
import { describeIngest } from './papers/ingest.js';
import { IsoDay, paperPageLink } from './papers/paper.js';
import { ArxivClient } from './papers/sources/arxivApi.js';
import { FILE_FORMATS, type FileFormat, readPaperFile } from './papers/sources/files.js';
import { fetchHfDay } from './papers/sources/hfDaily.js';
import { parseHfPapersPage } from './papers/sources/hfPapersPage.js';
import type { SourceBatch } from './papers/sources/http.js';
import type { PaperSearch } from './search/paperSearch.js';

const USAGE = `Usage:
  paperbot search [--json] [--limit N] "<query>"   search the corpus in PAPERBOT_DATA_DIR, like /paper
  paperbot search --json --stdin [--limit N]        one query per input line, one JSON array per output line
  paperbot ingest hf-daily --since YYYY-MM-DD [--until YYYY-MM-DD] [--delay-ms N]
                                                    the Hugging Face daily papers of each day (PAPERBOT_HF_API_URL)
  paperbot ingest arxiv --category cs.LG [--category ...] [--max N]
                                                    the newest papers of arXiv categories (PAPERBOT_ARXIV_API_URL)
  paperbot ingest file <path> [--format hf-page|hf-daily|daily-arxiv|paperbot]
                                                    a file of papers (gzip accepted; the format is detected)
  paperbot build-seed <page.txt> [--out FILE] [--arrived-at ISO]
                                                    parse a Hugging Face Papers page into corpus JSONL
Commands work on the corpus in PAPERBOT_DATA_DIR (default data/), or in PostgreSQL when
PAPERBOT_DATABASE_URL is set (where every replica reads it); ingestion merges into it and updates
the index snapshot in PAPERBOT_DATA_DIR.`;

/** A command-line failure: print the message and exit with status 2. */
class UsageError extends Error {}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'search':
      return search(rest);
    case 'build-seed':
      return buildSeed(rest);
    case 'ingest':
      return ingest(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(`${USAGE}\n`);
      return;
    default:
      throw new UsageError(`Unknown command "${command}".\n${USAGE}`);
  }
}

/** The JSON shape of one search hit. */
interface HitJson {
  id: string;
  title: string;
  score: number;
  url: string;
  code: string[];
}

async function search(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: 'boolean' }, stdin: { type: 'boolean' }, limit: { type: 'string' } },
  });
  const limit = values.limit === undefined ? COMMAND_RESULTS : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
    throw new UsageError('--limit takes a whole number from 1 to 1000.');
  // The same PaperSearch as the bot's, its index in this thread: a command answers one query at a time.
  const { library, close } = await openLibrary(loadConfig(), createStderrLogger('warn'));
  try {
    if (values.stdin) {
      for await (const line of createInterface({
        input: process.stdin,
        crlfDelay: Number.POSITIVE_INFINITY,
      })) {
        process.stdout.write(`${JSON.stringify(await searchJson(library, line, limit))}\n`);
      }
      return;
    }
    const text = positionals.join(' ');
    if (values.json) {
      process.stdout.write(`${JSON.stringify(await searchJson(library, text, limit), null, 2)}\n`);
      return;
    }
    const command = parsePaperCommand(text);
    if (command.kind !== 'search')
      throw new UsageError(`Give a query, e.g. paperbot search "reward model ensembles".`);
    const results = await library.search(command.query, { limit });
    process.stdout.write(`${renderText(resultsMessage({ queryText: text }, results))}\n`);
  } finally {
    await close();
  }
}

/**
 * The corpus a command works on, as the bot opens it: the data directory's, or PostgreSQL's when
 * PAPERBOT_DATABASE_URL is set (what every replica reads).
 */
async function openLibrary(
  config: Config,
  logger: Logger,
): Promise<{ library: Library; close(): Promise<void> }> {
  const database = config.databaseUrl ? await Database.open(config.databaseUrl, { logger }) : undefined;
  const library = await Library.open(config.dataDir, logger, database ? { database } : {}).catch(
    async (error: unknown) => {
      await database?.close();
      throw error;
    },
  );
  return {
    library,
    close: async () => {
      await library.close();
      await database?.close();
    },
  };
}

/** The hits of `/paper <text>` as JSON rows; an empty array for text that is not a search. */
async function searchJson(index: PaperSearch, text: string, limit: number): Promise<HitJson[]> {
  const command = parsePaperCommand(text);
  if (command.kind !== 'search') return [];
  return (await index.search(command.query, { limit })).hits.map(({ paper, score }) => ({
    id: paper.id,
    title: paper.title,
    score: Number(score.toFixed(4)),
    url: paperPageLink(paper).url,
    code: paper.links.code,
  }));
}

/** Progress on stderr: a bar redrawn in place on a terminal, a plain line per step otherwise. */
function progress(label: string) {
  const tty = Boolean(process.stderr.isTTY);
  return {
    step(done: number, total: number, detail: string) {
      if (!tty) {
        process.stderr.write(`${label} ${done}/${total}: ${detail}\n`);
        return;
      }
      const width = 24;
      const filled = Math.round((done / Math.max(total, 1)) * width);
      process.stderr.write(
        `\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${detail}\x1b[K`,
      );
      if (done >= total) process.stderr.write('\n');
    },
  };
}

async function ingest(args: string[]): Promise<void> {
  const [kind, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      since: { type: 'string' },
      until: { type: 'string' },
      'delay-ms': { type: 'string' },
      category: { type: 'string', multiple: true },
      max: { type: 'string' },
      format: { type: 'string' },
    },
  });
  const config = loadConfig();
  const now = new Date();
  const arrivedAt = now.toISOString();
  const batches: SourceBatch[] = [];
  const failures: string[] = [];

  if (kind === 'hf-daily') {
    const since = values.since;
    const until = values.until ?? now.toISOString().slice(0, 10);
    if (!since || !IsoDay.safeParse(since).success || !IsoDay.safeParse(until).success || until < since) {
      throw new UsageError(
        'ingest hf-daily needs --since YYYY-MM-DD (and --until YYYY-MM-DD on or after it, default today).',
      );
    }
    const delayMs = Number(values['delay-ms'] ?? 1000);
    const days: string[] = [];
    for (
      let day = new Date(`${since}T00:00:00Z`);
      day.toISOString().slice(0, 10) <= until;
      day = new Date(day.getTime() + 86_400_000)
    ) {
      days.push(day.toISOString().slice(0, 10));
    }
    const bar = progress('hf-daily');
    for (const [i, day] of days.entries()) {
      if (i > 0 && delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      try {
        const batch = await fetchHfDay(config.sources.hfApiUrl, day, arrivedAt);
        batches.push(batch);
        bar.step(i + 1, days.length, `${day}: ${batch.papers.length} papers`);
      } catch (error) {
        failures.push((error as Error).message);
        bar.step(i + 1, days.length, `${day}: failed (${(error as Error).message})`);
      }
    }
  } else if (kind === 'arxiv') {
    const categories = values.category ?? [];
    const max = Number(values.max ?? 100);
    if (categories.length === 0 || !Number.isInteger(max) || max < 1 || max > 10_000) {
      throw new UsageError(
        'ingest arxiv needs --category (e.g. cs.LG, repeatable) and --max from 1 to 10000.',
      );
    }
    const client = new ArxivClient(config.sources.arxivApiUrl);
    for (const category of categories) {
      const bar = progress(`arxiv ${category}`);
      try {
        batches.push(
          await client.newest(category, max, arrivedAt, (done, total) => bar.step(done, total, 'papers')),
        );
      } catch (error) {
        failures.push((error as Error).message);
        process.stderr.write(`arxiv ${category}: failed (${(error as Error).message})\n`);
      }
    }
  } else if (kind === 'file') {
    const [path] = positionals;
    const format = values.format;
    if (!path) throw new UsageError(`ingest file needs a path.\n${USAGE}`);
    if (format !== undefined && !(FILE_FORMATS as readonly string[]).includes(format)) {
      throw new UsageError(`--format is one of ${FILE_FORMATS.join(', ')}.`);
    }
    const started = performance.now();
    const batch = await readPaperFile(path, arrivedAt, format as FileFormat | undefined);
    process.stderr.write(
      `${path}: ${batch.papers.length} papers (${batch.format}) read in ${Math.round(performance.now() - started)} ms\n`,
    );
    batches.push(batch);
  } else {
    throw new UsageError(`ingest takes hf-daily, arxiv or file.\n${USAGE}`);
  }

  const { library, close } = await openLibrary(config, createStderrLogger('warn'));
  const started = performance.now();
  const report = await library.ingest({
    papers: batches.flatMap((b) => b.papers),
    skipped: batches.flatMap((b) => b.skipped),
  });
  process.stdout.write(
    `${describeIngest(report)} (merged and saved in ${Math.round(performance.now() - started)} ms)\n`,
  );
  // A running bot takes the new papers in within a minute; the checkpoint makes the next start fast.
  await close();
  if (failures.length > 0) {
    process.stderr.write(`${failures.length} request(s) failed; run the command again to retry them.\n`);
    process.exitCode = 1;
  }
}

async function buildSeed(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { out: { type: 'string' }, 'arrived-at': { type: 'string' } },
  });
  const [page] = positionals;
  if (!page) throw new UsageError(`build-seed needs the page file.\n${USAGE}`);
  const arrivedAt = values['arrived-at'] ?? new Date().toISOString();
  if (Number.isNaN(Date.parse(arrivedAt))) throw new UsageError('--arrived-at takes an ISO timestamp.');
  const papers = parseHfPapersPage(await readFile(page, 'utf8'), new Date(arrivedAt).toISOString());
  const out = values.out ?? 'data/seed-papers.jsonl';
  await writeFileAtomically(out, serialiseCorpus(papers));
  process.stderr.write(`${papers.length} papers written to ${out}\n`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const known = error instanceof UsageError || error instanceof PaperbotError;
  process.stderr.write(`${known ? (error as Error).message : (error as Error).stack}\n`);
  process.exitCode = known && error instanceof UsageError ? 2 : 1;
});
