import type { Paper } from '../../src/papers/paper.js';
import { termsOf } from '../../src/search/text.js';

/**
 * The reference floor for the benchmarks (never used by the product): plain BM25 (k1 1.2, b 0.75)
 * over typed arrays, with paperbot's tokenizer, title + authors + abstract as one field.
 */
export class Bm25Reference {
  private readonly termIds = new Map<string, number>();
  private postingsStart = new Int32Array(0);
  private postingsDoc = new Int32Array(0);
  private postingsTf = new Float32Array(0);
  private readonly docLength: Float32Array;
  private readonly averageLength: number;
  private readonly scores: Float64Array;

  constructor(private readonly papers: readonly Paper[]) {
    const perTerm = new Map<number, number[]>(); // term id → [doc, tf, doc, tf, ...]
    this.docLength = new Float32Array(papers.length);
    papers.forEach((paper, doc) => {
      const counts = new Map<number, number>();
      const terms = termsOf(`${paper.title} ${paper.authors.join(' ')} ${paper.abstract}`);
      this.docLength[doc] = terms.length;
      for (const term of terms) {
        let id = this.termIds.get(term);
        if (id === undefined) {
          id = this.termIds.size;
          this.termIds.set(term, id);
        }
        counts.set(id, (counts.get(id) ?? 0) + 1);
      }
      for (const [id, tf] of counts) {
        const list = perTerm.get(id) ?? [];
        if (list.length === 0) perTerm.set(id, list);
        list.push(doc, tf);
      }
    });
    let total = 0;
    for (const list of perTerm.values()) total += list.length / 2;
    this.postingsStart = new Int32Array(this.termIds.size + 1);
    this.postingsDoc = new Int32Array(total);
    this.postingsTf = new Float32Array(total);
    let at = 0;
    for (let id = 0; id < this.termIds.size; id++) {
      this.postingsStart[id] = at;
      const list = perTerm.get(id) ?? [];
      for (let i = 0; i < list.length; i += 2) {
        this.postingsDoc[at] = list[i] as number;
        this.postingsTf[at] = list[i + 1] as number;
        at++;
      }
    }
    this.postingsStart[this.termIds.size] = at;
    this.averageLength = this.docLength.reduce((sum, n) => sum + n, 0) / Math.max(1, papers.length);
    this.scores = new Float64Array(papers.length);
  }

  /** The ids of the best `limit` papers for a query text. */
  search(text: string, limit = 5): string[] {
    const k1 = 1.2;
    const b = 0.75;
    const n = this.papers.length;
    const touched: number[] = [];
    for (const term of new Set(termsOf(text))) {
      const id = this.termIds.get(term);
      if (id === undefined) continue;
      const start = this.postingsStart[id] as number;
      const end = this.postingsStart[id + 1] as number;
      const df = end - start;
      const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      for (let p = start; p < end; p++) {
        const doc = this.postingsDoc[p] as number;
        const tf = this.postingsTf[p] as number;
        if (this.scores[doc] === 0) touched.push(doc);
        const norm = tf + k1 * (1 - b + (b * (this.docLength[doc] as number)) / this.averageLength);
        this.scores[doc] = (this.scores[doc] as number) + (idf * tf * (k1 + 1)) / norm;
      }
    }
    // Top-k by insertion into a k-long list: linear in the touched documents.
    const best: number[] = [];
    for (const doc of touched) {
      const score = this.scores[doc] as number;
      if (best.length === limit && score <= (this.scores[best[limit - 1] as number] as number)) continue;
      let i = best.length < limit ? best.length : limit - 1;
      while (i > 0 && (this.scores[best[i - 1] as number] as number) < score) i--;
      best.splice(i, 0, doc);
      if (best.length > limit) best.pop();
    }
    const ids = best.map((doc) => (this.papers[doc] as Paper).id);
    for (const doc of touched) this.scores[doc] = 0;
    return ids;
  }
}
