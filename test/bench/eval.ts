import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { questionOf } from '../../src/bot/mention.js';
import { parsePaperCommand } from '../../src/bot/paperCommand.js';
import { Library } from '../../src/library.js';
import { silentLogger } from '../../src/logger.js';
import type { Paper } from '../../src/papers/paper.js';
import type { PaperSearch, SearchResults } from '../../src/search/paperSearch.js';
import { parseQuery } from '../../src/search/query.js';
import { RANKING, type Ranking, type RankingChange, withRanking } from '../../src/search/ranking.js';
import { LocalSearcher } from '../../src/search/searcher.js';
import { DEFAULT_STRICTNESS, STRICTNESS, type Strictness } from '../../src/subscriptions/aboutness.js';
import { type DigestLabels, type ReplayResult, replayDigests } from './digestReplay.js';
import { openRealCorpus } from './evalCorpus.js';

const SCIFACT = fileURLToPath(new URL('../../../shared/data/scifact/', import.meta.url));
const EVAL = fileURLToPath(new URL('../eval/', import.meta.url));

const readJsonl = <T>(file: string): T[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as T);

/** A query with its one relevant paper (the description and known-item sets), or none (absent). */
interface LabelledQuery {
  id: string;
  query: string;
  arxivId?: string;
  split?: 'tune' | 'heldout' | 'fresh';
  style: string;
}

const NOTHING: SearchResults = { hits: [], total: 0, strong: 0 };

/**
 * A query answered as the bot answers it: a `mention` ("@paperbot any work on …?", which Slack
 * delivers as `<@U…> any work on …?`) as a mention, anything else as `/paper <text>`.
 */
async function answer(index: PaperSearch, row: LabelledQuery, limit: number): Promise<SearchResults> {
  if (row.style === 'mention') {
    const question = questionOf(row.query.replace(/^@paperbot\b/i, '<@UPAPERBOT>'));
    return index.search(parseQuery(question).query, { limit });
  }
  const command = parsePaperCommand(row.query);
  return command.kind === 'search' ? index.search(command.query, { limit }) : NOTHING;
}

const fixed = (value: number) => value.toFixed(3);
const percent = (part: number, whole: number) => `${whole ? Math.round((100 * part) / whole) : 0}%`;

/** Off while variants are compared: one line per variant instead. */
let verbose = true;
const say = (line: string) => {
  if (verbose) console.log(line);
};

/** What one labelled query came to: the target's rank (1-10) and whether it cleared the floor. */
interface Outcome {
  rank?: number;
  strongTarget: boolean;
  noStrong: boolean;
}

type Figures = Record<string, number>;

/** success@1, success@10 and MRR@10 of one relevant paper per query, and the floor's effect. */
function successLine(name: string, split: string, outcomes: Outcome[]): Figures {
  const n = outcomes.length;
  const at = (k: number) => outcomes.filter(({ rank }) => rank !== undefined && rank <= k).length / n;
  const mrr = outcomes.reduce((sum, { rank }) => sum + (rank !== undefined ? 1 / rank : 0), 0) / n;
  const found = outcomes.filter(({ rank }) => rank !== undefined);
  const result = {
    queries: n,
    s1: at(1),
    s10: at(10),
    mrr10: mrr,
    noStrong: outcomes.filter((o) => o.noStrong).length,
    weakTarget: found.filter((o) => !o.strongTarget).length,
  };
  say(
    `${name.padEnd(13)} ${split.padEnd(8)} ${String(n).padStart(4)} queries  s@1 ${fixed(result.s1)}  s@10 ${fixed(result.s10)}  mrr@10 ${fixed(result.mrr10)}  "no strong match" ${result.noStrong}, found but weak ${result.weakTarget} of ${found.length}`,
  );
  return result;
}

/**
 * Runs a labelled set over the 85k corpus; with `misses`, lists the tune queries that missed rank 1;
 * with `styles`, adds a line per query style.
 */
