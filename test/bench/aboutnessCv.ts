import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../../src/logger.js';
import { parseQuery } from '../../src/search/query.js';
import { termsOf } from '../../src/search/text.js';
import { PASS_MARK, RELATED_WORDS, TopicJudge } from '../../src/subscriptions/aboutness.js';
import { ARRIVAL_MARGIN_MS } from '../../src/subscriptions/digest.js';
import { type DigestLabels, indexBeforeWindow, topicSplit, windowArrivals } from './digestReplay.js';
import { CACHE_DIR, openRealCorpus } from './evalCorpus.js';

const EVAL = fileURLToPath(new URL('../eval/', import.meta.url));
/**
 * The window's matches of every labelled topic, with what the learnt signal says of each, computed
 * once (delete it after changing the ranking or the signal).
 */
const DUMP = join(CACHE_DIR, 'aboutness-cv.json');

interface Candidate {
  id: string;
  title: string;
  abstract: string;
  /** The day it arrived. */
  day: string;
  /** The search's score over its relevance floor. */
  match: number;
  /** `Library.signalScores` of the topic for it. */
  signal: number;
  relevant: boolean;
}

interface Topic {
  topic: string;
  split: 'tune' | 'heldout';
  relevant: number;
  termWeights: Record<string, number>;
  /** `Library.relatedTerms` of the topic, the strongest 200. */
  related: { term: string; weight: number }[];
  /** The topic's strong matches over the whole corpus, and the corpus's size. */
  corpusStrong: number;
  corpusSize: number;
  candidates: Candidate[];
}

