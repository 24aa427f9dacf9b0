import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../../src/logger.js';
import { parseQuery } from '../../src/search/query.js';
import { termsOf } from '../../src/search/text.js';
import { acronymsOf, TopicJudge } from '../../src/subscriptions/aboutness.js';
import { ARRIVAL_MARGIN_MS } from '../../src/subscriptions/digest.js';
import { type DigestLabels, indexBeforeWindow, topicSplit, windowArrivals } from './digestReplay.js';
import { CACHE_DIR, openRealCorpus } from './evalCorpus.js';

const EVAL = fileURLToPath(new URL('../eval/', import.meta.url));
/** The window's candidates and the corpus's terms, computed once (delete it after changing the ranking). */
const DUMP = join(CACHE_DIR, 'aboutness-lab.json');

interface Candidate {
  id: string;
  title: string;
  abstract: string;
  match: number;
  score: number;
  relevant: boolean;
  features: number[];
}
interface Dump {
  topics: {
    topic: string;
    split: string;
    relevant: number;
    termWeights: Record<string, number>;
    candidates: Candidate[];
  }[];
  docs: { t: string[]; a: string[] }[];
}

async function dump(): Promise<Dump> {
  if (existsSync(DUMP)) return JSON.parse(readFileSync(DUMP, 'utf8')) as Dump;
  const labels = JSON.parse(readFileSync(`${EVAL}digest-labels.json`, 'utf8')) as DigestLabels;
  const { library, dir } = await openRealCorpus(silentLogger);
  const index = await indexBeforeWindow(join(dir, 'digest-replay'), library, labels);
  const docs: Dump['docs'] = [];
  for await (const batch of index.papers())
    for (const p of batch) docs.push({ t: termsOf(p.title), a: termsOf(p.abstract) });
  const arrivals = windowArrivals(labels);
  for (const day of labels.window.days) await index.ingest({ papers: arrivals.get(day) ?? [], skipped: [] });
  const start = Date.parse(`${labels.window.days[0]}T09:00:00Z`) - 86_400_000;
  const topics: Dump['topics'] = [];
  for (const [i, { topic, relevant }] of labels.topics.entries()) {
    const results = await index.search(parseQuery(topic).query, {
      limit: 2000,
      arrivedAfter: new Date(start - ARRIVAL_MARGIN_MS).toISOString(),
    });
    const judge = new TopicJudge(topic, results.termWeights);
    const floor = results.floor ?? 1;
    const ids = new Set(relevant);
    topics.push({
      topic,
      split: topicSplit(i),
      relevant: relevant.length,
      termWeights: results.termWeights ?? {},
      candidates: results.hits.map((hit) => {
        const match = hit.score / floor;
        const { score, evidence: e } = judge.judge(hit.paper, match);
        return {
          id: hit.paper.id,
          title: hit.paper.title,
          abstract: hit.paper.abstract,
          match,
          score,
          relevant: ids.has(hit.paper.id),
          features: [
            Number(e.phraseInTitle),
            Number(e.phrase),
            e.title,
            e.opening,
            e.sentences.of ? e.sentences.about / e.sentences.of : 0,
            e.spread,
            Number(e.every),
            Number(e.onlyInLists),
            Math.log(Math.max(match, 0.05)),
          ],
        };
      }),
    });
  }
  await index.close();
  await library.close();
  const out = { topics, docs };
  writeFileSync(DUMP, JSON.stringify(out));
  return out;
}

const data = await dump();
console.log(`${data.docs.length} corpus papers, ${data.topics.length} topics`);

type Scorer = (topic: Dump['topics'][number], c: Candidate) => number;

/** Pooled precision/recall of posting the candidates scoring at least `mark`. */
function pr(split: string, scorer: Scorer, mark: number): { p: number; r: number; posted: number } {
  let posted = 0;
  let hits = 0;
  let relevant = 0;
  for (const t of data.topics) {
    if (t.split !== split) continue;
    relevant += t.relevant;
    for (const c of t.candidates)
      if (scorer(t, c) >= mark) {
        posted++;
        if (c.relevant) hits++;
      }
  }
  return { p: posted ? hits / posted : 1, r: hits / relevant, posted };
}

/** The mark of the best tune precision at tune recall >= 0.75, and the held-out figures there. */
function report(name: string, scorer: Scorer, recall = 0.75): void {
  const scores = data.topics
    .filter((t) => t.split === 'tune')
    .flatMap((t) => t.candidates.map((c) => scorer(t, c)))
    .sort((a, b) => b - a);
  let best = { mark: 0, p: 0, r: 0 };
  for (const mark of [...new Set(scores)]) {
    const { p, r } = pr('tune', scorer, mark);
    if (r >= recall && p > best.p) best = { mark, p, r };
  }
  const h = pr('heldout', scorer, best.mark);
  console.log(
    `${name.padEnd(40)} tune P ${best.p.toFixed(3)} R ${best.r.toFixed(3)} | heldout P ${h.p.toFixed(3)} R ${h.r.toFixed(3)} (mark ${best.mark.toFixed(3)})`,
  );
}

report('shipped score', (_t, c) => c.score);

