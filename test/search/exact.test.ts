import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import type { Paper } from '../../src/papers/paper.js';
import { DocumentIndex, type DocumentResults } from '../../src/search/documentIndex.js';
import { type SearchOptions, searchDocument } from '../../src/search/paperSearch.js';
import { parseQuery } from '../../src/search/query.js';
import { FIELDS, idf, powerOf, RANKING, type Ranking, withRanking } from '../../src/search/ranking.js';
import { termsOf } from '../../src/search/text.js';
import { makePaper } from '../support/papers.js';

// DocumentIndex.search reads minisearch's posting lists straight from compact arrays, keeps its own
// per-paper facts for the filters and term sequences for phrases, and scores recent papers one by
// one when they are few. All of it must give exactly what the ranking's formula gives when it is
// computed from the papers' text directly: this model does that, slowly and plainly.

const fold = (name: string) => name.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
const fieldTerms = (paper: Paper): Record<(typeof FIELDS)[number], string[]> => ({
  text: [...termsOf(paper.title), ...termsOf(paper.abstract)],
  title: termsOf(paper.title),
  authors: termsOf(paper.authors.join(' ')),
  keywords: termsOf((paper.aiKeywords ?? []).join(' ')),
});
const unique = <T>(items: T[]) => [...new Set(items)];
const indexOf = (papers: Paper[], ranking: Ranking = RANKING) =>
  DocumentIndex.build(papers.map(searchDocument), ranking);

function consecutive(sequence: string[], phrase: string[]): boolean {
  for (let at = 0; at + phrase.length <= sequence.length; at++)
    if (phrase.every((term, i) => sequence[at + i] === term)) return true;
  return false;
}

/**
 * Each paper's terms per field; each field's average length; and each term's occurrences per field
 * (which papers have it, how often), whose sizes are the document frequencies.
 */
function corpusModel(papers: Paper[]) {
  const fields = papers.map(fieldTerms);
  const occurrences = new Map<string, Map<number, number>>();
  fields.forEach((own, i) => {
    for (const field of FIELDS)
      for (const term of own[field]) {
        const key = `${field}:${term}`;
        const counts = occurrences.get(key) ?? new Map<number, number>();
        occurrences.set(key, counts.set(i, (counts.get(i) ?? 0) + 1));
      }
  });
  const averages = new Map(
    FIELDS.map((field) => [
      field,
      Math.max(
        fields.reduce((sum, own) => sum + own[field].length, 0),
        1,
      ) / papers.length,
    ]),
  );
  const none = new Map<number, number>();
  return {
    papers,
    fields,
    /** How often each paper that has the term in the field has it, by the paper's index. */
    occurrences: (field: (typeof FIELDS)[number], term: string): ReadonlyMap<number, number> =>
      occurrences.get(`${field}:${term}`) ?? none,
    df: (field: (typeof FIELDS)[number], term: string) => occurrences.get(`${field}:${term}`)?.size ?? 0,
    average: (field: (typeof FIELDS)[number]) => averages.get(field) as number,
  };
}

