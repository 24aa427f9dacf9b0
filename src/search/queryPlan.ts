import type { MiniSearchIndex } from './miniSearchIndex.js';
import type { CompactPostings } from './postings.js';
import { FIELDS, idf, type Ranking } from './ranking.js';

/** One query term's posting list in one field, with what a posting of it scores. */
export interface ScoredList {
  term: number;
  field: number;
  postings: CompactPostings;
  /** weight × idf × (k1 + 1) */
  scale: number;
  /** k1 × (1 − b) */
  base: number;
  /** k1 × b / average length */
  perLength: number;
}

/** A query term's title list, for the title bonuses: `mass` is the term's idf in the text field. */
export interface TitleList {
  postings: CompactPostings;
  mass: number;
}

/** How a query is scored (see {@link planQuery}). */
export interface Plan {
  lists: ScoredList[];
  titles: TitleList[];
  /**
   * What an average-length paper with every query term once in its text would score: the unit of
   * the relevance floor and the title bonuses. A term no paper has counts at its full weight, so a
   * query about a topic the corpus lacks finds no strong match.
   */
  reference: number;
  /** Each query term's idf in the text field. */
  termWeights: Record<string, number>;
  /** Query term `a` then `b`: the index of that pair in `pairMasses` at `a × terms + b`, or −1. */
  pairIndex: Int16Array;
  /** Each of the query's consecutive term pairs: the mean idf of its two terms. */
  pairMasses: number[];
  /** Their sum. */
  pairTotal: number;
  /** Each pair's two terms as bits of {@link termBit}: a document that matched both may have it. */
  pairMasks: Int32Array;
  /** The epoch of {@link ExactScorer.markTerms} under which the query's terms are marked. */
  mark: number;
}

/**
 * How a query is scored: every query term's posting lists in the weighted fields, with their BM25
 * figures (an author list joins only for a term no paper has in its text, when
 * {@link Ranking.authorsOnlyForNames}); the terms' title lists and the query's consecutive term
 * pairs, for the title bonuses; and the query's reference score. `lengthSums` are the fields'
 * total lengths, `mark` the epoch under which {@link ExactScorer.markTerms} marked the terms.
 */
export function planQuery(
  mini: MiniSearchIndex,
  ranking: Ranking,
  lengthSums: Float64Array,
  terms: string[],
  sequence: string[],
  mark: number,
): Plan {
  const { fields, titleMatch, titlePhrase } = ranking;
  const lists: ScoredList[] = [];
  const titles: TitleList[] = [];
  const total = mini.documentCount;
  const textField = mini.fieldIds.text as number;
  const titleField = mini.fieldIds.title as number;
  const textIdf = (term: string) => idf(mini.postings(term, textField)?.size ?? 0, total);
  let reference = 0;
  const termWeights: Record<string, number> = {};
  terms.forEach((term, t) => {
    termWeights[term] = textIdf(term);
    reference += (fields.text.weight || 1) * textIdf(term);
    FIELDS.forEach((field, f) => {
      const { weight, k1, b } = fields[field];
      if (weight === 0) return;
      const postings = mini.postings(term, mini.fieldIds[field] as number);
      if (!postings || postings.size === 0) return;
      if (field === 'authors' && ranking.authorsOnlyForNames && mini.postings(term, textField)?.size) return;
      const average = Math.max(lengthSums[f] as number, 1) / Math.max(total, 1);
      lists.push({
        term: t,
        field: f,
        postings,
        scale: weight * idf(postings.size, total) * (k1 + 1),
        base: k1 * (1 - b),
        perLength: (k1 * b) / average,
      });
    });
    const inTitles = mini.postings(term, titleField);
    if ((titleMatch.weight > 0 || titlePhrase.weight > 0) && inTitles && inTitles.size > 0)
      titles.push({ postings: inTitles, mass: textIdf(term) });
  });
  const pairIndex = new Int16Array(terms.length * terms.length).fill(-1);
  const pairMasses: number[] = [];
  // At most 30 pairs: they are told apart by the bits of one number per title.
  const pairs = titlePhrase.weight > 0 || ranking.textPhrase.weight > 0;
  const masks: number[] = [];
  for (let i = 0; pairs && i + 1 < sequence.length && pairMasses.length < 30; i++) {
    const [first, second] = [sequence[i] as string, sequence[i + 1] as string];
    const at = terms.indexOf(first) * terms.length + terms.indexOf(second);
    if (first === second || (pairIndex[at] as number) >= 0) continue;
    pairIndex[at] = pairMasses.length;
    pairMasses.push((textIdf(first) + textIdf(second)) / 2);
    masks.push(termBit(terms.indexOf(first)) | termBit(terms.indexOf(second)));
  }
  const pairTotal = pairMasses.reduce((sum, mass) => sum + mass, 0);
  return {
    lists,
    titles,
    reference,
    termWeights,
    pairIndex,
    pairMasses,
    pairTotal,
    pairMasks: Int32Array.from(masks),
    mark,
  };
}

/** The query terms whose lists have the document. */
export function matchedTerms(n: number, lists: readonly ScoredList[], terms: string[]): string[] {
  const found = new Set<number>();
  for (const list of lists) if (!found.has(list.term) && list.postings.has(n)) found.add(list.term);
  return terms.filter((_, t) => found.has(t));
}

/** A query term's bit in a document's matched terms: its own for the first 31, one shared beyond. */
export function termBit(term: number): number {
  return term < 31 ? 1 << term : 1 << 31;
}

/** What reading the lists in full costs: their postings. */
export function postingCost(lists: readonly ScoredList[]): number {
  return lists.reduce((sum, list) => sum + list.postings.size, 0);
}

/** What scoring one document costs: a binary search in each list. */
export function searchCost(lists: readonly ScoredList[]): number {
  return lists.reduce((sum, list) => sum + Math.log2(list.postings.size + 1) + 1, 0);
}