async function runLabelled(
  name: string,
  rows: LabelledQuery[],
  index: PaperSearch,
  { misses, styles }: { misses: boolean; styles: boolean },
): Promise<Record<string, Figures>> {
  const results: Record<string, Figures> = {};
  const splits = (['tune', 'heldout', 'fresh'] as const).filter((split) =>
    rows.some((r) => r.split === split),
  );
  for (const split of splits) {
    const outcomes: Outcome[] = [];
    const byStyle = new Map<string, Outcome[]>();
    for (const row of rows.filter((r) => r.split === split)) {
      const found = await answer(index, row, 10);
      const target = (await index.getByArxivId(row.arxivId ?? ''))?.id ?? row.arxivId;
      const at = found.hits.findIndex((hit) => hit.paper.id === target);
      const outcome = {
        ...(at === -1 ? {} : { rank: at + 1 }),
        strongTarget: at !== -1 && at < found.strong,
        noStrong: found.strong === 0,
      };
      outcomes.push(outcome);
      byStyle.set(row.style, [...(byStyle.get(row.style) ?? []), outcome]);
      if (misses && split === 'tune' && at !== 0) {
        const top = found.hits[0]?.paper.title ?? '(nothing)';
        console.log(
          `  miss ${row.id} [${row.style}] rank ${at === -1 ? '>10' : at + 1}: ${row.query}\n      top: ${top}`,
        );
      }
    }
    results[split] = successLine(name, split, outcomes);
    if (styles)
      for (const [style, of] of byStyle) results[`${split}/${style}`] = successLine(`  ${style}`, split, of);
  }
  return results;
}

/** Queries on topics the corpus lacks: how many would be answered with strong matches. */
async function runAbsent(rows: LabelledQuery[], index: PaperSearch, misses: boolean): Promise<Figures> {
  let strong = 0;
  for (const row of rows) {
    const found = await answer(index, row, 3);
    if (found.strong === 0) continue;
    strong++;
    if (misses) console.log(`  strong ${row.id}: ${row.query}\n      top: ${found.hits[0]?.paper.title}`);
  }
  say(
    `${'absent'.padEnd(13)} ${'all'.padEnd(8)} ${String(rows.length).padStart(4)} queries  answered with strong matches ${strong} (${percent(strong, rows.length)})`,
  );
  return { queries: rows.length, strong };
}

/**
 * The digest replay's line per split, for the default strictness (`tune`, `heldout`) and each
 * other one (`broad/tune`, …).
 */
function digestLines(
  byStrictness: Partial<Record<Strictness, Record<'tune' | 'heldout', ReplayResult>>>,
): Record<string, Figures> {
  const figures: Record<string, Figures> = {};
  for (const strictness of STRICTNESS) {
    const results = byStrictness[strictness];
    if (!results) continue;
    for (const split of ['tune', 'heldout'] as const) {
      const r = results[split];
      say(
        `${`digests ${strictness}`.padEnd(15)} ${split.padEnd(8)} ${String(r.topics).padStart(4)} topics   precision ${fixed(r.precision)}  recall ${fixed(r.recall)}  (${r.hits} relevant of ${r.posted} posted; ${r.relevant} relevant in the window)`,
      );
      figures[strictness === DEFAULT_STRICTNESS ? split : `${strictness}/${split}`] = r as unknown as Figures;
    }
  }
  return figures;
}

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
function scifactScores(ids: string[], relevant: Set<string>) {
  let dcg = 0;
  let mrr = 0;
  ids.slice(0, 10).forEach((doc, i) => {
    if (!relevant.has(doc)) return;
    dcg += 1 / Math.log2(i + 2);
    if (mrr === 0) mrr = 1 / (i + 1);
  });
  let idcg = 0;
  for (let i = 0; i < Math.min(10, relevant.size); i++) idcg += 1 / Math.log2(i + 2);
  const found = ids.slice(0, 100).filter((doc) => relevant.has(doc)).length;
  return { ndcg: dcg / idcg, recall: found / relevant.size, mrr };
}

