import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parsePaperCommand } from '../../src/bot/paperCommand.js';
import type { Paper } from '../../src/papers/paper.js';
import { PaperIndex } from '../../src/search/paperIndex.js';

const SCIFACT = fileURLToPath(new URL('../../../shared/data/scifact/', import.meta.url));

const readJsonl = <T>(file: string): T[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as T);

/** query id → relevant doc ids, from a BEIR qrels TSV. */
function readQrels(split: 'train' | 'test'): Map<string, Set<string>> {
  const qrels = new Map<string, Set<string>>();
  for (const line of readFileSync(`${SCIFACT}qrels/${split}.tsv`, 'utf8').split('\n').slice(1)) {
    const [query, doc, score] = line.split('\t');
    if (!query || !doc || Number(score) <= 0) continue;
    qrels.set(query, (qrels.get(query) ?? new Set()).add(doc));
  }
  return qrels;
}

/** nDCG@10, Recall@100 and MRR@10 of ranked doc ids against binary relevance. */
function scores(ranked: string[], relevant: Set<string>) {
  let dcg = 0;
  let mrr = 0;
  ranked.slice(0, 10).forEach((doc, i) => {
    if (!relevant.has(doc)) return;
    dcg += 1 / Math.log2(i + 2);
    if (mrr === 0) mrr = 1 / (i + 1);
  });
  let idcg = 0;
  for (let i = 0; i < Math.min(10, relevant.size); i++) idcg += 1 / Math.log2(i + 2);
  const found = ranked.slice(0, 100).filter((doc) => relevant.has(doc)).length;
  return { ndcg: dcg / idcg, recall: found / relevant.size, mrr };
}

/**
 * `npm run eval [-- --split train|test] [--json FILE]`: SciFact (BEIR) through the bot's own
 * PaperIndex and `/paper` query parsing; prints nDCG@10, Recall@100 and MRR@10.
 */
function main(): void {
  const { values } = parseArgs({
    options: { split: { type: 'string', default: 'test' }, json: { type: 'string' } },
  });
  const split = values.split === 'train' ? 'train' : 'test';
  const started = performance.now();
  const docs = readJsonl<{ _id: string; title: string; text: string }>(`${SCIFACT}corpus.jsonl`);
  const papers: Paper[] = docs.map((doc) => ({
    id: doc._id,
    title: doc.title,
    abstract: doc.text,
    authors: [],
    arrivedAt: '2026-01-01T00:00:00.000Z',
    links: { code: [], project: [] },
    source: 'paperbot',
  }));
  const index = PaperIndex.build(papers);
  const queries = new Map(
    readJsonl<{ _id: string; text: string }>(`${SCIFACT}queries.jsonl`).map((q) => [q._id, q.text]),
  );
  const qrels = readQrels(split);
  const totals = { ndcg: 0, recall: 0, mrr: 0 };
  for (const [queryId, relevant] of qrels) {
    const command = parsePaperCommand(queries.get(queryId) ?? '');
    const ranked =
      command.kind === 'search'
        ? index.search(command.query, { limit: 100 }).hits.map((hit) => hit.paper.id)
        : [];
    const s = scores(ranked, relevant);
    totals.ndcg += s.ndcg;
    totals.recall += s.recall;
    totals.mrr += s.mrr;
  }
  const n = qrels.size;
  const result = {
    split,
    queries: n,
    ndcg10: totals.ndcg / n,
    recall100: totals.recall / n,
    mrr10: totals.mrr / n,
  };
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`SciFact ${split}: ${docs.length} abstracts, ${n} queries, ${seconds} s`);
  console.log('published BM25 nDCG@10: 0.665 (BEIR), 0.679 (Anserini flat)');
  console.log(
    `scifact-${split} ndcg@10=${result.ndcg10.toFixed(4)} recall@100=${result.recall100.toFixed(4)} mrr@10=${result.mrr10.toFixed(4)}`,
  );
  if (values.json) writeFileSync(values.json, `${JSON.stringify(result, null, 2)}\n`);
}

main();