// Corpus statistics: document frequency of each term over title+abstract.
const df = new Map<string, number>();
const docSets = data.docs.map((d) => new Set([...d.t, ...d.a]));
for (const set of docSets) for (const t of set) df.set(t, (df.get(t) ?? 0) + 1);
const N = data.docs.length;
const titleSets = data.docs.map((d) => new Set(d.t));

interface TopicModel {
  positives: number;
  weight: Map<string, number>;
  unseen: number;
  centroid: Map<string, number>;
}
const models = new Map<string, TopicModel>();
function modelOf(topic: string): TopicModel {
  const cached = models.get(topic);
  if (cached) return cached;
  const terms = [...new Set(termsOf(topic))];
  const acronyms = [...acronymsOf(topic)].map((a) => a.toLowerCase()).filter((a) => !terms.includes(a));
  const pos: number[] = [];
  titleSets.forEach((set, i) => {
    if (terms.every((t) => set.has(t)) || acronyms.some((a) => set.has(a) || set.has(`${a}s`))) pos.push(i);
  });
  const dfP = new Map<string, number>();
  for (const i of pos) for (const t of docSets[i] as Set<string>) dfP.set(t, (dfP.get(t) ?? 0) + 1);
  const nP = pos.length;
  const weight = new Map<string, number>();
  const usePool = process.env.POOL === '1';
  const dfB = usePool ? new Map<string, number>() : df;
  let nB = N;
  if (usePool) {
    nB = 0;
    docSets.forEach((set) => {
      if (!terms.some((t) => set.has(t))) return;
      nB++;
      for (const t of set) dfB.set(t, (dfB.get(t) ?? 0) + 1);
    });
  }
  for (const [t, n] of dfP) {
    if (n < 2) continue;
    weight.set(t, Math.log((n + 1) / (nP + 2)) - Math.log(((dfB.get(t) ?? 0) + 1) / (nB + 2)));
  }
  // centroid of tf-idf (binary tf) vectors
  const centroid = new Map<string, number>();
  for (const [t, n] of dfP) {
    if (n < 2) continue;
    const idf = Math.log(N / (df.get(t) ?? 1));
    centroid.set(t, (n / nP) * idf);
  }
  const model = { positives: nP, weight, unseen: 0, centroid };
  models.set(topic, model);
  return model;
}
const candTerms = new Map<string, Set<string>>();
const termsOfCandidate = (c: Candidate) => {
  const known = candTerms.get(c.id);
  if (known) return known;
  const terms = new Set([...termsOf(c.title), ...termsOf(c.abstract)]);
  candTerms.set(c.id, terms);
  return terms;
};
function nbMean(topic: string, c: Candidate, skipTopic: boolean): number {
  const m = modelOf(topic);
  const topicTerms = new Set(termsOf(topic));
  let sum = 0;
  let n = 0;
  for (const t of termsOfCandidate(c)) {
    if (skipTopic && topicTerms.has(t)) continue;
    const w = m.weight.get(t);
    n++;
    if (w !== undefined) sum += w;
    else sum += Math.log(1 / (m.positives + 2)) - Math.log(((df.get(t) ?? 0) + 1) / (N + 2));
  }
  return n ? sum / n : 0;
}
function nbPositive(topic: string, c: Candidate): number {
  const m = modelOf(topic);
  const topicTerms = new Set(termsOf(topic));
  let sum = 0;
  let n = 0;
  for (const t of termsOfCandidate(c)) {
    if (topicTerms.has(t)) continue;
    n++;
    const w = m.weight.get(t);
    if (w !== undefined && w > 0) sum += w;
  }
  return n ? sum / Math.sqrt(n) : 0;
}
function cosine(topic: string, c: Candidate): number {
  const m = modelOf(topic);
  const topicTerms = new Set(termsOf(topic));
  let dot = 0;
  let norm = 0;
  for (const t of termsOfCandidate(c)) {
    if (topicTerms.has(t)) continue;
    const idf = Math.log(N / (df.get(t) ?? 1));
    norm += idf * idf;
    dot += (m.centroid.get(t) ?? 0) * idf;
  }
  let cn = 0;
  for (const [t, v] of m.centroid) if (!topicTerms.has(t)) cn += v * v;
  return norm && cn ? dot / Math.sqrt(norm * cn) : 0;
}

const scorers: Record<string, (topic: string, c: Candidate) => number> = {
  nbMean: (t, c) => nbMean(t, c, true),
  nbMeanAll: (t, c) => nbMean(t, c, false),
  nbPositive,
  cosine,
};
const memo = new Map<string, number>();
const cachedScore = (name: string, topic: string, c: Candidate) => {
  const key = `${name}\u0000${topic}\u0000${c.id}`;
  const known = memo.get(key);
  if (known !== undefined) return known;
  const score = (scorers[name] as (t: string, c: Candidate) => number)(topic, c);
  memo.set(key, score);
  return score;
};
for (const name of Object.keys(scorers)) {
  report(`${name} alone`, (t, c) => cachedScore(name, t.topic, c));
  for (const beta of [0.25, 0.5, 1, 2, 4, 8])
    report(`shipped + ${beta} ${name}`, (t, c) => c.score + beta * cachedScore(name, t.topic, c));
}
