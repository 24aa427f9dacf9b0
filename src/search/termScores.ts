import type { MiniSearchIndex } from './miniSearchIndex.js';

/**
 * BM25+ parameters, passed to minisearch on every search and used by {@link TermScores}, so that
 * both compute the same score. They are minisearch's defaults; SciFact train did not reward others.
 */
export const BM25 = { k: 1.2, b: 0.7, d: 0.5 } as const;

/** One term's postings in one field: the unit that pruning either searches or completes. */
export interface TermField {
  term: string;
  field: string;
  /** How many papers have the term in this field: what searching it costs. */
  postings: number;
}

/** A {@link TermField} that pruning completes rather than searches, with what it can add at most. */
export interface BoundedField extends TermField {
  /** An upper bound on what it adds to any paper's BM25 sum. */
  bound: number;
}

/**
 * Per-term, per-field BM25 figures read from a minisearch index: postings, bounds, and what a term
 * adds to one paper's score. The arithmetic is minisearch's own (BM25+ per field, summed over
 * fields, every field boost 1). Document frequencies count the postings of replaced papers that minisearch
 * has not vacuumed yet, as minisearch's own scoring mostly does, until its next vacuum.
 */
export class TermScores {
  private readonly fieldNames: Map<number, string>;
  private readonly maxFactors = new Map<string, number>();

  constructor(private readonly mini: MiniSearchIndex<never>) {
    this.fieldNames = new Map(Object.entries(mini.fieldIds).map(([name, id]) => [id, name]));
  }

  /** The fields the term occurs in, each with its postings. */
  fieldsOf(term: string): TermField[] {
    const found: TermField[] = [];
    for (const [fieldId, papers] of this.mini.termData(term) ?? []) {
      found.push({ term, field: this.fieldNames.get(fieldId) as string, postings: papers.size });
    }
    return found;
  }

  /** The list with the most it adds to any paper's score; pruning asks this of long lists only. */
  bounded(list: TermField): BoundedField {
    const fieldId = this.mini.fieldIds[list.field] as number;
    const papers = this.mini.termData(list.term)?.get(fieldId);
    if (!papers) return { ...list, bound: 0 };
    return { ...list, bound: this.idf(papers.size) * this.maxTermFactor(list.term, fieldId, papers) };
  }

  /** Forgets the remembered bounds; call after adding papers, which changes lengths and frequencies. */
  forgetBounds(): void {
    this.maxFactors.clear();
  }

  /** minisearch's number for the paper with this id, which {@link TermScores.scorer} functions take. */
  documentNumber(paperId: string): number | undefined {
    return this.mini.documentNumber(paperId);
  }

  /**
   * What the term adds through these fields to the BM25 sum of a paper, by its
   * {@link TermScores.documentNumber} (0 when absent). The term and fields are looked up once, here.
   */
  scorer(term: string, fields: readonly string[]): (documentNumber: number) => number {
    const byField = this.mini.termData(term);
    const parts = fields.flatMap((field) => {
      const fieldId = this.mini.fieldIds[field] as number;
      const papers = byField?.get(fieldId);
      if (!papers) return [];
      return [
        {
          fieldId,
          papers,
          idf: this.idf(papers.size),
          averageLength: this.mini.averageFieldLengths[fieldId] as number,
        },
      ];
    });
    return (documentNumber) => {
      let score = 0;
      for (const { fieldId, papers, idf, averageLength } of parts) {
        const frequency = papers.get(documentNumber);
        if (frequency === undefined) continue;
        const length = (this.mini.fieldLengths(documentNumber) as number[])[fieldId] as number;
        score += idf * termFactor(frequency, length / averageLength);
      }
      return score;
    };
  }

  /**
   * The largest term-frequency factor of the term in the field over all its papers. Pruning only
   * asks this of long lists, and of the same few ("model", "learn") again and again, so it is
   * remembered.
   */
  private maxTermFactor(term: string, fieldId: number, papers: Map<number, number>): number {
    const key = `${fieldId}:${term}`;
    let max = this.maxFactors.get(key);
    if (max !== undefined) return max;
    max = 0;
    const averageLength = this.mini.averageFieldLengths[fieldId] as number;
    for (const [shortId, frequency] of papers) {
      const length = this.mini.fieldLengths(shortId)?.[fieldId] ?? 0;
      max = Math.max(max, termFactor(frequency, length / averageLength));
    }
    if (this.maxFactors.size >= MAX_REMEMBERED_BOUNDS) this.maxFactors.clear();
    this.maxFactors.set(key, max);
    return max;
  }

  private idf(matching: number): number {
    const total = this.mini.documentCount;
    return Math.log(1 + (total - matching + 0.5) / (matching + 0.5));
  }
}

/** Bounds remembered at most; far more than the long lists of any corpus. */
const MAX_REMEMBERED_BOUNDS = 50_000;

/** BM25+'s term-frequency factor, the part of a term's score that IDF multiplies. */
function termFactor(frequency: number, relativeLength: number): number {
  return BM25.d + (frequency * (BM25.k + 1)) / (frequency + BM25.k * (1 - BM25.b + BM25.b * relativeLength));
}
