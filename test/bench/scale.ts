import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { questionOf } from '../../src/bot/mention.js';
import { parsePaperCommand } from '../../src/bot/paperCommand.js';
import { Library } from '../../src/library.js';
import { corpusFile, serialiseCorpus, writeFileAtomically } from '../../src/papers/corpus.js';
import { catalogFile } from '../../src/papers/corpusCatalog.js';
import { MemoryCorpusStore } from '../../src/papers/corpusStore.js';
import { PaperCollection } from '../../src/papers/merge.js';
import type { Paper } from '../../src/papers/paper.js';
import { readPaperFile } from '../../src/papers/sources/files.js';
import { DocumentIndex } from '../../src/search/documentIndex.js';
import { searchDocument } from '../../src/search/paperSearch.js';
import { parseQuery } from '../../src/search/query.js';
import { snapshotFile } from '../../src/search/snapshot.js';
import { bundledPapers } from '../support/papers.js';
import { Bm25Reference } from './bm25Reference.js';
import { loadDailyArxiv, random } from './corpora.js';
import { benchDigests, sampleTopics } from './digests.js';
import { timeNodeRun, timeToConsole } from './startup.js';
import { quantile } from './stats.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const HF = fileURLToPath(
  new URL('../../../shared/data/hf-daily-papers/daily_papers.jsonl.gz', import.meta.url),
);

/** The corpus sizes the bench knows: the bundled seed, the ~85k real papers, and two replicas of them. */
export const SIZES = ['seed', '85k', '300k', '1m'] as const;
export type Size = (typeof SIZES)[number];

/**
 * The ~85k real papers: the daily-arXiv set plus the HF daily papers, merged like an ingest would,
 * each arriving at 06:00 UTC on its day (as the arXiv ones do), not all at once.
 */
export async function loadRealCorpus(): Promise<Paper[]> {
  const store = new MemoryCorpusStore(await loadDailyArxiv());
  const collection = new PaperCollection((ids) => store.read(ids));
  const { catalog, position } = await store.open();
  collection.load(catalog);
  const hf = (await readPaperFile(HF, '2026-08-22T00:00:00.000Z')).papers.map((paper) =>
    paper.published ? { ...paper, arrivedAt: `${paper.published}T06:00:00.000Z` } : paper,
  );
  await store.append((await collection.merge(hf)).changed, position);
  const papers: Paper[] = [];
  for await (const batch of store.readAll()) papers.push(...batch);
  return papers;
}

/**
 * `size` papers made from the real ones: the real papers first, then copies of them in turn, each
 * copy with a new id (`<id>~r<n>`), its abstract's sentences shuffled and one of them dropped (so
 * that term frequencies and lengths vary, not only the order), and an arrival 120 days earlier per
 * round, so that the newest day is still the real one.
 */
export function replicate(real: readonly Paper[], size: number, seed = 5): Paper[] {
  const next = random(seed);
  const papers = real.slice(0, size);
  for (let i = papers.length; i < size; i++) {
    const original = real[i % real.length] as Paper;
    const round = Math.floor(i / real.length);
    const sentences = original.abstract.split(/(?<=[.!?])\s+/);
    for (let j = sentences.length - 1; j > 0; j--) {
      const k = Math.floor(next() * (j + 1));
      [sentences[j], sentences[k]] = [sentences[k] as string, sentences[j] as string];
    }
    if (sentences.length > 2) sentences.splice(Math.floor(next() * sentences.length), 1);
    const arrived = new Date(Date.parse(original.arrivedAt) - round * 120 * 86_400_000).toISOString();
    const { arxivId: _dropped, ...rest } = original;
    papers.push({
      ...rest,
      id: `${original.id}~r${round}`,
      abstract: sentences.join(' '),
      arrivedAt: arrived,
    });
  }
  return papers;
}

