#!/usr/bin/env node
import { access, constants, readFile, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { COMMAND_RESULTS, parsePaperCommand } from './bot/paperCommand.js';
import { type Config, loadConfig } from './config.js';
import { Database } from './db/database.js';
import { PaperbotError } from './errors.js';
import { Library } from './library.js';
import { createStderrLogger, type Logger } from './logger.js';
import { serialiseCorpus, writeFileAtomically } from './papers/corpus.js';
import type { IngestReport } from './papers/ingest.js';
import { IsoDay, paperPageLink } from './papers/paper.js';
import type { FileFormat } from './papers/sources/files.js';
import type { SourceBatch } from './papers/sources/http.js';
import { isProgram } from './program.js';
import type { PaperSearch } from './search/paperSearch.js';

/** A subcommand: its usage lines, what it does, the options it takes, and how it runs. */
interface Subcommand {
  usage: string[];
  about: string;
  /** Each option and what it does, for its help. */
  optionHelp: Array<[string, string]>;
  options: NonNullable<ParseArgsConfig['options']>;
  /** Resolves with the exit status when it is not 0. */
  run(values: Values, positionals: string[], io: CommandIo): Promise<number | undefined>;
}

/** What a command reads and writes: the process's own, unless a test runs it in its process. */
export interface CommandIo {
  /** The settings (PAPERBOT_*, LOG_LEVEL). */
  env: NodeJS.ProcessEnv;
  /** `search --stdin`'s queries. */
  stdin: Readable;
  /** The results. */
  stdout: { write(text: string): unknown };
  /** Messages and progress (a bar redrawn in place on a terminal). */
  stderr: { write(text: string): unknown; isTTY?: boolean };
}

const processIo = (): CommandIo => ({
  env: process.env,
  // Opened only by the command that reads it.
  get stdin() {
    return process.stdin;
  },
  stdout: process.stdout,
  stderr: process.stderr,
});
type Values = Record<string, string | boolean | Array<string | boolean> | undefined>;

const WHERE = `Commands work on the corpus in PAPERBOT_DATA_DIR (default data/), or in PostgreSQL when
PAPERBOT_DATABASE_URL is set (where every replica reads it); ingestion merges into it and updates
the index snapshot in PAPERBOT_DATA_DIR. A running bot takes the changes in within a minute.`;

const SUBCOMMANDS: Record<string, Subcommand> = {
  search: {
    usage: ['paperbot search [--json] [--limit N] "<query>"', 'paperbot search --json --stdin [--limit N]'],
    about:
      'Searches the corpus as /paper does (the same query syntax: "phrases", -word, author:, has:code, after:, before:).',
    optionHelp: [
      ['--json', 'one JSON array of {id, title, score, url, code}, best first'],
      ['--stdin', 'one query per input line, one JSON array per output line (with --json)'],
      ['--limit N', 'how many hits, 1 to 1000 (default 5)'],
    ],
    options: { json: { type: 'boolean' }, stdin: { type: 'boolean' }, limit: { type: 'string' } },
    run: search,
  },
  ingest: {
    usage: [
      'paperbot ingest hf-daily --since YYYY-MM-DD [--until YYYY-MM-DD] [--delay-ms N]',
      'paperbot ingest arxiv --category cs.LG [--category ...] [--max N]',
      'paperbot ingest file <path> [--format hf-page|hf-daily|daily-arxiv|paperbot]',
    ],
    about:
      "Adds papers to the corpus, merging them with the papers it has: the Hugging Face daily papers of each day (PAPERBOT_HF_API_URL), the newest papers of arXiv categories (PAPERBOT_ARXIV_API_URL), or a file (gzip accepted). A file's format is detected, and a file that is not papers is refused with the reason; --format names the format and skips those checks.",
    optionHelp: [
      ['--since, --until YYYY-MM-DD', 'hf-daily: the days to read (--until defaults to today)'],
      ['--delay-ms N', 'hf-daily: pause between days (default 1000)'],
      ['--category C', 'arxiv: a category such as cs.LG (repeatable)'],
      ['--max N', 'arxiv: papers per category, 1 to 10000 (default 100)'],
      ['--format F', 'file: hf-page, hf-daily, daily-arxiv or paperbot'],
    ],
    options: {
      since: { type: 'string' },
      until: { type: 'string' },
      'delay-ms': { type: 'string' },
      category: { type: 'string', multiple: true },
      max: { type: 'string' },
      format: { type: 'string' },
    },
    run: ingest,
  },
  remove: {
    usage: ['paperbot remove <id or arXiv id> [...]'],
    about:
      "Deletes papers from the corpus and its index (PostgreSQL's with PAPERBOT_DATABASE_URL); a running bot reads the corpus again within a minute. An ingest that brings a removed paper again adds it again.",
    optionHelp: [],
    options: {},
    run: remove,
  },
  'build-seed': {
    usage: ['paperbot build-seed <page.txt> [--out FILE] [--arrived-at ISO]'],
    about:
      'Parses the text of a Hugging Face Papers page into corpus JSONL (the bundled papers are made this way).',
    optionHelp: [
      ['--out FILE', 'where to write (default data/seed-papers.jsonl)'],
      ['--arrived-at ISO', "the papers' arrival (default now)"],
    ],
    options: { out: { type: 'string' }, 'arrived-at': { type: 'string' } },
    run: buildSeed,
  },
};

/** The help of the whole command: every subcommand's usage. */
function usage(): string {
  const lines = Object.values(SUBCOMMANDS).flatMap((command) => command.usage.map((line) => `  ${line}`));
  return `Usage:\n${lines.join('\n')}\n\n${WHERE}\n\`paperbot <command> --help\` tells more of each.`;
}

/** The help of one subcommand. */
function commandHelp(command: Subcommand): string {
  const options: Array<[string, string]> = [...command.optionHelp, ['--help', 'this help']];
  const width = Math.max(...options.map(([flag]) => flag.length));
  return (
    `Usage:\n${command.usage.map((line) => `  ${line}`).join('\n')}\n\n${command.about}\n\n` +
    `Options:\n${options.map(([flag, text]) => `  ${flag.padEnd(width)}  ${text}`).join('\n')}\n\n${WHERE}`
  );
}

/** A command-line mistake: its message (one sentence) is printed, and the exit status is 2. */
class UsageError extends Error {}

async function main(argv: string[], io: CommandIo): Promise<number | undefined> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    io.stdout.write(`${usage()}\n`);
    return;
  }
  if (name === 'help') {
    const [about] = rest;
    const command = about === undefined ? undefined : SUBCOMMANDS[about];
    if (about !== undefined && !command) throw unknownCommand(about);
    io.stdout.write(`${command ? commandHelp(command) : usage()}\n`);
    return;
  }
  const command = Object.hasOwn(SUBCOMMANDS, name) ? SUBCOMMANDS[name] : undefined;
  if (!command) throw unknownCommand(name);
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(`${commandHelp(command)}\n`);
    return;
  }
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({ args: rest, allowPositionals: true, options: command.options });
  } catch (error) {
    throw optionError(name, error as Error);
  }
  return command.run(parsed.values, parsed.positionals, io);
}

