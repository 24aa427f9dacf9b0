import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { questionOf } from '../../src/bot/mention.js';
import { parsePaperCommand } from '../../src/bot/paperCommand.js';
import { corpusFile, fingerprintOf, serialiseCorpus, writeFileAtomically } from '../../src/papers/corpus.js';
import { PaperCollection } from '../../src/papers/merge.js';
import type { Paper } from '../../src/papers/paper.js';
import { readPaperFile } from '../../src/papers/sources/files.js';
import { PaperIndex } from '../../src/search/paperIndex.js';
import { parseQuery } from '../../src/search/query.js';
import { snapshotFile, writeSnapshot } from '../../src/search/snapshot.js';
import { Bm25Reference } from './bm25Reference.js';
import { loadDailyArxiv, random } from './corpora.js';
import { sampleTopics } from './digests.js';
import { quantile } from './stats.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const HF = fileURLToPath(
  new URL('../../../shared/data/hf-daily-papers/daily_papers.jsonl.gz', import.meta.url),
);

/** The ~85k real papers: the daily-arXiv set plus the HF daily papers, merged like an ingest would. */
export async function loadRealCorpus(): Promise<Paper[]> {
  const collection = new PaperCollection(await loadDailyArxiv());
  for (const paper of (await readPaperFile(HF, '2026-08-22T00:00:00.000Z')).papers) collection.upsert(paper);
  return [...collection.papers()];
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

/** Milliseconds from spawning the bot on `dataDir` to its console being ready, and its peak RSS then (MB). */
function coldStart(dataDir: string): Promise<{ ms: number; peakRssMb: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [join(ROOT, 'dist', 'main.js')], {
      env: {
        ...process.env,
        PAPERBOT_DATA_DIR: dataDir,
        SLACK_BOT_TOKEN: '',
        SLACK_APP_TOKEN: '',
        PAPERBOT_REFRESH_HF: 'off',
        PAPERBOT_REFRESH_ARXIV: 'off',
      },
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk;
      if (!stderr.includes('starting the local console')) return;
      const elapsed = performance.now() - started;
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const peakKb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
      child.kill();
      resolve({ ms: elapsed, peakRssMb: Math.round(peakKb / 1024) });
    });
    child.on('error', reject);
  });
}

/**
 * Search at the scale of a real deployment: the ~85k real papers. Index build, snapshot size,
 * cold start from the snapshot, and `/paper` and mention query latency over 500 realistic queries,
 * each beside a minimal typed-array BM25 (the floor) as a ratio.
 */
export async function benchRealCorpus(): Promise<Record<string, string | number>> {
  const papers = await loadRealCorpus();
  let started = performance.now();
  const index = PaperIndex.build(papers);
  const buildMs = performance.now() - started;
  const peakBuildMb = Math.round(process.resourceUsage().maxRSS / 1024);
  started = performance.now();
  const reference = new Bm25Reference(papers);
  const referenceBuildMs = performance.now() - started;

  const dataDir = mkdtempSync(join(tmpdir(), 'paperbot-bench-85k-'));
  const corpusText = serialiseCorpus(papers);
  await writeFileAtomically(corpusFile(dataDir), corpusText);
  await writeSnapshot(snapshotFile(dataDir), index, fingerprintOf(corpusText));
  const start = await coldStart(dataDir);

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
    // Round 0 warms the JIT; round 1 is measured.
    for (const text of keywords) {
      const command = parsePaperCommand(text);
      const a = time(() => command.kind === 'search' && index.search(command.query, { limit: 5 }));
      const b = time(() => reference.search(text));
      if (round) {
        ours.keyword.push(a);
        floor.keyword.push(b);
      }
    }
    for (const text of asked) {
      const a = time(() => index.search(parseQuery(questionOf(text)).query, { limit: 3 }));
      const b = time(() => reference.search(questionOf(text), 3));
      if (round) {
        ours.question.push(a);
        floor.question.push(b);
      }
    }
  }
  const ratio = (a: number[], b: number[], q: number) =>
    `${(quantile(a, q) / Math.max(quantile(b, q), 1e-6)).toFixed(0)}x`;
  return {
    papers: papers.length,
    'index build (s)': (buildMs / 1000).toFixed(1),
    'reference build (s)': (referenceBuildMs / 1000).toFixed(1),
    'peak RSS while building (MB)': peakBuildMb,
    'snapshot (MB)': Math.round(statSync(snapshotFile(dataDir)).size / 1e6),
    'corpus file (MB)': Math.round(statSync(corpusFile(dataDir)).size / 1e6),
    'cold start from snapshot (s)': (start.ms / 1000).toFixed(2),
    'cold start peak RSS (MB)': start.peakRssMb,
    'keyword p50 / p95 / p99 (ms)': `${ms(ours.keyword, 0.5)} / ${ms(ours.keyword, 0.95)} / ${ms(ours.keyword, 0.99)}`,
    'keyword, reference BM25 (ms)': `${ms(floor.keyword, 0.5)} / ${ms(floor.keyword, 0.95)} / ${ms(floor.keyword, 0.99)}`,
    'keyword ratio p50 / p99': `${ratio(ours.keyword, floor.keyword, 0.5)} / ${ratio(ours.keyword, floor.keyword, 0.99)}`,
    'question p50 / p95 / p99 (ms)': `${ms(ours.question, 0.5)} / ${ms(ours.question, 0.95)} / ${ms(ours.question, 0.99)}`,
    'question, reference BM25 (ms)': `${ms(floor.question, 0.5)} / ${ms(floor.question, 0.95)} / ${ms(floor.question, 0.99)}`,
    'question ratio p50 / p99': `${ratio(ours.question, floor.question, 0.5)} / ${ratio(ours.question, floor.question, 0.99)}`,
  };
}