/** The papers of a corpus size (see {@link SIZES}). */
export async function corpusOf(size: Size): Promise<Paper[]> {
  if (size === 'seed') return bundledPapers();
  const real = await loadRealCorpus();
  return size === '85k' ? real : replicate(real, size === '300k' ? 300_000 : 1_000_000);
}

/** Questions as people ask them in a mention, around 2-3 real title words. */
function questions(topics: string[], seed: number): string[] {
  const next = random(seed);
  const forms = [
    (t: string) => `<@UPAPERBOT> any good papers on ${t}?`,
    (t: string) => `<@UPAPERBOT> what is the latest work on ${t} for large language models`,
    (t: string) => `<@UPAPERBOT> has anyone seen papers about ${t} with code`,
    (t: string) => `<@UPAPERBOT> recommend something on ${t} and evaluation benchmarks`,
  ];
  return topics.map((topic) => (forms[Math.floor(next() * forms.length)] as (t: string) => string)(topic));
}

const ms = (samples: number[], q: number) => Math.round(quantile(samples, q) * 100) / 100;
const triple = (samples: number[]) => `${ms(samples, 0.5)} / ${ms(samples, 0.95)} / ${ms(samples, 0.99)}`;
const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

/** The parts of one size's bench, each selectable with `--parts` (default: all). */
export const PARTS = ['build', 'start', 'postings', 'queries', 'digests', 'load', 'ingest'] as const;
export type Part = (typeof PARTS)[number];

/**
 * One corpus size, in this process, in parts (see {@link PARTS}): `build` the index beside the
 * typed-array BM25 reference; `start` writes the data directory (corpus, catalog, snapshot) and
 * times a cold start of `node dist/main.js` from it; `postings` the RSS of a started bot once every
 * posting list has been read; `queries` 500 realistic queries (350 keyword, 150 mention questions)
 * beside the reference; `digests` 10,000 subscriptions' digests; and for the real corpus `load`
 * (`/paper` at 50, 200, 500 req/s through the Bolt receiver, the index in a search worker as the
 * bot runs it) and `ingest` (50 new papers ingested, checkpoint included, while `/paper` arrives 10
 * times a second: the app thread's event-loop delay and the acks).
 */
