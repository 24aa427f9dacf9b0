import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../../src/logger.js';
import { parseQuery } from '../../src/search/query.js';
import { termsOf } from '../../src/search/text.js';
import { TopicJudge } from '../../src/subscriptions/aboutness.js';
import { ARRIVAL_MARGIN_MS } from '../../src/subscriptions/digest.js';
import { type DigestLabels, indexBeforeWindow, topicSplit, windowArrivals } from './digestReplay.js';
import { CACHE_DIR, openRealCorpus } from './evalCorpus.js';

const EVAL = fileURLToPath(new URL('../eval/', import.meta.url));
/** The window's candidates with the learnt signal's view of each, computed once (delete after changing the ranking or the signal). */
const DUMP = join(CACHE_DIR, 'aboutness-cv.json');

interface Candidate {
  id: string;
  title: string;
  abstract: string;
  day: string;
  match: number;
  signal: number;
  relevant: boolean;
}
interface Topic {
  topic: string;
  split: string;
  relevant: number;
  termWeights: Record<string, number>;
  related: { term: string; weight: number }[];
  candidates: Candidate[];
}

async function dump(): Promise<Topic[]> {
  if (existsSync(DUMP)) return JSON.parse(readFileSync(DUMP, 'utf8')) as Topic[];
  const labels = JSON.parse(readFileSync(`${EVAL}digest-labels.json`, 'utf8')) as DigestLabels;
  const { library, dir } = await openRealCorpus(silentLogger);
  const index = await indexBeforeWindow(join(dir, 'digest-replay'), library, labels);
  const arrivals = windowArrivals(labels);
  for (const day of labels.window.days) await index.ingest({ papers: arrivals.get(day) ?? [], skipped: [] });
  const start = Date.parse(`${labels.window.days[0]}T09:00:00Z`) - 86_400_000;
  const topics: Topic[] = [];
  for (const [i, { topic, relevant }] of labels.topics.entries()) {
    const results = await index.search(parseQuery(topic).query, {
      limit: 2000,
      arrivedAfter: new Date(start - ARRIVAL_MARGIN_MS).toISOString(),
    });
    const floor = results.floor ?? 1;
    const ids = new Set(relevant);
    const signal = await index.signalScores(
      topic,
      results.hits.map((hit) => hit.paper.id),
    );
    topics.push({
      topic,
      split: topicSplit(i),
      relevant: relevant.length,
      termWeights: results.termWeights ?? {},
      related: await index.relatedTerms(topic, 200),
      candidates: results.hits.map((hit, h) => ({
        id: hit.paper.id,
        title: hit.paper.title,
        abstract: hit.paper.abstract,
        day: hit.paper.arrivedAt.slice(0, 10),
        match: hit.score / floor,
        signal: signal[h] ?? 0,
        relevant: ids.has(hit.paper.id),
      })),
    });
  }
  await index.close();
  await library.close();
  writeFileSync(DUMP, JSON.stringify(topics));
  return topics;
}

const topics = await dump();

// ---------------------------------------------------------------- features