function unknownCommand(name: string): UsageError {
  return new UsageError(
    `paperbot has no command "${name}"; it has ${Object.keys(SUBCOMMANDS).join(', ')} (paperbot --help tells more).`,
  );
}

/** One sentence for what node:util's parseArgs refused (an unknown option, a missing value). */
function optionError(name: string, error: Error & { code?: string }): UsageError {
  const option = /'(-[^' ]+)/.exec(error.message)?.[1] ?? 'an option';
  const see = `(paperbot ${name} --help lists its options)`;
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION')
    return new UsageError(`paperbot ${name} has no option ${option} ${see}.`);
  if (error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE')
    return new UsageError(`paperbot ${name}: ${option} needs a value ${see}.`);
  return new UsageError(`paperbot ${name}: ${error.message.split('. ')[0]} ${see}.`);
}

/** A file named on the command line, checked first: a missing or unreadable one is a usage error. */
async function existingFile(path: string): Promise<void> {
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR')
      throw new UsageError(`There is no file ${path}.`);
    throw new UsageError(`${path} cannot be read (${error.code ?? error.message}).`);
  });
  if (info.isDirectory()) throw new UsageError(`${path} is a folder; give a file.`);
  await access(path, constants.R_OK).catch(() => {
    throw new UsageError(`${path} cannot be read (permission denied).`);
  });
}