export async function benchSize(
  size: Size,
  parts: ReadonlySet<Part> = new Set(PARTS),
): Promise<Record<string, string | number>> {
  const papers = await corpusOf(size);
  const row: Record<string, string | number> = { papers: papers.length };
  const needsIndex = parts.has('build') || parts.has('queries');
  const index = needsIndex ? timed(() => DocumentIndex.build(papers.map(searchDocument))) : undefined;
  const reference = needsIndex ? timed(() => new Bm25Reference(papers)) : undefined;
  if (parts.has('build') && index && reference) {
    row['index build (s)'] = (index.ms / 1000).toFixed(1);
    row['reference build (s)'] = (reference.ms / 1000).toFixed(1);
    row['peak RSS while building (MB)'] = peakRssMb();
  }

  const needsDir = ['start', 'postings', 'load', 'ingest'].some((part) => parts.has(part as Part));
  const dataDir = mkdtempSync(join(tmpdir(), `paperbot-bench-${size}-`));
  try {
    if (needsDir) {
      // A corpus file as another program would write it: the first start validates it whole,
      // builds the index and writes the catalog and snapshot; later starts trust them.
      const corpus = serialiseCorpus(papers);
      await writeFileAtomically(corpusFile(dataDir), corpus);
      row['corpus file (MB)'] = Math.round(corpus.length / 1e6);
      const first = await timeToConsole(process.execPath, [join(ROOT, 'dist', 'main.js')], dataDir, OFFLINE);
      row['first start: corpus validated, index built (s)'] = (first.ms / 1000).toFixed(2);
      row['snapshot (MB)'] = Math.round(statSync(snapshotFile(dataDir)).size / 1e6);
      row['catalog (MB)'] = Math.round(statSync(catalogFile(dataDir)).size / 1e6);
    }
    if (parts.has('start')) {
      const starts: { ms: number; cpuMs: number; peakRssMb: number }[] = [];
      for (let run = 0; run < 3; run++)
        starts.push(await timeToConsole(process.execPath, [join(ROOT, 'dist', 'main.js')], dataDir, OFFLINE));
      row['cold start from catalog + snapshot, median of 3 (s)'] = (
        quantile(
          starts.map((start) => start.ms),
          0.5,
        ) / 1000
      ).toFixed(2);
      row['cold start peak RSS, median of 3 (MB)'] = quantile(
        starts.map((start) => start.peakRssMb),
        0.5,
      );
      row['cold start CPU time, median of 3 (s)'] = (
        quantile(
          starts.map((start) => start.cpuMs),
          0.5,
        ) / 1000
      ).toFixed(2);
      // From a command line to its answer: the process starts, opens the corpus, searches, exits.
      const searches: { ms: number; cpuMs: number }[] = [];
      for (let run = 0; run < 3; run++)
        searches.push(
          await timeNodeRun([join(ROOT, 'dist', 'cli.js'), 'search', '--json', 'reward model ensembles'], {
            ...OFFLINE,
            PAPERBOT_DATA_DIR: dataDir,
          }),
        );
      row['cold `paperbot search` to its answer, median of 3 (s)'] = (
        quantile(
          searches.map((search) => search.ms),
          0.5,
        ) / 1000
      ).toFixed(2);
      row['cold `paperbot search` CPU time, median of 3 (s)'] = (
        quantile(
          searches.map((search) => search.cpuMs),
          0.5,
        ) / 1000
      ).toFixed(2);
    }
    if (parts.has('postings')) Object.assign(row, await postingsRssInChild(dataDir));
    const botParts = (['load', 'ingest'] as const).filter((part) => parts.has(part));
    if (botParts.length > 0 && size === '85k') Object.assign(row, await botLoadInChild(dataDir, botParts));
  } catch (error) {
    row.failed = `${(error as Error).message.slice(0, 160)}`;
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }

  if (parts.has('queries') && index && reference)
    Object.assign(row, benchQueries(papers, index.value, reference.value));

  if (parts.has('digests')) {
    const library = await Library.inMemory(papers);
    const digests = await benchDigests(papers, 10_000, library);
    row['10k digests: papers in the last day'] = digests['papers in the last day'] as number;
    row['10k digests: compute all due (ms)'] = digests['compute all due digests (ms)'] as number;
    row['10k digests: scheduler tick with a no-op poster (ms)'] = digests[
      'scheduler tick, no-op poster (ms)'
    ] as number;
    row['10k digests: first digest over the whole corpus (ms each)'] = digests[
      'first-run digest, whole corpus (ms each)'
    ] as string;
  }
  row['peak RSS of the bench process (MB)'] = peakRssMb();
  return row;
}

/** The bot's environment for a start without Slack or sources. */
const OFFLINE = { PAPERBOT_REFRESH_HF: 'off', PAPERBOT_REFRESH_ARXIV: 'off' };

function timed<T>(make: () => T): { value: T; ms: number } {
  const started = performance.now();
  const value = make();
  return { value, ms: performance.now() - started };
}