/** Every topic's matches over the window, as the replay's index has them at its end. */
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
    const { query } = parseQuery(topic);
    const results = await index.search(query, {
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
      corpusStrong: (await index.search(query, { limit: 1 })).strong,
      corpusSize: index.size,
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

/*
 * `npm run build && node --import tsx --import ./test/bench/compiled.mjs test/bench/aboutnessCv.ts
 * [study | cv FEATURES… | fit FEATURES | shipped]`: chooses the digests' aboutness evidence and its
 * bars by leave-one-topic-out cross-validation over the tune topics of test/eval/digest-labels.json
 * (each tune topic scored by a logistic regression fit on the 19 others; precision and recall
 * pooled over the window's matches), never reading the held-out topics but in `shipped`.
 * `study`: each measured feature on top of the evidence judged before, and on top of the shipped
 * set; `cv base,related,lead`: chosen sets; `fit related,lead`: the judge's weights and
 * bars for a set; `shipped`: the shipped judge over the dump, tune and held out (close to
 * `npm run eval -- --sets digests`, which replays the window day by day with the daily limit).
 */
const topics = await dump();

const SENTENCE_END = /(?<=[.!?])\s+(?=[A-Z0-9"(])/;
/** A sentence that states the paper's contribution ("we propose …", "this paper introduces …"). */
const CONTRIBUTION =
  /\b(?:we|this (?:paper|work|study)|here)\b[^.]{0,40}?\b(?:propose|introduce|present|develop|design|build|construct|release|contribute|curate|formulate)\w*/i;

/**
 * A topic's breadth, measured and not shipped: the share of the corpus it matches strongly, drawn
 * towards the tune topics' median share as if seen over 2,000 more papers (a small corpus says
 * little). It cost a search of the whole corpus per subscription.
 */
const topicBreadth = (strong: number, size: number) => (strong + 1 + 2000 * 0.0064) / (size + 2000);

/** One candidate: its features (by name), whether it is relevant, its topic. */
interface Row {
  x: Record<string, number>;
  y: boolean;
  topic: number;
  /** The score the shipped judge gives it. */
  shipped: number;
}

/** The shipped judge's evidence, and every other feature measured for it. */
function rowsOf(): Row[] {
  const rows: Row[] = [];
  topics.forEach((t, ti) => {
    const terms = [...new Set(termsOf(t.topic))];
    const own = new Set(terms);
    const breadth = topicBreadth(t.corpusStrong, t.corpusSize);
    const judge = new TopicJudge(t.topic, t.termWeights, {
      related: t.related.slice(0, RELATED_WORDS).map(({ term }) => term),
    });
    const weight = (term: string) => t.termWeights[term] ?? 1;
    const total = terms.reduce((sum, term) => sum + weight(term), 0) || 1;
    const top = (n: number) => new Set(t.related.slice(0, n).map(({ term }) => term));
    const related = { 20: top(20), 30: top(30), 100: top(100), 200: top(200) };
    const relatedWeight = new Map(t.related.map(({ term, weight: w }) => [term, w]));
    const bestOfDay = new Map<string, number>();
    const ofDay = new Map<string, { all: number; strong: number }>();
    const rankInDay = new Map<string, number>();
    for (const c of t.candidates) {
      bestOfDay.set(c.day, Math.max(bestOfDay.get(c.day) ?? 0, c.match));
      const day = ofDay.get(c.day) ?? { all: 0, strong: 0 };
      day.all++;
      if (c.match >= 1) day.strong++;
      ofDay.set(c.day, day);
      rankInDay.set(c.id, day.all);
    }
    const windowStrong = t.candidates.filter((c) => c.match >= 1).length;
    for (const c of t.candidates) {
      const lead = c.match / (bestOfDay.get(c.day) as number);
      const { evidence: e, score } = judge.judge(c, c.match, lead);
      const sentences = c.abstract.split(SENTENCE_END).filter((s) => s.trim().length > 0);
      const sentenceTerms = sentences.map((s) => new Set(termsOf(s)));
      const topicShare = (set: Set<string>) =>
        terms.reduce((sum, term) => sum + (set.has(term) ? weight(term) : 0), 0) / total;
      let contribution = 0;
      let stated = 0;
      sentences.forEach((sentence, i) => {
        if (!CONTRIBUTION.test(sentence)) return;
        stated = 1;
        contribution = Math.max(contribution, topicShare(sentenceTerms[i] as Set<string>));
      });
      const whole = sentenceTerms.filter((set) => topicShare(set) >= 0.99).length;
      const other = [...termsOf(c.title), ...termsOf(c.abstract)].filter((term) => !own.has(term));
      const head = [...termsOf(c.title), ...termsOf(sentences.slice(0, 2).join(' '))].filter(
        (term) => !own.has(term),
      );
      const shareIn = (set: Set<string>, list: string[]) =>
        list.filter((term) => set.has(term)).length / (list.length || 1);
      const day = ofDay.get(c.day) as { all: number; strong: number };
      rows.push({
        y: c.relevant,
        topic: ti,
        shipped: score,
        x: {
          phraseInTitle: Number(e.phraseInTitle),
          phrase: Number(e.phrase),
          title: e.title,
          opening: e.opening,
          sentences: e.sentences.of ? e.sentences.about / e.sentences.of : 0,
          spread: e.spread,
          every: Number(e.every),
          onlyInLists: Number(e.onlyInLists),
          match: Math.log(Math.max(c.match, 0.05)),
          // Shipped: the related words' share (of the strongest 50), the lead over the day's best.
          related: e.related ?? 0,
          lead: Math.log(Math.max(Math.min(lead, 1), 0.01)),
          // Measured, not shipped.
          breadth: Math.log(breadth),
          signal: c.signal,
          related20: shareIn(related[20], other),
          related30: shareIn(related[30], other),
          related100: shareIn(related[100], other),
          related200: shareIn(related[200], other),
          relatedWeight: other.reduce((sum, term) => sum + (relatedWeight.get(term) ?? 0), 0),
          relatedDistinct: [...new Set(other)].filter((term) => related[200].has(term)).length / 50,
          relatedOpening: shareIn(top(RELATED_WORDS), head),
          firstSentence: sentenceTerms[0] ? topicShare(sentenceTerms[0]) : 0,
          contribution,
          stated,
          wholeShare: sentences.length ? whole / sentences.length : 0,
          wholeCount: Math.log1p(whole),
          rankInDay: 1 / (rankInDay.get(c.id) as number),
          dayStrong: Math.log1p(day.strong),
          dayAll: Math.log1p(day.all),
          windowStrong: Math.log1p(windowStrong),
          multiWordPhrase: terms.length > 1 ? Number(e.phrase) : 0,
        },
      });
    }
  });
  return rows;
}

const rows = rowsOf();
const tuneRows = rows.filter((r) => topics[r.topic]?.split === 'tune');
const heldRows = rows.filter((r) => topics[r.topic]?.split === 'heldout');
const relevantIn = (split: string) =>
  topics.filter((t) => t.split === split).reduce((sum, t) => sum + t.relevant, 0);

/** A scorer: weights by feature name and a bias. */
interface Model {
  bias: number;
  weights: Record<string, number>;
}
const scoreOf = (model: Model, row: Row) =>
  Object.entries(model.weights).reduce((z, [name, w]) => z + w * (row.x[name] as number), model.bias);

/** A class-balanced L2 logistic regression by gradient descent on standardised features. */
function fitLogistic(train: Row[], names: string[], l2 = 1e-3, iterations = 400): Model {
  const k = names.length;
  const column = (j: number) => train.map((r) => r.x[names[j] as string] as number);
  const mean = names.map((_, j) => column(j).reduce((a, b) => a + b, 0) / train.length);
  const sd = names.map(
    (_, j) =>
      Math.sqrt(column(j).reduce((a, b) => a + (b - (mean[j] as number)) ** 2, 0) / train.length) || 1,
  );
  const xs = train.map((r) =>
    names.map((name, j) => ((r.x[name] as number) - (mean[j] as number)) / (sd[j] as number)),
  );
  const positives = train.filter((r) => r.y).length;
  const balance = {
    pos: train.length / (2 * positives),
    neg: train.length / (2 * (train.length - positives)),
  };
  const w = new Array<number>(k).fill(0);
  let b = 0;
  for (let it = 0; it < iterations; it++) {
    const g = new Array<number>(k).fill(0);
    let gb = 0;
    xs.forEach((x, i) => {
      const y = (train[i] as Row).y;
      const z = x.reduce((sum, v, j) => sum + (w[j] as number) * v, b);
      const err = (1 / (1 + Math.exp(-z)) - Number(y)) * (y ? balance.pos : balance.neg);
      x.forEach((v, j) => {
        g[j] = (g[j] as number) + err * v;
      });
      gb += err;
    });
    w.forEach((wj, j) => {
      w[j] = wj - 0.5 * ((g[j] as number) / train.length + l2 * wj);
    });
    b -= (0.5 * gb) / train.length;
  }
  const weights: Record<string, number> = {};
  let bias = b;
  names.forEach((name, j) => {
    weights[name] = (w[j] as number) / (sd[j] as number);
    bias -= (weights[name] as number) * (mean[j] as number);
  });
  return { bias, weights };
}

/** The tune rows' scores, each tune topic's by a model fit on the other tune topics. */
function outOfFold(names: string[]): Map<Row, number> {
  const scores = new Map<Row, number>();
  for (const t of new Set(tuneRows.map((r) => r.topic))) {
    const model = fitLogistic(
      tuneRows.filter((r) => r.topic !== t),
      names,
    );
    for (const r of tuneRows) if (r.topic === t) scores.set(r, scoreOf(model, r));
  }
  return scores;
}

/** Pooled precision and recall of posting the rows scoring at least `mark`. */
function pr(list: Row[], score: (r: Row) => number, mark: number, split: string) {
  let posted = 0;
  let hits = 0;
  for (const r of list)
    if (score(r) >= mark) {
      posted++;
      if (r.y) hits++;
    }
  return { p: posted ? hits / posted : 1, r: hits / relevantIn(split), mark };
}

/** The mark of the best precision at recall ≥ `recall`, and of the best F1. */
function marks(list: Row[], score: (r: Row) => number, recall: number) {
  let atRecall = { p: 0, r: 0, mark: Number.POSITIVE_INFINITY };
  let f1 = { p: 0, r: 0, mark: Number.POSITIVE_INFINITY };
  const f = ({ p, r }: { p: number; r: number }) => (p + r ? (2 * p * r) / (p + r) : 0);
  for (const mark of [...new Set(list.map(score))]) {
    const got = pr(list, score, mark, 'tune');
    if (got.r >= recall && got.p > atRecall.p) atRecall = got;
    if (f(got) > f(f1)) f1 = got;
  }
  return { atRecall, f1 };
}

const fixed = (n: number) => n.toFixed(3);

/** Cross-validated tune precision at recall 0.75 and 0.85 of a feature set. */
function cv(names: string[]): void {
  const oof = outOfFold(names);
  const score = (r: Row) => oof.get(r) as number;
  const at75 = marks(tuneRows, score, 0.75).atRecall;
  const at85 = marks(tuneRows, score, 0.85).atRecall;
  const extra = (of: string[]) => names.filter((name) => !of.includes(name));
  const label = SHIPPED.every((name) => names.includes(name))
    ? ['shipped', ...extra(SHIPPED)].join(' + ')
    : ['judged before', ...extra(BASE)].join(' + ');
  console.log(`| ${label} | ${fixed(at75.p)} (R ${fixed(at75.r)}) | ${fixed(at85.p)} (R ${fixed(at85.r)}) |`);
}

const BASE = [
  'phraseInTitle',
  'phrase',
  'title',
  'opening',
  'sentences',
  'spread',
  'every',
  'onlyInLists',
  'match',
];
const SHIPPED = [...BASE, 'related', 'lead'];
const [mode = 'study', ...args] = process.argv.slice(2);
const namesOf = (list: string) => (list === 'base' ? BASE : [...BASE, ...list.split(',')]);
console.log(
  `${rows.length} candidates; tune: ${relevantIn('tune')} relevant, ${tuneRows.filter((r) => r.y).length} among them`,
);
if (mode === 'study') {
  // Each feature measured alone on top of the evidence judged before, then with the shipped ones.
  console.log('| features | CV tune precision at recall 0.75 | at 0.85 |\n| --- | --- | --- |');
  const names = Object.keys((rows[0] as Row).x).filter((name) => !BASE.includes(name));
  cv(BASE);
  for (const name of names) cv([...BASE, name]);
  cv(SHIPPED);
  for (const name of names.filter((n) => !SHIPPED.includes(n))) cv([...SHIPPED, name]);
} else if (mode === 'cv') {
  console.log('| features | CV tune precision at recall 0.75 | at 0.85 |\n| --- | --- | --- |');
  for (const list of args) cv(namesOf(list));
} else if (mode === 'fit') {
  // The weights of a feature set fit on every tune topic, and its bars chosen on the
  // cross-validated scores: `strict` the best F1, `broad` the best precision at recall ≥ 0.75.
  // The judge's weights are these scaled so that the bars are PASS_MARK.
  const names = namesOf(args[0] ?? 'base');
  const oof = outOfFold(names);
  const { atRecall, f1 } = marks(tuneRows, (r) => oof.get(r) as number, 0.75);
  const model = fitLogistic(tuneRows, names);
  const scale = (PASS_MARK.strict - PASS_MARK.broad) / (f1.mark - atRecall.mark);
  const shift = PASS_MARK.broad - scale * atRecall.mark;
  console.log(
    `CV bars: strict ${fixed(f1.mark)} (P ${fixed(f1.p)} R ${fixed(f1.r)}), broad ${fixed(atRecall.mark)} (P ${fixed(atRecall.p)} R ${fixed(atRecall.r)})`,
  );
  console.log(`bias: ${fixed(scale * model.bias + shift)},`);
  for (const name of names) console.log(`${name}: ${fixed(scale * (model.weights[name] as number))},`);
} else if (mode === 'shipped') {
  // The shipped judge over the dump (all the window's matches at once, no daily limit): close to
  // what `npm run eval -- --sets digests` replays day by day. Reports held out.
  for (const [strictness, mark] of Object.entries(PASS_MARK))
    for (const [split, list] of [
      ['tune', tuneRows],
      ['heldout', heldRows],
    ] as const) {
      const got = pr(list, (r) => r.shipped, mark, split);
      console.log(`${strictness} ${split}: precision ${fixed(got.p)} recall ${fixed(got.r)}`);
    }
}
