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
  /** The score is multiplied by (matched terms / query terms) to this power; 0 leaves it alone. */
  coordination: number;
  /**
   * The relevance floor: a hit is a strong match when its score is at least this share of the
   * score of an average-length paper that has every query term once in its text.
   */
  floor: number;
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
  coordination: 0,
  floor: 0.5,
};

/** A ranking with some parameters changed (the eval's `--ranking` variants). */
export function withRanking(base: Ranking, change: RankingChange): Ranking {
  const fields = { ...base.fields };
  for (const field of FIELDS) fields[field] = { ...base.fields[field], ...change.fields?.[field] };
  return { ...base, ...change, fields };
}

/** A partial {@link Ranking}, field by field. */
export type RankingChange = Partial<Omit<Ranking, 'fields'>> & {
  fields?: Partial<Record<Field, Partial<FieldRanking>>>;
};

/** BM25's inverse document frequency of a term in `matching` of `total` documents. */
export function idf(matching: number, total: number): number {
  return Math.log(1 + (total - matching + 0.5) / (matching + 0.5));
}