/** The ranking of `text` over the papers, computed from their text: what the index must return. */
function modelSearch(
  corpus: ReturnType<typeof corpusModel>,
  text: string,
  options: SearchOptions = {},
  ranking: Ranking = RANKING,
) {
  const { limit = 5, offset = 0 } = options;
  const { query } = parseQuery(text);
  const sequence = termsOf([...query.words, ...query.phrases].join(' '));
  const terms = unique(sequence);
  const { papers, fields, df, average, occurrences } = corpus;
  const n = papers.length;
  // Each paper's BM25 parts, term by term and each term's fields in order, as the formula adds
  // them (so to the last bit): a paper none of the terms occurs in scores nothing and is not found.
  const parts = new Map<number, { score: number; matched: Set<string> }>();
  for (const term of terms)
    for (const field of FIELDS) {
      const { weight, k1, b } = ranking.fields[field];
      if (weight === 0) continue;
      if (field === 'authors' && ranking.authorsOnlyForNames && df('text', term) > 0) continue;
      const scale = weight * idf(df(field, term), n) * (k1 + 1);
      for (const [i, frequency] of occurrences(field, term)) {
        const length = (fields[i] as ReturnType<typeof fieldTerms>)[field].length;
        const part = (scale * frequency) / (frequency + k1 * (1 - b) + ((k1 * b) / average(field)) * length);
        const sum = parts.get(i);
        if (sum) {
          sum.score += part;
          sum.matched.add(term);
        } else parts.set(i, { score: part, matched: new Set([term]) });
      }
    }
  const excluded = termsOf(query.excluded.join(' '));
  const phrases = query.phrases.map(termsOf).filter((phrase) => phrase.length > 1);
  const excludedIds = new Set(options.excludeIds ?? []);
  const kept = papers
    .map((paper, i) => ({ paper, i, terms: fields[i] as ReturnType<typeof fieldTerms> }))
    .filter(({ paper, i, terms: own }) => {
      if (!parts.has(i)) return false;
      if (excludedIds.has(paper.id)) return false;
      if (excluded.some((term) => FIELDS.some((field) => own[field].includes(term)))) return false;
      if (query.hasCode && paper.links.code.length === 0) return false;
      if (
        options.arrivedAfter !== undefined &&
        !(Date.parse(paper.arrivedAt) > Date.parse(options.arrivedAfter))
      )
        return false;
      if (query.after !== undefined || query.before !== undefined) {
        if (paper.published === undefined) return false;
        if (query.after !== undefined && paper.published < query.after) return false;
        if (query.before !== undefined && paper.published >= query.before) return false;
      }
      if (!query.authors.every((wanted) => paper.authors.some((name) => fold(name).includes(fold(wanted)))))
        return false;
      if (phrases.length === 0) return true;
      const title = termsOf(paper.title);
      const abstract = termsOf(paper.abstract);
      return phrases.every((phrase) => consecutive(title, phrase) || consecutive(abstract, phrase));
    });
  if (terms.length === 0) return undefined; // filter-only queries: checked separately
  const textIdf = (term: string) => idf(df('text', term), n);
  const reference = terms.reduce((sum, term) => sum + (ranking.fields.text.weight || 1) * textIdf(term), 0);
  // The query's consecutive pairs of distinct terms, the first 30, each weighing its mean idf.
  const pairs: { a: string; b: string; mass: number }[] = [];
  for (let i = 0; i + 1 < sequence.length && pairs.length < 30; i++) {
    const [a, b] = [sequence[i] as string, sequence[i + 1] as string];
    if (a === b || pairs.some((pair) => pair.a === a && pair.b === b)) continue;
    pairs.push({ a, b, mass: (textIdf(a) + textIdf(b)) / 2 });
  }
  const pairTotal = pairs.reduce((sum, pair) => sum + pair.mass, 0);
  const scored = kept.map(({ paper, i, terms: own }) => {
    const { matched, score: textScore } = parts.get(i) as { score: number; matched: Set<string> };
    let score = textScore;
    const inTitle = terms.filter((term) => own.title.includes(term));
    if (inTitle.length > 0 && ranking.titleMatch.weight > 0) {
      const mass = inTitle.reduce((sum, term, j) => (j === 0 ? textIdf(term) : sum + textIdf(term)), 0);
      score += ranking.titleMatch.weight * reference * powerOf(mass / reference, ranking.titleMatch.power);
    }
    if (pairs.length > 0 && ranking.titlePhrase.weight > 0) {
      const adjacent = pairs.filter(({ a, b }) => consecutive(own.title, [a, b]));
      const mass = adjacent.reduce((sum, pair) => sum + pair.mass, 0);
      if (mass > 0)
        score +=
          ranking.titlePhrase.weight * reference * powerOf(mass / pairTotal, ranking.titlePhrase.power);
    }
    if (pairs.length > 0 && ranking.textPhrase.weight > 0) {
      const abstract = own.text.slice(own.title.length);
      const adjacent = pairs.filter(
        ({ a, b }) => consecutive(own.title, [a, b]) || consecutive(abstract, [a, b]),
      );
      const mass = adjacent.reduce((sum, pair) => sum + pair.mass, 0);
      if (mass > 0)
        score += ranking.textPhrase.weight * reference * powerOf(mass / pairTotal, ranking.textPhrase.power);
    }
    return { id: paper.id, score, matchedTerms: terms.filter((term) => matched.has(term)) };
  });
  scored.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
  const floor = ranking.floor * terms.length ** -ranking.floorDecay * reference;
  return {
    hits: scored.slice(offset, offset + limit),
    total: scored.length,
    strong: scored.filter((hit) => hit.score >= floor).length,
  };
}

/** A search's results, or the model's, as {@link expectSame} compares them. */
type Compared = { search: string; hits: unknown[]; total: number; strong: number };