const SENTENCE_END = /(?<=[.!?])\s+(?=[A-Z0-9"(])/;
const CONTRIBUTION =
  /\b(?:we|this (?:paper|work|study)|here)\b[^.]{0,40}?\b(?:propose|introduce|present|develop|design|build|construct|release|contribute|curate|formulate)\w*/i;

const WEIGHTING = process.env.WEIGHTING ?? 'idf';
/** The topic terms' weights: the search's idf, or how rare each is among the topic's candidates. */
function candidateWeights(t: Topic, terms: string[]): Record<string, number> {
  if (WEIGHTING === 'idf') return t.termWeights;
  const sets = t.candidates.map((c) => new Set([...termsOf(c.title), ...termsOf(c.abstract)]));
  const n = sets.length;
  const out: Record<string, number> = {};
  for (const term of terms) {
    const df = sets.filter((set) => set.has(term)).length;
    const local = Math.log((n + 1) / (df + 0.5));
    const idf = t.termWeights[term] ?? 1;
    out[term] = WEIGHTING === 'local' ? local : WEIGHTING === 'product' ? idf * local : idf + local;
  }
  return out;
}

type Row = { x: number[]; y: boolean; topic: number; match: number };
const FEATURE_NAMES: string[] = [];
function features(): Row[] {
  const rows: Row[] = [];
  topics.forEach((t, ti) => {
    const topicTerms = [...new Set(termsOf(t.topic))];
    const weights = candidateWeights(t, topicTerms);
    const judge = new TopicJudge(t.topic, weights);
    const w = (term: string) => weights[term] ?? 1;
    const wTotal = topicTerms.reduce((s, term) => s + w(term), 0) || 1;
    const related = new Map(t.related.map((r) => [r.term, r.weight]));
    const top20 = new Set(t.related.slice(0, 20).map((r) => r.term));
    const top50 = new Set(t.related.slice(0, 50).map((r) => r.term));
    const own = new Set(topicTerms);
    // The day's best match, for the match relative to the day's others.
    const bestOfDay = new Map<string, number>();
    for (const c of t.candidates) bestOfDay.set(c.day, Math.max(bestOfDay.get(c.day) ?? 0, c.match));
    const rankOfDay = new Map<string, number>();
    const seen = new Map<string, number>();
    for (const c of t.candidates) {
      const r = (seen.get(c.day) ?? 0) + 1;
      seen.set(c.day, r);
      rankOfDay.set(c.id, r);
    }
    for (const c of t.candidates) {
      const { evidence: e } = judge.judge(c, c.match);
      const sentences = c.abstract.split(SENTENCE_END).filter((s) => s.trim().length > 0);
      const termsBySentence = sentences.map((s) => new Set(termsOf(s)));
      const shareIn = (set: Set<string>) =>
        topicTerms.reduce((s, term) => s + (set.has(term) ? w(term) : 0), 0) / wTotal;
      const first = termsBySentence[0] ? shareIn(termsBySentence[0]) : 0;
      let contrib = 0;
      let hasContrib = 0;
      sentences.forEach((s, i) => {
        if (!CONTRIBUTION.test(s)) return;
        hasContrib = 1;
        contrib = Math.max(contrib, shareIn(termsBySentence[i] as Set<string>));
      });
      const full = termsBySentence.filter((set) => shareIn(set) >= 0.99).length;
      const all = [...termsOf(c.title), ...termsOf(c.abstract)];
      const content = all.filter((term) => !own.has(term));
      const n = content.length || 1;
      let relW = 0;
      let rel20 = 0;
      let rel50 = 0;
      for (const term of content) {
        relW += related.get(term) ?? 0;
        if (top20.has(term)) rel20++;
        if (top50.has(term)) rel50++;
      }
      const distinct = new Set(content);
      let relDistinct = 0;
      for (const term of distinct) if (top50.has(term)) relDistinct++;
      const x = [
        Number(e.phraseInTitle),
        Number(e.phrase),
        e.title,
        e.opening,
        e.sentences.of ? e.sentences.about / e.sentences.of : 0,
        e.spread,
        Number(e.every),
        Number(e.onlyInLists),
        Math.log(Math.max(c.match, 0.05)),
        // new
        c.signal, // 9
        rel20 / n, // 10
        rel50 / n, // 11
        relW, // 12 (sum of weights of related words used, many times)
        relDistinct / 50, // 13
        first, // 14
        contrib, // 15
        hasContrib, // 16
        sentences.length ? full / sentences.length : 0, // 17
        Math.log1p(full), // 18
        Math.log(c.match / (bestOfDay.get(c.day) as number)), // 19
        1 / (rankOfDay.get(c.id) as number), // 20
        topicTerms.length > 1 ? Number(e.phrase) : 0, // 21 multi-word phrase
      ];
      rows.push({ x, y: c.relevant, topic: ti, match: c.match });
    }
  });
  return rows;
}
FEATURE_NAMES.push(
  'phraseInTitle',
  'phrase',
  'title',
  'opening',
  'sentences',
  'spread',
  'every',
  'onlyInLists',
  'match',
  'signal',
  'rel20',
  'rel50',
  'relW',
  'relDistinct',
  'first',
  'contrib',
  'hasContrib',
  'fullShare',
  'fullLog',
  'dayRel',
  'dayRank',
  'multiPhrase',
);
const rows = features();
const BASE = [0, 1, 2, 3, 4, 5, 6, 7, 8];

// ---------------------------------------------------------------- logistic regression

/** Class-balanced L2 logistic regression by gradient descent on standardised features. */
function fit(train: Row[], cols: number[], l2 = 1e-3, iterations = 400) {
  const k = cols.length;
  const mean = new Array<number>(k).fill(0);
  const sd = new Array<number>(k).fill(0);
  for (const r of train) cols.forEach((c, j) => (mean[j] += (r.x[c] as number) / train.length));
  for (const r of train) cols.forEach((c, j) => (sd[j] += ((r.x[c] as number) - mean[j]!) ** 2 / train.length));
  for (let j = 0; j < k; j++) sd[j] = Math.sqrt(sd[j]!) || 1;
  const xs = train.map((r) => cols.map((c, j) => ((r.x[c] as number) - mean[j]!) / sd[j]!));
  const pos = train.filter((r) => r.y).length;
  const neg = train.length - pos;
  const weightOf = (y: boolean) => (y ? train.length / (2 * pos) : train.length / (2 * neg));
  const w = new Array<number>(k).fill(0);
  let b = 0;
  // Newton would be nicer; Adam-like plain GD is enough at this size.
  const lr = 0.5;
  for (let it = 0; it < iterations; it++) {
    const g = new Array<number>(k).fill(0);
    let gb = 0;
    xs.forEach((x, i) => {
      const row = train[i] as Row;
      let z = b;
      for (let j = 0; j < k; j++) z += w[j]! * x[j]!;
      const p = 1 / (1 + Math.exp(-z));
      const err = (p - Number(row.y)) * weightOf(row.y);
      for (let j = 0; j < k; j++) g[j] += err * x[j]!;
      gb += err;
    });
    for (let j = 0; j < k; j++) w[j] -= lr * (g[j]! / train.length + l2 * w[j]!);
    b -= (lr * gb) / train.length;
  }
  const raw = cols.map((_, j) => w[j]! / sd[j]!);
  const bias = b - cols.reduce((sum, _, j) => sum + raw[j]! * mean[j]!, 0);
  const model = (x: number[]) => {
    let z = bias;
    cols.forEach((c, j) => (z += raw[j]! * (x[c] as number)));
    return z;
  };
  return Object.assign(model, { raw, bias });
}

/** Out-of-fold scores of the tune rows: each tune topic scored by a model fit on the other tune topics. */
function outOfFold(cols: number[]): Map<Row, number> {
  const scores = new Map<Row, number>();
  const tune = rows.filter((r) => topics[r.topic]!.split === 'tune');
  const tuneTopics = [...new Set(tune.map((r) => r.topic))];
  for (const t of tuneTopics) {
    const model = fit(
      tune.filter((r) => r.topic !== t),
      cols,
    );
    for (const r of tune) if (r.topic === t) scores.set(r, model(r.x));
  }
  return scores;
}

function prAt(list: Row[], score: (r: Row) => number, mark: number, split: string) {
  let posted = 0;
  let hits = 0;
  const relevant = topics.filter((t) => t.split === split).reduce((s, t) => s + t.relevant, 0);
  for (const r of list)
    if (score(r) >= mark) {
      posted++;
      if (r.y) hits++;
    }
  return { p: posted ? hits / posted : 1, r: hits / relevant, posted };
}

/** Best precision at recall >= `recall` (pooled), and its mark. */
function bestAt(list: Row[], score: (r: Row) => number, split: string, recall: number) {
  const marks = [...new Set(list.map(score))].sort((a, b) => b - a);
  let best = { mark: Number.POSITIVE_INFINITY, p: 0, r: 0 };
  for (const mark of marks) {
    const got = prAt(list, score, mark, split);
    if (got.r >= recall && got.p > best.p) best = { mark, ...got };
    if (got.r >= recall + 0.1) break;
  }
  return best;
}

const tuneRows = rows.filter((r) => topics[r.topic]!.split === 'tune');
const heldRows = rows.filter((r) => topics[r.topic]!.split === 'heldout');
const relevantTune = topics.filter((t) => t.split === 'tune').reduce((s, t) => s + t.relevant, 0);
const found = tuneRows.filter((r) => r.y).length;
console.log(`${rows.length} candidates; tune relevant ${relevantTune}, found ${found}`);

function cv(name: string, cols: number[], showHeld = false): number {
  const oof = outOfFold(cols);
  const b75 = bestAt(tuneRows, (r) => oof.get(r) as number, 'tune', 0.75);
  const b85 = bestAt(tuneRows, (r) => oof.get(r) as number, 'tune', 0.85);
  let line = `${name.padEnd(44)} CV tune P@R.75 ${b75.p.toFixed(3)} (R ${b75.r.toFixed(3)})  P@R.85 ${b85.p.toFixed(3)}`;
  if (showHeld) {
    const model = fit(tuneRows, cols);
    const full = new Map(tuneRows.map((r) => [r, model(r.x)]));
    const m75 = bestAt(tuneRows, (r) => full.get(r) as number, 'tune', 0.75);
    const h = prAt(heldRows, (r) => model(r.x), m75.mark, 'heldout');
    line += ` | heldout at tune's R.75 mark: P ${h.p.toFixed(3)} R ${h.r.toFixed(3)}`;
  }
  console.log(line);
  return b75.p;
}

const mode = process.argv[2] ?? 'select';
if (mode === 'select') {
  const base = cv('base (shipped features, refit)', BASE);
  const shippedScore = (r: Row) => {
    const x = r.x;
    return (
      -0.02 - 0.26 * x[0]! + 0.7 * x[1]! + 0.9 * x[2]! + 0.35 * x[3]! + 0.38 * x[4]! + 0.43 * x[5]! +
      0.41 * x[6]! - 0.23 * x[7]! + 2.3 * x[8]!
    );
  };
  const s = bestAt(tuneRows, shippedScore, 'tune', 0.75);
  console.log(`shipped weights: tune P@R.75 ${s.p.toFixed(3)} R ${s.r.toFixed(3)} mark ${s.mark.toFixed(2)}; at mark 2: tune ${JSON.stringify(prAt(tuneRows, shippedScore, 2, 'tune'))}`);
  for (let f = 9; f < FEATURE_NAMES.length; f++) {
    const p = cv(`base + ${FEATURE_NAMES[f]}`, [...BASE, f]);
    console.log(`   delta ${(p - base).toFixed(3)}`);
  }
} else if (mode === 'forward') {
  let chosen = [...BASE];
  let best = cv('base', chosen);
  for (;;) {
    let pick = -1;
    let pickP = best;
    for (let f = 9; f < FEATURE_NAMES.length; f++) {
      if (chosen.includes(f)) continue;
      const p = cv(`+ ${FEATURE_NAMES[f]}`, [...chosen, f]);
      if (p > pickP + 0.005) {
        pick = f;
        pickP = p;
      }
    }
    if (pick < 0) break;
    chosen = [...chosen, pick];
    best = pickP;
    console.log(`CHOSE ${FEATURE_NAMES[pick]} -> ${best.toFixed(3)}: ${chosen.map((c) => FEATURE_NAMES[c]).join(', ')}`);
  }
} else if (mode === 'eval') {
  const cols = (process.argv[3] ?? '').split(',').map((name) => FEATURE_NAMES.indexOf(name));
  cv(process.argv[3] ?? '', cols, true);
}
if (mode === 'errors') {
  const shipped = (r: Row) => {
    const x = r.x;
    return -0.02 - 0.26 * x[0]! + 0.7 * x[1]! + 0.9 * x[2]! + 0.35 * x[3]! + 0.38 * x[4]! + 0.43 * x[5]! + 0.41 * x[6]! - 0.23 * x[7]! + 2.3 * x[8]!;
  };
  const mark = Number(process.argv[3] ?? 1.16);
  topics.forEach((t, ti) => {
    if (t.split !== 'tune') return;
    const mine = rows.filter((r) => r.topic === ti);
    const posted = mine.filter((r) => shipped(r) >= mark);
    const tp = posted.filter((r) => r.y).length;
    console.log(`\n## ${t.topic}: posted ${posted.length}, relevant ${tp}/${t.relevant}`);
    mine.forEach((r, i) => {
      const c = t.candidates[i] as Candidate;
      const s = shipped(r);
      if ((s >= mark) !== r.y) console.log(`  ${r.y ? 'MISS' : 'FP  '} ${s.toFixed(2)} m${r.x[8]!.toFixed(2)} sig${r.x[9]!.toFixed(2)} ${c.title.slice(0, 110)}`);
    });
  });
}
if (mode === 'topic') {
  const ti = topics.findIndex((t) => t.topic === process.argv[3]);
  const mine = rows.filter((r) => r.topic === ti);
  const t = topics[ti]!;
  mine
    .map((r, i) => ({ r, c: t.candidates[i] as Candidate }))
    .filter(({ r }) => r.x[8]! > -0.3 || r.y)
    .forEach(({ r, c }) =>
      console.log(
        `${r.y ? 'REL' : '   '} m${r.x[8]!.toFixed(2)} ph${r.x[1]} ti${r.x[2]!.toFixed(2)} op${r.x[3]!.toFixed(2)} se${r.x[4]!.toFixed(2)} sp${r.x[5]!.toFixed(2)} ful${r.x[17]!.toFixed(2)} con${r.x[15]!.toFixed(2)} r50 ${r.x[11]!.toFixed(3)} ${c.title.slice(0, 80)}`,
      ),
    );
}
if (mode === 'cv') {
  for (const list of process.argv.slice(3)) {
    const cols = list === 'base' ? BASE : [...BASE, ...list.split(',').map((name) => FEATURE_NAMES.indexOf(name))];
    cv(list, cols);
  }
}

if (mode === 'fit') {
  const cols = [...BASE, ...(process.argv[3] ? process.argv[3].split(',').map((name) => FEATURE_NAMES.indexOf(name)) : [])];
  const oof = outOfFold(cols);
  const score = (r: Row) => oof.get(r) as number;
  let f1 = { mark: 0, f: 0, p: 0, r: 0 };
  for (const mark of [...new Set(tuneRows.map(score))]) {
    const got = prAt(tuneRows, score, mark, 'tune');
    const f = (2 * got.p * got.r) / (got.p + got.r || 1);
    if (f > f1.f) f1 = { mark, f, p: got.p, r: got.r };
  }
  const b75 = bestAt(tuneRows, score, 'tune', 0.75);
  console.log(`CV: best F1 mark ${f1.mark.toFixed(3)} P ${f1.p.toFixed(3)} R ${f1.r.toFixed(3)}; R>=.75 mark ${b75.mark.toFixed(3)} P ${b75.p.toFixed(3)} R ${b75.r.toFixed(3)}`);
  const model = fit(tuneRows, cols);
  console.log(`bias ${model.bias.toFixed(3)}`);
  cols.forEach((c, j) => console.log(`${FEATURE_NAMES[c]}: ${model.raw[j]!.toFixed(3)}`));
  const full = (r: Row) => model(r.x);
  console.log('full model on tune at the CV marks:', JSON.stringify(prAt(tuneRows, full, f1.mark, 'tune')), JSON.stringify(prAt(tuneRows, full, b75.mark, 'tune')));
}
