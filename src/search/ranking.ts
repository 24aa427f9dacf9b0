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

/**
 * How papers are ranked: BM25 per field (text = title and abstract as one field, the title again
 * on its own, author names, Hugging Face's keywords), weighted and summed. Every figure is measured
 * in `npm run eval` (see the README's "Search quality").
 */
export interface Ranking {
  fields: Record<Field, FieldRanking>;
  /**
   * Author names match a query word only when no paper has the word in its text ("hinton" finds
   * Hinton's papers; "long" or "wang" in a description of a method does not favour authors named so).
   */
  authorsOnlyForNames: boolean;
  /** Each term's idf is raised to this power (1: BM25's own). */
  idfPower: number;
  /** The score is multiplied by (matched terms / query terms) to this power; 0 leaves it alone. */
  coordination: number;
  /**
   * A bonus for papers whose title has the query's words, for queries that name a paper: `weight`
   * × the query's reference score × (the share of the query's idf that the title has) ^ `power`.
   * A high power keeps it for titles that have most of the query.
   */
  titleMatch: { weight: number; power: number };
  /**
   * A bonus for titles that have the query's consecutive terms next to each other ("code graph" of
   * `Code-on-Graph`): `weight` × the reference score × (the share of the query's pairs, by mass,
   * that the title has) ^ `power`.
   */
  titlePhrase: { weight: number; power: number };
  /** The same for the query's pairs anywhere in the title or abstract. */
  textPhrase: { weight: number; power: number };
  /**
   * Pseudo-relevance feedback (RM3): the query is searched again with the `terms` most likely in
   * its best `documents`, the original terms keeping `weight` of the query. 0 documents: off.
   */
  feedback: { documents: number; terms: number; weight: number };
  /**
   * The relevance floor: a hit is a strong match when its score is at least `floor` × n ^ −`decay`
   * (n: the query's terms) times the score of an average-length paper that has every query term
   * once in its text. Longer queries get a lower share: a paper described in twenty words shares
   * half of them with its abstract, a paper on a two-word topic has both, several times.
   */
  floor: number;
  floorDecay: number;
}

/** The shipped ranking. */
export const RANKING: Ranking = {
  fields: {
    text: { weight: 1, k1: 0.9, b: 0.4 },
    title: { weight: 0, k1: 0.9, b: 0.4 },
    authors: { weight: 1, k1: 0.9, b: 0.4 },
    keywords: { weight: 0, k1: 0.9, b: 0.4 },
  },
  authorsOnlyForNames: true,
  idfPower: 1,
  coordination: 0,
  titleMatch: { weight: 0, power: 2 },
  titlePhrase: { weight: 0, power: 1 },
  textPhrase: { weight: 0, power: 1 },
  feedback: { documents: 0, terms: 10, weight: 0.5 },
  floor: 0.5,
  floorDecay: 0,
};

/** A ranking with some parameters changed (the eval's `--ranking` variants). */
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
    feedback: { ...base.feedback, ...change.feedback },
  };
}

/** A partial {@link Ranking}, part by part. */
export type RankingChange = Partial<
  Omit<Ranking, 'fields' | 'titleMatch' | 'titlePhrase' | 'textPhrase' | 'feedback'>
> & {
  feedback?: Partial<Ranking['feedback']>;
  fields?: Partial<Record<Field, Partial<FieldRanking>>>;
  titleMatch?: Partial<Ranking['titleMatch']>;
  titlePhrase?: Partial<Ranking['titlePhrase']>;
  textPhrase?: Partial<Ranking['textPhrase']>;
};

/** BM25's inverse document frequency of a term in `matching` of `total` documents. */
export function idf(matching: number, total: number): number {
  return Math.log(1 + (total - matching + 0.5) / (matching + 0.5));
}