/** The JSON shape of one search hit. */
interface HitJson {
  id: string;
  title: string;
  score: number;
  url: string;
  code: string[];
}

async function search(values: Values, positionals: string[], io: CommandIo): Promise<undefined> {
  const limit = values.limit === undefined ? COMMAND_RESULTS : Number(values.limit);
  if (positionals.length === 0 && !values.stdin)
    throw new UsageError('paperbot search needs a query, e.g. paperbot search "reward model ensembles".');
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
    throw new UsageError('--limit takes a whole number from 1 to 1000.');
  // The same PaperSearch as the bot's, its index in this thread: a command answers one query at a time.
  const { library, close } = await openLibrary(loadConfig(io.env), createStderrLogger('warn', io.stderr));
  try {
    // The bot's answers are ranked with the learnt signal too.
    await library.refreshSignal();
    if (values.stdin) {
      for await (const line of createInterface({
        input: io.stdin,
        crlfDelay: Number.POSITIVE_INFINITY,
      })) {
        io.stdout.write(`${JSON.stringify(await searchJson(library, line, limit))}\n`);
      }
      return;
    }
    const text = positionals.join(' ');
    if (values.json) {
      io.stdout.write(`${JSON.stringify(await searchJson(library, text, limit), null, 2)}\n`);
      return;
    }
    const command = parsePaperCommand(text);
    if (command.kind !== 'search')
      throw new UsageError(`Give a query, e.g. paperbot search "reward model ensembles".`);
    const results = await library.search(command.query, { limit });
    // Loaded here: rendering (the bot's answers, Block Kit) is no part of a --json search's start.
    const [{ resultsMessage }, { renderText }] = await Promise.all([
      import('./blocks/messages.js'),
      import('./console/renderText.js'),
    ]);
    io.stdout.write(`${renderText(resultsMessage({ queryText: text }, results))}\n`);
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
  // Commands use the learnt signal the bot trains; they do not train it themselves.
  const options = { signal: { train: false }, ...(database ? { database } : {}) };
  const library = await Library.open(config.dataDir, logger, options).catch(async (error: unknown) => {
    await database?.close();
    throw error;
  });
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
function progress(label: string, stderr: CommandIo['stderr']) {
  const tty = Boolean(stderr.isTTY);
  return {
    step(done: number, total: number, detail: string) {
      if (!tty) {
        stderr.write(`${label} ${done}/${total}: ${detail}\n`);
        return;
      }
      const width = 24;
      const filled = Math.round((done / Math.max(total, 1)) * width);
      stderr.write(
        `\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${detail}\x1b[K`,
      );
      if (done >= total) stderr.write('\n');
    },
  };
}

async function ingest(values: Values, args: string[], io: CommandIo): Promise<number | undefined> {
  // The sources are loaded by the commands that read them, not by every command's start.
  const [
    { describeIngest },
    { recordIngest },
    { ArxivClient },
    { FILE_FORMATS, readPaperFile },
    { fetchHfDay },
  ] = await Promise.all([
    import('./papers/ingest.js'),
    import('./papers/refreshState.js'),
    import('./papers/sources/arxivApi.js'),
    import('./papers/sources/files.js'),
    import('./papers/sources/hfDaily.js'),
  ]);
  const [kind, ...positionals] = args;
  const config = loadConfig(io.env);
  const now = new Date();
  const arrivedAt = now.toISOString();
  const batches: SourceBatch[] = [];
  const failures: string[] = [];
  /** The source, as the status shows the last ingest. */
  let what: string;

  if (kind === 'hf-daily') {
    const since = values.since as string | undefined;
    const until = (values.until as string | undefined) ?? now.toISOString().slice(0, 10);
    if (!since || !IsoDay.safeParse(since).success || !IsoDay.safeParse(until).success || until < since) {
      throw new UsageError(
        'ingest hf-daily needs --since YYYY-MM-DD (and --until YYYY-MM-DD on or after it, default today).',
      );
    }
    const delayMs = Number(values['delay-ms'] ?? 1000);
    if (!Number.isInteger(delayMs) || delayMs < 0)
      throw new UsageError('--delay-ms takes a whole number of milliseconds.');
    what = `hf-daily --since ${since} --until ${until}`;
    const days: string[] = [];
    for (
      let day = new Date(`${since}T00:00:00Z`);
      day.toISOString().slice(0, 10) <= until;
      day = new Date(day.getTime() + 86_400_000)
    ) {
      days.push(day.toISOString().slice(0, 10));
    }
    const bar = progress('hf-daily', io.stderr);
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
    const categories = (values.category as string[] | undefined) ?? [];
    const max = Number(values.max ?? 100);
    if (categories.length === 0 || !Number.isInteger(max) || max < 1 || max > 10_000) {
      throw new UsageError(
        'ingest arxiv needs --category (e.g. cs.LG, repeatable) and --max from 1 to 10000.',
      );
    }
    what = `arxiv --category ${categories.join(' --category ')}`;
    const client = new ArxivClient(config.sources.arxivApiUrl);
    for (const category of categories) {
      const bar = progress(`arxiv ${category}`, io.stderr);
      try {
        batches.push(
          await client.newest(category, max, arrivedAt, (done, total) => bar.step(done, total, 'papers')),
        );
      } catch (error) {
        failures.push((error as Error).message);
        io.stderr.write(`arxiv ${category}: failed (${(error as Error).message})\n`);
      }
    }
  } else if (kind === 'file') {
    const [path] = positionals;
    const format = values.format as string | undefined;
    if (!path) throw new UsageError('ingest file needs a path, e.g. paperbot ingest file papers.jsonl.gz.');
    if (format !== undefined && !(FILE_FORMATS as readonly string[]).includes(format)) {
      throw new UsageError(`--format is one of ${FILE_FORMATS.join(', ')}.`);
    }
    await existingFile(path);
    const started = performance.now();
    const batch = await readPaperFile(path, arrivedAt, format as FileFormat | undefined);
    io.stderr.write(
      `${path}: ${batch.papers.length} papers (${batch.format}) read in ${Math.round(performance.now() - started)} ms\n`,
    );
    batches.push(batch);
    what = `file ${path}`;
  } else {
    throw new UsageError(
      `paperbot ingest takes hf-daily, arxiv or file${kind === undefined ? '' : `, not "${kind}"`} (paperbot ingest --help tells more).`,
    );
  }

  const { library, close } = await openLibrary(config, createStderrLogger('warn', io.stderr));
  const started = performance.now();
  const papers = batches.flatMap((b) => b.papers);
  const report: IngestReport = { new: 0, updated: 0, unchanged: 0, skipped: {}, corpusSize: library.size };
  for (const { reason } of batches.flatMap((b) => b.skipped))
    report.skipped[reason] = (report.skipped[reason] ?? 0) + 1;
  // In parts, so that a long merge shows its progress; merging part after part is merging the whole.
  const bar = progress('merging', io.stderr);
  try {
    for (let done = 0; done < papers.length; done += MERGE_PART) {
      const part = await library.ingest({ papers: papers.slice(done, done + MERGE_PART), skipped: [] });
      report.new += part.new;
      report.updated += part.updated;
      report.unchanged += part.unchanged;
      report.corpusSize = part.corpusSize;
      const merged = Math.min(done + MERGE_PART, papers.length);
      bar.step(
        merged,
        papers.length,
        `papers (${part.new === 0 ? 'none' : part.new.toLocaleString('en-US')} new)`,
      );
    }
  } finally {
    // A running bot takes the new papers in within a minute; the checkpoint makes the next start fast.
    await close();
  }
  io.stdout.write(
    `${describeIngest(report)} (merged and saved in ${Math.round(performance.now() - started)} ms)\n`,
  );
  // Not with a database: the replicas' status is theirs; this data directory is not where they look.
  if (!config.databaseUrl)
    await recordIngest(config.dataDir, {
      at: now.toISOString(),
      what,
      new: report.new,
      summary: describeIngest(report),
    });
  if (failures.length > 0) {
    io.stderr.write(`${failures.length} request(s) failed; run the command again to retry them.\n`);
    return 1;
  }
  return undefined;
}

async function remove(_values: Values, names: string[], io: CommandIo): Promise<number | undefined> {
  if (names.length === 0)
    throw new UsageError('paperbot remove needs the ids of the papers, e.g. paperbot remove 2501.12948.');
  const config = loadConfig(io.env);
  const { library, close } = await openLibrary(config, createStderrLogger('warn', io.stderr));
  let outcome: Awaited<ReturnType<Library['remove']>>;
  try {
    outcome = await library.remove(names.map((name) => name.replace(/^arxiv:/i, '')));
  } finally {
    await close();
  }
  const { removed, unknown } = outcome;
  if (removed.length > 0)
    io.stdout.write(
      `Removed ${removed.length} ${removed.length === 1 ? 'paper' : 'papers'}: ${removed.map((paper) => `“${paper.title}” (${paper.id})`).join(', ')}; ${library.size.toLocaleString('en-US')} papers in the corpus.\n`,
    );
  if (unknown.length > 0) {
    io.stderr.write(`Not in the corpus: ${unknown.join(', ')}.\n`);
    return 1;
  }
  return undefined;
}

async function buildSeed(values: Values, positionals: string[], io: CommandIo): Promise<undefined> {
  const [page] = positionals;
  if (!page)
    throw new UsageError('paperbot build-seed needs the page file, e.g. paperbot build-seed page.txt.');
  await existingFile(page);
  const { parseHfPapersPage } = await import('./papers/sources/hfPapersPage.js');
  const arrivedAt = (values['arrived-at'] as string | undefined) ?? new Date().toISOString();
  if (Number.isNaN(Date.parse(arrivedAt))) throw new UsageError('--arrived-at takes an ISO timestamp.');
  const papers = parseHfPapersPage(await readFile(page, 'utf8'), new Date(arrivedAt).toISOString());
  const out = (values.out as string | undefined) ?? 'data/seed-papers.jsonl';
  await writeFileAtomically(out, serialiseCorpus(papers));
  io.stderr.write(`${papers.length} papers written to ${out}\n`);
  return undefined;
}

/** Papers merged at a time by `paperbot ingest` (a progress step each). */
const MERGE_PART = 1000;

/**
 * Runs `paperbot <argv>` and returns its exit status: 2 for a command-line mistake (or a file that
 * is not papers), 1 for a failure, each told in one sentence (the stack only with LOG_LEVEL=debug).
 * bin/paperbot.js calls it; so does `node dist/cli.js`.
 */
export async function runCommandLine(argv: string[], io: CommandIo = processIo()): Promise<number> {
  try {
    return (await main(argv, io)) ?? 0;
  } catch (error) {
    // One sentence for people; where it came from only for whoever asked for debug logs.
    const debug = io.env.LOG_LEVEL === 'debug';
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof UsageError) io.stderr.write(`${message}\n`);
    else if (error instanceof PaperbotError)
      io.stderr.write(`${debug ? (error.stack ?? message) : message}\n`);
    else
      io.stderr.write(
        `${debug && error instanceof Error ? error.stack : `paperbot failed: ${message} (LOG_LEVEL=debug shows where)`}\n`,
      );
    // NotPapers (a file that is not papers) by name: its module is loaded only by `ingest file`.
    return error instanceof UsageError || (error as Error)?.name === 'NotPapers' ? 2 : 1;
  }
}

if (isProgram(import.meta.url))
  void runCommandLine(process.argv.slice(2)).then((status) => {
    process.exitCode = status;
  });