/** Keyword queries and mention questions, ours beside the typed-array reference (warm: the second round). */
function benchQueries(
  papers: readonly Paper[],
  index: DocumentIndex,
  reference: Bm25Reference,
): Record<string, string> {
  const keywords = sampleTopics(papers, 350, 11);
  const asked = questions(sampleTopics(papers, 150, 13), 17);
  const time = (run: () => void) => {
    const t = performance.now();
    run();
    return performance.now() - t;
  };
  const ours = { keyword: [] as number[], question: [] as number[] };
  const floor = { keyword: [] as number[], question: [] as number[] };
  for (let round = 0; round < 2; round++) {
    // Round 0 warms the JIT (and the bounds pruning remembers); round 1 is measured.
    for (const text of keywords) {
      const command = parsePaperCommand(text);
      const a = time(() => command.kind === 'search' && index.search({ query: command.query, limit: 5 }));
      const b = time(() => reference.search(text));
      if (round) {
        ours.keyword.push(a);
        floor.keyword.push(b);
      }
    }
    for (const text of asked) {
      const a = time(() => index.search({ query: parseQuery(questionOf(text)).query, limit: 3 }));
      const b = time(() => reference.search(questionOf(text), 3));
      if (round) {
        ours.question.push(a);
        floor.question.push(b);
      }
    }
  }
  const ratio = (a: number[], b: number[], q: number) =>
    `${(quantile(a, q) / Math.max(quantile(b, q), 1e-6)).toFixed(1)}x`;
  return {
    'keyword p50 / p95 / p99 (ms)': triple(ours.keyword),
    'keyword, reference BM25 (ms)': triple(floor.keyword),
    'keyword ratio p50 / p99': `${ratio(ours.keyword, floor.keyword, 0.5)} / ${ratio(ours.keyword, floor.keyword, 0.99)}`,
    'question p50 / p95 / p99 (ms)': triple(ours.question),
    'question, reference BM25 (ms)': triple(floor.question),
    'question ratio p50 / p99': `${ratio(ours.question, floor.question, 0.5)} / ${ratio(ours.question, floor.question, 0.99)}`,
  };
}

/**
 * botLoad.ts in a process of its own: the app's thread then has the bot's small heap, not this
 * process's (the papers, the index and the reference built above), whose collections would stop it.
 */
function botLoadInChild(dataDir: string, parts: readonly string[]): Promise<Record<string, string | number>> {
  return jsonOfChild([
    fileURLToPath(new URL('./botLoad.ts', import.meta.url)),
    '--data-dir',
    dataDir,
    '--parts',
    parts.join(','),
  ]);
}

/** {@link postingsRss} in a process of its own, so that its RSS is the bot's alone. */
function postingsRssInChild(dataDir: string): Promise<Record<string, string | number>> {
  return jsonOfChild([fileURLToPath(new URL('./postingsRss.ts', import.meta.url)), '--data-dir', dataDir]);
}

/**
 * Runs {@link benchSize} in a child process of its own, so that each size's peak RSS is its own and
 * a size that runs out of memory is reported rather than ending the bench.
 */
export function benchSizeInChild(
  size: Size,
  parts: readonly Part[] = PARTS,
): Promise<Record<string, string | number>> {
  return jsonOfChild([fileURLToPath(import.meta.url), '--size', size, '--parts', parts.join(',')]);
}

/** Runs a bench script under tsx and the compiled-code hook; resolves with the last line of its output, as JSON. */
function jsonOfChild(args: string[]): Promise<Record<string, string | number>> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--max-old-space-size=16384', '--import', 'tsx', '--import', './test/bench/compiled.mjs', ...args],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk;
    });
    child.on('close', (code, signal) => {
      const last = stdout.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(last) as Record<string, string | number>);
      } catch {
        resolve({ failed: `exit ${code ?? signal}` });
      }
    });
  });
}

/** Parts named in a comma-separated list (all when none is given). */
export function partsOf(list: string | undefined): Part[] {
  if (!list) return [...PARTS];
  return list.split(',').map((name) => {
    const part = PARTS.find((known) => known === name.trim());
    if (!part) throw new Error(`unknown part ${name}; parts are ${PARTS.join(', ')}`);
    return part;
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { size: { type: 'string' }, parts: { type: 'string' } } });
  const size = SIZES.find((known) => known === values.size);
  if (!size) throw new Error(`--size must be one of ${SIZES.join(', ')}`);
  console.log(JSON.stringify(await benchSize(size, new Set(partsOf(values.parts)))));
}
