import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { questionOf } from '../../src/bot/mention.js';
import { parsePaperCommand } from '../../src/bot/paperCommand.js';
import { Library } from '../../src/library.js';
import { silentLogger } from '../../src/logger.js';
import { corpusFile, serialiseCorpus, writeFileAtomically } from '../../src/papers/corpus.js';
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
import { benchSlashAtRate } from './slashLatency.js';
import { timeToConsole } from './startup.js';
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

/**
 * One corpus size, in this process: index build, snapshot, cold start from it, 500 realistic queries
 * (350 keyword, 150 mention questions) beside the typed-array BM25 reference, 10,000 subscriptions'
 * digests, and for the real corpus `/paper` at 50 and 200 req/s through the Bolt receiver.
 */
export async function benchSize(size: Size): Promise<Record<string, string | number>> {
  const papers = await corpusOf(size);
  let started = performance.now();
  const index = DocumentIndex.build(papers.map(searchDocument));
  const buildMs = performance.now() - started;
  const buildPeakMb = peakRssMb();
  started = performance.now();
  const reference = new Bm25Reference(papers);
  const referenceBuildMs = performance.now() - started;

  const dataDir = mkdtempSync(join(tmpdir(), `paperbot-bench-${size}-`));
  const row: Record<string, string | number> = {
    papers: papers.length,
    'index build (s)': (buildMs / 1000).toFixed(1),
    'reference build (s)': (referenceBuildMs / 1000).toFixed(1),
    'peak RSS while building (MB)': buildPeakMb,
  };
  try {
    const corpus = serialiseCorpus(papers);
    await writeFileAtomically(corpusFile(dataDir), corpus);
    row['corpus file (MB)'] = Math.round(corpus.length / 1e6);
    await (await Library.open(dataDir, silentLogger)).close();
    row['snapshot (MB)'] = Math.round(statSync(snapshotFile(dataDir)).size / 1e6);
    row['peak RSS after snapshot write (MB)'] = peakRssMb();
    const start = await timeToConsole(process.execPath, [join(ROOT, 'dist', 'main.js')], dataDir, {
      PAPERBOT_REFRESH_HF: 'off',
      PAPERBOT_REFRESH_ARXIV: 'off',
    });
    row['cold start from snapshot (s)'] = (start.ms / 1000).toFixed(2);
    row['cold start peak RSS (MB)'] = start.peakRssMb;
  } catch (error) {
    row['snapshot / cold start'] = `failed: ${(error as Error).message.slice(0, 120)}`;
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }

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
    `${(quantile(a, q) / Math.max(quantile(b, q), 1e-6)).toFixed(0)}x`;
  Object.assign(row, {
    'keyword p50 / p95 / p99 (ms)': triple(ours.keyword),
    'keyword, reference BM25 (ms)': triple(floor.keyword),
    'keyword ratio p50 / p99': `${ratio(ours.keyword, floor.keyword, 0.5)} / ${ratio(ours.keyword, floor.keyword, 0.99)}`,
    'question p50 / p95 / p99 (ms)': triple(ours.question),
    'question, reference BM25 (ms)': triple(floor.question),
    'question ratio p50 / p99': `${ratio(ours.question, floor.question, 0.5)} / ${ratio(ours.question, floor.question, 0.99)}`,
  });

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

  if (size === '85k') {
    for (const rate of [50, 200]) {
      const load = await benchSlashAtRate(rate, 10, library);
      row[`/paper at ${rate} req/s: ack p50 / p99 (ms)`] =
        `${load['ack p50 (ms)']} / ${load['ack p99 (ms)']}`;
      row[`/paper at ${rate} req/s: answer p50 / p99 (ms)`] =
        `${load['answer p50 (ms)']} / ${load['answer p99 (ms)']}`;
      row[`/paper at ${rate} req/s: requests, failures, answered`] =
        `${load.requests}, ${load.failures}, ${load['answered within 30 s of the last request']}`;
    }
  }
  row['peak RSS of the bench process (MB)'] = peakRssMb();
  return row;
}

/**
 * Runs {@link benchSize} in a child process of its own, so that each size's peak RSS is its own and
 * a size that runs out of memory is reported rather than ending the bench.
 */
export function benchSizeInChild(size: Size): Promise<Record<string, string | number>> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        '--max-old-space-size=16384',
        '--import',
        'tsx',
        '--import',
        './test/bench/compiled.mjs',
        fileURLToPath(import.meta.url),
        '--size',
        size,
      ],
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

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { size: { type: 'string' } } });
  const size = SIZES.find((known) => known === values.size);
  if (!size) throw new Error(`--size must be one of ${SIZES.join(', ')}`);
  console.log(JSON.stringify(await benchSize(size)));
}