/**
 * The searches' results next to the model's, the same papers in the same order with the same
 * scores (to rounding: toBeCloseTo's 9 digits), matched terms, totals and strong counts. Compared
 * in one expect per batch (a matcher call per hit was a third of the suite's time); a score off by
 * more than rounding shows in the diff, under the search's name.
 */
function expectSame(
  searches: Array<{ search: string; found: DocumentResults; model: ReturnType<typeof modelSearch> }>,
): void {
  const found: Compared[] = [];
  const expected: Compared[] = [];
  for (const { search, found: results, model } of searches) {
    if (!model) throw new Error('a query with terms');
    // A NaN stays unequal to everything, as toBeCloseTo has it.
    const rounded = (score: number, wanted: number | undefined): number | string =>
      Number.isNaN(score) ? 'NaN' : wanted !== undefined && Math.abs(score - wanted) < 5e-10 ? wanted : score;
    found.push({
      search,
      hits: results.hits.map((hit, i) => ({
        id: hit.id,
        score: rounded(hit.score, model.hits[i]?.score),
        matchedTerms: hit.matchedTerms,
      })),
      total: results.total,
      strong: results.strong,
    });
    expected.push({ search, hits: model.hits, total: model.total, strong: model.strong });
  }
  expect(found).toEqual(expected);
}

const SCIFACT = fileURLToPath(new URL('../../../shared/data/scifact/', import.meta.url));

describe('the index ranks as the formula does, on SciFact (real abstracts and claims)', () => {
  const papers: Paper[] = readFileSync(`${SCIFACT}corpus.jsonl`, 'utf8')
    .split('\n')
    .filter(Boolean)
    .slice(0, 1000)
    .map((line) => {
      const doc = JSON.parse(line) as { _id: string; title: string; text: string };
      return makePaper({ id: doc._id, title: doc.title, abstract: doc.text });
    });
  const claims = readFileSync(`${SCIFACT}queries.jsonl`, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { text: string }).text)
    .slice(0, 150);
  const index = indexOf(papers);
  const model = corpusModel(papers);

  test('150 claims: the top 10, the total and the strong count', () => {
    expectSame(
      claims.map((claim) => ({
        search: claim,
        found: index.search({ query: parseQuery(claim).query, limit: 10 }),
        model: modelSearch(model, claim, { limit: 10 }),
      })),
    );
  });

  test('a restored index ranks the same, pages included', () => {
    const restored = DocumentIndex.restore(deserialize(serialize(index.save())));
    expectSame(
      claims.slice(0, 50).map((claim) => ({
        search: claim,
        found: restored.search({ query: parseQuery(claim).query, limit: 5, offset: 10 }),
        model: modelSearch(model, claim, { limit: 5, offset: 10 }),
      })),
    );
  });
});

