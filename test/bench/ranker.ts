import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { questionOf } from '../../src/bot/mention.js';
import { parsePaperCommand } from '../../src/bot/paperCommand.js';
import { silentLogger } from '../../src/logger.js';
import { DocumentIndex } from '../../src/search/documentIndex.js';
import { parseQuery } from '../../src/search/query.js';
import {
  RANKER_FEATURES,
  RANKER_TRAINING,
  type RankerTraining,
  trainRanker,
} from '../../src/search/ranker.js';
import { RANKING, type Ranking, withRanking } from '../../src/search/ranking.js';
import { trainTranslation } from '../../src/search/signal.js';
import { readIndexSnapshot, snapshotFile } from '../../src/search/snapshot.js';
import { openRealCorpus } from './evalCorpus.js';

const EVAL = fileURLToPath(new URL('../eval/', import.meta.url));
const SCIFACT = fileURLToPath(new URL('../../../shared/data/scifact/', import.meta.url));

interface Row {
  query: string;
  arxivId: string;
  split: string;
  style: string;
}

/**
 * `node --import tsx --import ./test/bench/compiled.mjs test/bench/ranker.ts [--training JSON]
 * [--splits tune,heldout,known-tune] [--boosts 1,2] [--scifact]`: the learnt ranker's lab on the
 * 85k corpus. Trains the translation, then a ranker for each of `--training`'s changes to
 * RANKER_TRAINING (an object or an array of them), in this thread; prints each one's training time
 * and weights, and the descriptions' (and known items') s@1 / s@10 / MRR@10 per split without the
 * ranker and with each (`--boosts`: also with the score's weight multiplied). `--scifact` adds
 * SciFact train nDCG@10 with rankers trained on SciFact's own corpus. Tune on `tune` only.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      training: { type: 'string' },
      splits: { type: 'string' },
      scifact: { type: 'boolean' },
      boosts: { type: 'string' },
    },
  });
  const changes = (values.training ? JSON.parse(values.training) : [{}]) as Partial<RankerTraining>[];
  const splits = (values.splits ?? 'tune,heldout,known-tune').split(',');
  const { library, dir } = await openRealCorpus(silentLogger);
  const index = DocumentIndex.restore(readIndexSnapshot(readFileSync(snapshotFile(dir))).saved);
  let started = performance.now();
  const model = trainTranslation(index.signalCorpus());
  console.log(`translation: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  index.useSignal(model);
  const trained: Float64Array[] = [];
  for (const change of [changes].flat()) {
    const training: RankerTraining = { ...RANKER_TRAINING, ...change };
    started = performance.now();
    const weights = trainRanker(index.rankerCorpus(), training);
    trained.push(weights);
    console.log(
      `ranker ${trained.length}: ${((performance.now() - started) / 1000).toFixed(1)} s, ${JSON.stringify(change)}`,
    );
    console.log(RANKER_FEATURES.map((name, f) => `${name} ${(weights[f] as number).toFixed(3)}`).join('  '));
  }

  const rows = [
    readFileSync(`${EVAL}descriptions.jsonl`, 'utf8'),
    splits.includes('fresh') ? readFileSync(`${EVAL}descriptions-fresh.jsonl`, 'utf8') : '',
    ...readFileSync(`${EVAL}known-items.jsonl`, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => line.replace('"split":"', '"split":"known-')),
  ]
    .join('\n')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Row);
  const targets = new Map<string, string>();
  for (const row of rows)
    targets.set(row.arxivId, (await library.getByArxivId(row.arxivId))?.id ?? row.arxivId);
  await library.close();

  const variants: Record<string, Partial<Ranking['signal']>> = { 'without ranker': { ranker: false } };
  const boosts = values.boosts ? values.boosts.split(',').map(Number) : [1];
  trained.forEach((weights, i) => {
    for (const boost of boosts)
      variants[`ranker ${i + 1}${boost === 1 ? '' : `, score x${boost}`}`] = {
        ranker: true,
        rankerWeights: [...weights].map((w, f) => (f === 0 ? w * boost : w)),
      };
  });
  for (const [name, signal] of Object.entries(variants)) {
    index.rankWith(withRanking(RANKING, { signal }));
    const line: string[] = [];
    for (const split of splits) {
      let s1 = 0;
      let s10 = 0;
      let mrr = 0;
      const of = rows.filter((row) => row.split === split);
      for (const row of of) {
        const query =
          row.style === 'mention'
            ? parseQuery(questionOf(row.query.replace(/^@paperbot\b/i, '<@UPAPERBOT>'))).query
            : (() => {
                const command = parsePaperCommand(row.query);
                return command.kind === 'search' ? command.query : undefined;
              })();
        if (!query) continue;
        const { hits } = index.search({ query, limit: 10 });
        const at = hits.findIndex((hit) => hit.id === targets.get(row.arxivId));
        if (at === 0) s1++;
        if (at >= 0) {
          s10++;
          mrr += 1 / (at + 1);
        }
      }
      const n = of.length;
      line.push(`${split} ${(s1 / n).toFixed(3)} ${(s10 / n).toFixed(3)} ${(mrr / n).toFixed(3)}`);
    }
    console.log(`${name.padEnd(26)} ${line.join('  |  ')}`);
  }
  if (values.scifact) scifact(changes, boosts);
}

/** SciFact train nDCG@10 with a ranker trained on its own corpus by each training, and without. */
function scifact(changes: Partial<RankerTraining>[], boosts: number[]): void {
  const lines = (file: string) => readFileSync(`${SCIFACT}${file}`, 'utf8').split('\n').filter(Boolean);
  const docs = lines('corpus.jsonl').map(
    (line) => JSON.parse(line) as { _id: string; title: string; text: string },
  );
  const index = DocumentIndex.build(
    docs.map((doc) => ({
      id: doc._id,
      title: doc.title,
      abstract: doc.text,
      authors: [],
      keywords: [],
      arrivedAt: '2026-01-01T00:00:00.000Z',
      hasCode: false,
    })),
  );
  const queries = new Map(
    lines('queries.jsonl').map((line) => {
      const q = JSON.parse(line) as { _id: string; text: string };
      return [q._id, q.text];
    }),
  );
  const qrels = new Map<string, Set<string>>();
  for (const line of lines('qrels/train.tsv').slice(1)) {
    const [query, doc, score] = line.split('\t');
    if (!query || !doc || Number(score) <= 0) continue;
    qrels.set(query, (qrels.get(query) ?? new Set()).add(doc));
  }
  const model = trainTranslation(index.signalCorpus());
  index.useSignal(model);
  const ndcg = () => {
    let sum = 0;
    for (const [id, relevant] of qrels) {
      const command = parsePaperCommand(queries.get(id) ?? '');
      if (command.kind !== 'search') continue;
      const { hits } = index.search({ query: command.query, limit: 10 });
      let dcg = 0;
      hits.forEach((hit, i) => {
        if (relevant.has(hit.id)) dcg += 1 / Math.log2(i + 2);
      });
      let ideal = 0;
      for (let i = 0; i < Math.min(10, relevant.size); i++) ideal += 1 / Math.log2(i + 2);
      sum += dcg / ideal;
    }
    return (sum / qrels.size).toFixed(3);
  };
  index.rankWith(withRanking(RANKING, { signal: { ranker: false } }));
  const out = [`scifact train nDCG@10: without ranker ${ndcg()}`];
  changes.forEach((change, i) => {
    const weights = trainRanker(index.rankerCorpus(), { ...RANKER_TRAINING, ...change });
    for (const boost of boosts) {
      const rankerWeights = [...weights].map((w, f) => (f === 0 ? w * boost : w));
      index.rankWith(withRanking(RANKING, { signal: { rankerWeights } }));
      out.push(`ranker ${i + 1} x${boost} ${ndcg()}`);
    }
  });
  console.log(out.join('  |  '));
}

await main();
