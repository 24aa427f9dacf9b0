#!/usr/bin/env node
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { parsePaperCommand } from './bot/paperCommand.js';
import { COMMAND_RESULTS } from './bot/replies.js';
import { loadConfig } from './config.js';
import { renderText } from './console/renderText.js';
import { PaperbotError } from './errors.js';
import { openLibrary } from './library.js';
import { createStderrLogger } from './logger.js';
import { serialiseCorpus, writeFileAtomically } from './papers/corpus.js';
import { paperPageLink } from './papers/paper.js';
import { parseHfPapersPage } from './papers/sources/hfPapersPage.js';
import type { PaperIndex } from './search/paperIndex.js';
import { resultsMessage } from './slack/blocks/messages.js';

const USAGE = `Usage:
  paperbot search [--json] [--limit N] "<query>"   search the corpus in PAPERBOT_DATA_DIR, like /paper
  paperbot search --json --stdin [--limit N]        one query per input line, one JSON array per output line
  paperbot build-seed <page.txt> [--out FILE] [--arrived-at ISO]
                                                    parse a Hugging Face Papers page into corpus JSONL`;

/** A command-line failure: print the message and exit with status 2. */
class UsageError extends Error {}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'search':
      return search(rest);
    case 'build-seed':
      return buildSeed(rest);
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
  const config = loadConfig();
  const { index } = await openLibrary(config.dataDir, createStderrLogger('warn'));

  if (values.stdin) {
    for await (const line of createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY })) {
      process.stdout.write(`${JSON.stringify(searchJson(index, line, limit))}\n`);
    }
    return;
  }
  const text = positionals.join(' ');
  if (values.json) {
    process.stdout.write(`${JSON.stringify(searchJson(index, text, limit), null, 2)}\n`);
    return;
  }
  const command = parsePaperCommand(text);
  if (command.kind !== 'search')
    throw new UsageError(`Give a query, e.g. paperbot search "reward model ensembles".`);
  process.stdout.write(
    `${renderText(resultsMessage({ queryText: text }, index.search(command.query, { limit })))}\n`,
  );
}

/** The hits of `/paper <text>` as JSON rows; an empty array for text that is not a search. */
function searchJson(index: PaperIndex, text: string, limit: number): HitJson[] {
  const command = parsePaperCommand(text);
  if (command.kind !== 'search') return [];
  return index.search(command.query, { limit }).hits.map(({ paper, score }) => ({
    id: paper.id,
    title: paper.title,
    score: Number(score.toFixed(4)),
    url: paperPageLink(paper).url,
    code: paper.links.code,
  }));
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