describe('any corpus, any query, after any replacements (property)', () => {
  // A Zipfian vocabulary, so that a few words are in most papers and many in few.
  const vocabulary = Array.from({ length: 40 }, (_, i) => `w${i}x`);
  const words = (ids: number[]) => ids.map((w) => vocabulary[w]).join(' ');
  const paperArbitrary = fc.record({
    title: fc.array(fc.integer({ min: 0, max: 39 }), { minLength: 1, maxLength: 8 }),
    abstract: fc.array(fc.integer({ min: 0, max: 39 }), { maxLength: 30 }),
    zipf: fc.array(fc.nat(5), { maxLength: 20 }),
    author: fc.constantFrom('Ada Lovelace', 'Alan Turing', 'Grace Hopper', 'W3x Wang'),
    keywords: fc.array(fc.integer({ min: 0, max: 39 }), { maxLength: 3 }),
    code: fc.boolean(),
    day: fc.option(fc.integer({ min: 1, max: 28 }), { nil: undefined }),
    arrival: fc.integer({ min: 1, max: 9 }),
  });
  function paperOf(
    row: {
      title: number[];
      abstract: number[];
      zipf: number[];
      author: string;
      keywords: number[];
      code: boolean;
      day: number | undefined;
      arrival: number;
    },
    i: number,
  ): Paper {
    return makePaper({
      id: `p${i}`,
      title: words(row.title),
      abstract: words([...row.abstract, ...row.zipf]),
      authors: [row.author],
      ...(row.keywords.length > 0 ? { aiKeywords: [words(row.keywords)] } : {}),
      ...(row.day === undefined ? {} : { published: `2025-02-${String(row.day).padStart(2, '0')}` }),
      arrivedAt: `2026-11-0${row.arrival}T00:00:00.000Z`,
      links: { code: row.code ? ['https://github.com/a/b'] : [], project: [] },
    });
  }
  const queryArbitrary = fc
    .record({
      words: fc.array(fc.integer({ min: 0, max: 39 }), { minLength: 1, maxLength: 6 }),
      phrase: fc.option(fc.array(fc.nat(5), { minLength: 2, maxLength: 2 }), { nil: undefined }),
      excluded: fc.option(fc.integer({ min: 0, max: 39 }), { nil: undefined }),
      filter: fc.constantFrom('', 'has:code', 'author:turing', 'after:2025-02-10', 'before:2025-02-20'),
    })
    .map(({ words: ids, phrase, excluded, filter }) =>
      [
        words(ids),
        phrase ? `"${words(phrase)}"` : '',
        excluded === undefined ? '' : `-${vocabulary[excluded]}`,
        filter,
      ].join(' '),
    );
  const rankingArbitrary = fc.record({
    title: fc.constantFrom(0, 0.3),
    keywords: fc.constantFrom(0, 0.5),
    authorsOnlyForNames: fc.boolean(),
    titleMatch: fc.constantFrom(0, 0.6),
    titlePhrase: fc.constantFrom(0, 0.4),
    textPhrase: fc.constantFrom(0, 0.4),
    floorDecay: fc.constantFrom(0, 0.4),
  });

  test('the same papers, scores, totals and strong counts as the formula; both ways of scoring recent papers', () => {
    fc.assert(
      fc.property(
        fc.array(paperArbitrary, { minLength: 3, maxLength: 40 }),
        fc.array(fc.tuple(fc.nat(39), paperArbitrary), { maxLength: 6 }),
        fc.array(queryArbitrary, { minLength: 1, maxLength: 6 }),
        rankingArbitrary,
        fc.integer({ min: 1, max: 6 }),
        fc.nat(4),
        fc.integer({ min: 1, max: 9 }),
        (rows, replacements, texts, choice, limit, offset, since) => {
          let papers = rows.map(paperOf);
          const ranking = withRanking(RANKING, {
            fields: { title: { weight: choice.title }, keywords: { weight: choice.keywords } },
            authorsOnlyForNames: choice.authorsOnlyForNames,
            titleMatch: { weight: choice.titleMatch },
            titlePhrase: { weight: choice.titlePhrase },
            textPhrase: { weight: choice.textPhrase },
            floorDecay: choice.floorDecay,
          });
          const index = indexOf(papers, ranking);
          // Replaced papers (new text under an old id) and new ones, added to the live index.
          const changed = replacements.map(([at, row]) => paperOf(row, at % (papers.length + 2)));
          index.add(changed.map(searchDocument));
          for (const paper of changed) papers = [...papers.filter((p) => p.id !== paper.id), paper];
          const restored = DocumentIndex.restore(deserialize(serialize(index.save())), ranking);
          // The same papers added one at a time to an empty index, as ingests do.
          const incremental = indexOf([], ranking);
          for (const paper of papers) incremental.add([searchDocument(paper)]);
          const arrivedAfter = `2026-11-0${since}T00:00:00.000Z`;
          const model = corpusModel(papers);
          const excludeIds = papers.filter((_, i) => i % 3 === 0).map((p) => p.id);
          expectSame(
            texts.flatMap((text) => {
              const { query } = parseQuery(text);
              const expected = modelSearch(model, text, { limit, offset }, ranking);
              const recent = modelSearch(model, text, { limit, offset, arrivedAfter }, ranking);
              return [
                { search: `${text} (built)`, found: index.search({ query, limit, offset }), model: expected },
                {
                  search: `${text} (restored)`,
                  found: restored.search({ query, limit, offset }),
                  model: expected,
                },
                {
                  search: `${text} (added one at a time)`,
                  found: incremental.search({ query, limit, offset }),
                  model: expected,
                },
                ...(['lists', 'documents'] as const).map((scoring) => ({
                  search: `${text} (arrived after ${arrivedAfter}, scoring ${scoring})`,
                  found: index.search({ query, limit, offset, arrivedAfter, scoring }),
                  model: recent,
                })),
                {
                  search: `${text} (excluding ${excludeIds.length} ids)`,
                  found: index.search({ query, limit, offset, excludeIds }),
                  model: modelSearch(model, text, { limit, offset, excludeIds }, ranking),
                },
              ];
            }),
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});