/** SciFact (BEIR): 5,183 abstracts, indexed once; the claims are `/paper` queries. */
async function scifactIndex(): Promise<{ index: Library; queries: Map<string, string> }> {
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
  const queries = new Map(
    readJsonl<{ _id: string; text: string }>(`${SCIFACT}queries.jsonl`).map((q) => [q._id, q.text]),
  );
  const searcher = new LocalSearcher();
  const index = await Library.inMemory(papers, { searcher });
  searcher.trainSignal();
  return { index, queries };
}

async function runScifact({
  index,
  queries,
}: Awaited<ReturnType<typeof scifactIndex>>): Promise<Record<string, Figures>> {
  const results: Record<string, Figures> = {};
  for (const split of ['train', 'test'] as const) {
    const qrels = readQrels(split);
    const totals = { ndcg: 0, recall: 0, mrr: 0 };
    for (const [queryId, relevant] of qrels) {
      const found = await answer(
        index,
        { id: queryId, query: queries.get(queryId) ?? '', style: 'claim' },
        100,
      );
      const s = scifactScores(
        found.hits.map((hit) => hit.paper.id),
        relevant,
      );
      totals.ndcg += s.ndcg;
      totals.recall += s.recall;
      totals.mrr += s.mrr;
    }
    const n = qrels.size;
    const result = {
      queries: n,
      ndcg10: totals.ndcg / n,
      recall100: totals.recall / n,
      mrr10: totals.mrr / n,
    };
    say(
      `${'scifact'.padEnd(13)} ${split.padEnd(8)} ${String(n).padStart(4)} queries  ndcg@10 ${fixed(result.ndcg10)}  recall@100 ${fixed(result.recall100)}  mrr@10 ${fixed(result.mrr10)}`,
    );
    results[split] = result;
  }
  return results;
}

const SETS = ['descriptions', 'descriptions-fresh', 'known-items', 'absent', 'digests', 'scifact'] as const;
type SetName = (typeof SETS)[number];
type Results = Partial<Record<SetName, Record<string, Figures>>>;

/** One table row per variant: every set's headline figures. */
function variantLine(name: string, results: Results): string {
  const d = (split: string) => {
    const r = results.descriptions?.[split];
    return r ? `${fixed(r.s1 as number)} ${fixed(r.s10 as number)} ${fixed(r.mrr10 as number)}` : '-';
  };
  const k = (split: string) => {
    const r = results['known-items']?.[split];
    return r ? fixed(r.s1 as number) : '-';
  };
  const f = (split: string) => {
    const r = results.scifact?.[split];
    return r ? fixed(r.ndcg10 as number) : '-';
  };
  const weak = (split: string) => {
    const dr = results.descriptions?.[split];
    const kr = results['known-items']?.[split];
    return dr && kr ? `${dr.noStrong}+${kr.noStrong}` : '-';
  };
  const absent = results.absent?.all ? String(results.absent.all.strong) : '-';
  const g = (split: string) => {
    const r = results.digests?.[split];
    return r ? `${fixed(r.precision as number)} ${fixed(r.recall as number)}` : '-';
  };
  const fresh = results['descriptions-fresh']?.fresh;
  const fr = fresh
    ? `${fixed(fresh.s1 as number)} ${fixed(fresh.s10 as number)} ${fixed(fresh.mrr10 as number)}`
    : '-';
  return `| ${name} | ${d('tune')} | ${d('heldout')} | ${fr} | ${k('tune')} | ${k('heldout')} | ${f('train')} | ${f('test')} | ${absent} | ${weak('tune')} | ${weak('heldout')} | ${g('tune')} | ${g('heldout')} |`;
}

