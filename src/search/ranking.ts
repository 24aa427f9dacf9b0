/** The fields of the index: minisearch indexes each, the ranking weighs each. */
export const FIELDS = ['text', 'title', 'authors', 'keywords'] as const;
export type Field = (typeof FIELDS)[number];

/** How one field scores: its weight and its BM25 parameters. */
export interface FieldRanking {
  /** 0 leaves the field out of the ranking. */
  weight: number;
  /** Term-frequency saturation. */
  k1: number;
  /** Length normalisation (0 none, 1 full). */
  b: number;
}

/** A bonus: `weight` × the query's reference score × (a share between 0 and 1) ^ `power`. */
export interface Bonus {
  weight: number;
  power: number;
}

/**
 * How papers are ranked: BM25 per field (text = title and abstract as one field, the title again
 * on its own, author names, Hugging Face's keywords), weighted and summed, plus two bonuses for
 * titles that have the query's words. Scores are in units of the query's reference score: what an
 * average-length paper with every query term once in its text would score (the sum of the terms'
 * idf). Every choice is measured in `npm run eval` (see docs/search-quality.md).
 */
export interface Ranking {
  fields: Record<Field, FieldRanking>;
  /**
   * Author names match a query word only when no paper has the word in its text ("hinton" finds
   * Hinton's papers; "long" or "wang" in a description of a method does not favour authors named so).
   */
  authorsOnlyForNames: boolean;
  /**
   * For queries that name a paper: the share is how much of the query's idf the title has. A high
   * power keeps the bonus for titles that have most of the query, so descriptions, which rarely use
   * title words, are left alone.
   */
  titleMatch: Bonus;
  /**
   * For titles with the query's consecutive terms next to each other ("code graph" of
   * `Code-on-Graph`, "do reasoning models enhance"): the share is the mass of the query's term pairs
   * the title has, each pair weighing the mean idf of its terms.
   */
  titlePhrase: Bonus;
  /** The same for the query's pairs next to each other anywhere in the title or the abstract. */
  textPhrase: Bonus;
  /**
   * The relevance floor: a hit is a strong match when it scores at least `floor` × n ^ −`floorDecay`
   * reference scores (n: the query's distinct terms). Longer queries ask for a smaller share: a
   * paper described in twenty words shares about half of them with its abstract, a paper on a
   * two-word topic has both words, several times and in its title.
   */
  floor: number;
  floorDecay: number;
  /** The learnt translation signal (see src/search/signal.ts), when the index has one. */
  signal: SignalRanking;
}

/**
 * How the learnt signal re-ranks: the best `depth` papers by the rest of the ranking get `weight`
 * × the query's reference score × how well their words translate the query's (between 0 and 1).
 */
export interface SignalRanking {
  weight: number;
  depth: number;
  /** Count only the query words a paper lacks (those it has are scored by BM25 already). */
  gapsOnly: boolean;
  /**
   * With it, those papers also gain this × the reference × the share of the query's term pairs
   * (see {@link Ranking.textPhrase}) their title or abstract has next to each other: proximity
   * read for the best papers only, not for every match.
   */
  proximity: number;
  /**
   * Order those papers by the learnt ranker (see src/search/ranker.ts) when the signal has one:
   * a weighted sum of their features, weights learnt from pseudo-queries made from the corpus.
   */
  ranker: boolean;
  /** The ranker orders the results of queries of at least this many distinct terms. */
  rankerMinTerms: number;
  /** With the ranker, the strong matches stay before the others (the ranker orders each group). */
  rankerWithinStrength: boolean;
  /** Weights to use instead of the learnt ones (the eval's variants). */
  rankerWeights?: number[];
}

/** The shipped ranking (figures in docs/search-quality.md). */
export const RANKING: Ranking = {
  fields: {
    text: { weight: 1, k1: 0.9, b: 0.4 },
    title: { weight: 0, k1: 0.9, b: 0.4 },
    authors: { weight: 1, k1: 0.9, b: 0.4 },
    keywords: { weight: 0, k1: 0.9, b: 0.4 },
  },
  authorsOnlyForNames: true,
  titleMatch: { weight: 0.6, power: 3 },
  titlePhrase: { weight: 0.4, power: 2 },
  textPhrase: { weight: 0, power: 1 },
  floor: 1.5,
  floorDecay: 0.4,
  signal: {
    weight: 1.2,
    depth: 100,
    gapsOnly: true,
    proximity: 0,
    ranker: true,
    rankerMinTerms: 12,
    rankerWithinStrength: true,
  },
};

/** A partial {@link Ranking}, part by part (the eval's `--ranking` variants). */
export type RankingChange = Partial<
  Omit<Ranking, 'fields' | 'titleMatch' | 'titlePhrase' | 'textPhrase' | 'signal'>
> & {
  signal?: Partial<SignalRanking>;
  textPhrase?: Partial<Bonus>;
  fields?: Partial<Record<Field, Partial<FieldRanking>>>;
  titleMatch?: Partial<Bonus>;
  titlePhrase?: Partial<Bonus>;
};

/** A ranking with some parameters changed. */
export function withRanking(base: Ranking, change: RankingChange): Ranking {
  const fields = { ...base.fields };
  for (const field of FIELDS) fields[field] = { ...base.fields[field], ...change.fields?.[field] };
  return {
    ...base,
    ...change,
    fields,
    titleMatch: { ...base.titleMatch, ...change.titleMatch },
    titlePhrase: { ...base.titlePhrase, ...change.titlePhrase },
    textPhrase: { ...base.textPhrase, ...change.textPhrase },
    signal: { ...base.signal, ...change.signal },
  };
}

/**
 * `x` to the power `p`, by multiplication for the small whole powers the bonuses use (`**` is
 * several times slower, and a search raises thousands of titles' shares).
 */
export function powerOf(x: number, p: number): number {
  if (p === 1) return x;
  if (p === 2) return x * x;
  if (p === 3) return x * x * x;
  return x ** p;
}

/** BM25's inverse document frequency of a term in `matching` of `total` documents. */
export function idf(matching: number, total: number): number {
  return Math.log(1 + (total - matching + 0.5) / (matching + 0.5));
}