/**
 * `npm run eval [-- --sets descriptions,descriptions-fresh,known-items,absent,digests,scifact] [--misses] [--styles]
 * [--json FILE] [--ranking JSON | --variants FILE]`: search quality through the bot's own
 * PaperSearch (the Library) and its `/paper` and mention query parsing, over the 85k real corpus (cached under
 * `.cache/` after the first run) and SciFact. Tune on `tune` (and SciFact `train`), report `heldout`
 * (and `test`); see test/eval/README.md for the sets.
 *
 * `--misses` lists the tune queries not found at rank 1 (and the absent ones answered as strong);
 * `--styles` adds a line per query style; `--ranking` changes ranking parameters for one run (e.g.
 * `'{"floor":0.6}'`, see src/search/ranking.ts); `--variants` takes a JSON file of name → such
 * changes and prints one table row per variant.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sets: { type: 'string' },
      misses: { type: 'boolean' },
      styles: { type: 'boolean' },
      json: { type: 'string' },
      ranking: { type: 'string' },
      variants: { type: 'string' },
    },
  });
  const variants: Record<string, RankingChange> = values.variants
    ? (JSON.parse(readFileSync(values.variants, 'utf8')) as Record<string, RankingChange>)
    : {
        [values.ranking ? 'variant' : 'shipped']: values.ranking
          ? (JSON.parse(values.ranking) as RankingChange)
          : {},
      };
  verbose = !values.variants;
  if (values.ranking) console.log(`ranking: ${JSON.stringify(withRanking(RANKING, variants.variant ?? {}))}`);
  const sets = (values.sets ? values.sets.split(',').map((s) => s.trim()) : [...SETS]) as SetName[];
  for (const set of sets)
    if (!SETS.includes(set)) throw new Error(`unknown set ${set}; sets are ${SETS.join(', ')}`);
  const started = performance.now();
  const real = sets.some((set) => set !== 'scifact') ? await openRealCorpus(silentLogger) : undefined;
  if (real) {
    const { library, seconds, cached } = real;
    const learning = performance.now();
    await library.refreshSignal();
    console.log(`learnt signal ready in ${((performance.now() - learning) / 1000).toFixed(1)} s`);
    console.log(
      `85k corpus: ${library.size.toLocaleString('en-US')} papers, ${cached ? 'cached' : 'built and cached'} in ${seconds.toFixed(1)} s`,
    );
  }
  const scifact = sets.includes('scifact') ? await scifactIndex() : undefined;
  const labels = JSON.parse(readFileSync(`${EVAL}digest-labels.json`, 'utf8')) as DigestLabels;
  if (!verbose) {
    console.log(
      '| variant | descriptions tune s@1 s@10 MRR | held out | fresh (never tuned on) | known items tune s@1 | held out | SciFact train nDCG@10 | test | absent with strong hits | no strong match, descriptions+known, tune | held out | digests tune P R | held out |',
    );
    console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  }
  const all: Record<string, Results> = {};
  for (const [name, change] of Object.entries(variants)) {
    const ranking: Ranking = withRanking(RANKING, change);
    const results: Results = {};
    for (const set of sets) {
      if (set === 'scifact' && scifact) {
        await scifact.index.rankWith(ranking);
        results.scifact = await runScifact(scifact);
        continue;
      }
      if (!real) continue;
      const { library, dir } = real;
      await library.rankWith(ranking);
      if (set === 'digests') {
        const replays: Partial<Record<Strictness, Record<'tune' | 'heldout', ReplayResult>>> = {};
        for (const strictness of STRICTNESS)
          replays[strictness] = await replayDigests(
            labels,
            library,
            dir,
            (index) => index.rankWith(ranking),
            strictness,
          );
        results.digests = digestLines(replays);
        continue;
      }
      const file = `${EVAL}${set}.jsonl`;
      if (!existsSync(file)) {
        say(`${set.padEnd(13)} (no ${file})`);
        continue;
      }
      const rows = readJsonl<LabelledQuery>(file);
      if (set === 'absent') results.absent = { all: await runAbsent(rows, library, values.misses ?? false) };
      else
        results[set] = await runLabelled(set, rows, library, {
          misses: values.misses ?? false,
          styles: values.styles ?? false,
        });
    }
    if (!verbose) console.log(variantLine(name, results));
    all[name] = results;
  }
  console.log(`eval took ${((performance.now() - started) / 1000).toFixed(1)} s`);
  if (values.json)
    writeFileSync(values.json, `${JSON.stringify(values.variants ? all : Object.values(all)[0], null, 2)}\n`);
}

await main();
