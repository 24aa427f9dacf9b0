import MiniSearch from 'minisearch';
import { CompactPostings } from './postings.js';
import { Vocabulary } from './vocabulary.js';

/** What minisearch keeps per term: field id → postings (document number → frequency). */
export type TermData = Map<number, Map<number, number>>;

/** An index whose term tree is read, for its type and class. */
class TreeOwner extends MiniSearch {
  get tree() {
    return this._index;
  }
}

/** minisearch's term tree (a radix tree of term → {@link TermData}), as its main module declares it. */
type MiniSearchTree = TreeOwner['tree'];

/**
 * The class of minisearch's term tree. Its main module does not export it, and the copy that its
 * `minisearch/SearchableMap` module exports is, to TypeScript, another type (with its own private
 * members) that minisearch's index does not accept; so the class is taken from an index's own tree.
 */
const MiniSearchTree = new TreeOwner({ fields: [] }).tree.constructor as new () => MiniSearchTree;

/**
 * Saved posting lists, by term id (see SavedMiniSearch): term `t` has `fieldCounts[t]` lists, the
 * next entries of `fieldIds` and `postingCounts`, and their postings the next of `documents` and
 * `frequencies`.
 */
export interface SavedLists {
  fieldCounts: Uint8Array;
  fieldIds: Uint8Array;
  postingCounts: Int32Array;
  documents: Int32Array;
  frequencies: Int32Array;
}

/** One posting list as stored: `size` postings of `documents`/`frequencies` from `start`. */
export interface ListView {
  documents: Int32Array;
  frequencies: Int32Array;
  start: number;
  size: number;
}

/**
 * minisearch's map of terms (term → field → postings), standing in for its radix tree. paperbot
 * looks terms up only exactly (its own ranking, minisearch's add and remove), which a hash map
 * answers in a step where the tree walks a node per character: saving an 80k-paper index spent
 * 0.6 s in the tree's lookups alone, restoring it 0.3 s building the tree. And the terms of a
 * restored index stay in the saved arrays until one is first looked up, so that restoring makes
 * one Map entry per term (shared with the document table's term ids), not a Map per term and a
 * list object per field. Prefix and fuzzy lookups and walks over every term, which only minisearch's
 * own search, vacuum and JSON export make (paperbot calls none of them), get a radix tree made on
 * demand.
 *
 * It is one of minisearch's term trees whose every method is its own (the inherited tree stays
 * empty), so that MiniSearchIndex puts it in place of minisearch's tree with the types checked.
 */
export class TermIndex extends MiniSearchTree {
  private readonly loaded = new Map<string, TermData>();
  private saved: SavedLists | undefined;
  private vocabulary = new Vocabulary();
  /** Per saved term id: 1 while its lists are only in the saved arrays. */
  private inArrays = new Uint8Array(0);
  /** How many terms have `inArrays` set. */
  private waiting = 0;
  /** Per saved term id: where its first list is among the saved lists. */
  private listStarts = new Int32Array(1);
  /** Per saved list: where its postings start. */
  private postingStarts = new Int32Array(1);
  private tree: MiniSearchTree | undefined;

  /**
   * Takes the saved lists of `vocabulary`'s terms (their ids are the lists' term ids), which stay
   * in their arrays until a term is looked up.
   */
  static over(saved: SavedLists, vocabulary: Vocabulary): TermIndex {
    const index = new TermIndex();
    const terms = saved.fieldCounts.length;
    if (terms !== vocabulary.size) throw new Error("the snapshot's terms do not add up");
    const listStarts = new Int32Array(terms + 1);
    const inArrays = new Uint8Array(terms);
    let lists = 0;
    let waiting = 0;
    for (let t = 0; t < terms; t++) {
      listStarts[t] = lists;
      const count = saved.fieldCounts[t] as number;
      lists += count;
      if (count > 0) {
        inArrays[t] = 1;
        waiting++;
      }
    }
    listStarts[terms] = lists;
    if (lists !== saved.fieldIds.length || lists !== saved.postingCounts.length)
      throw new Error("the snapshot's lists do not add up");
    const postingStarts = new Int32Array(lists + 1);
    let postings = 0;
    for (let l = 0; l < lists; l++) {
      postingStarts[l] = postings;
      postings += saved.postingCounts[l] as number;
    }
    postingStarts[lists] = postings;
    if (postings !== saved.documents.length || postings !== saved.frequencies.length)
      throw new Error("the snapshot's postings do not add up");
    Object.assign(index, { saved, vocabulary, inArrays, waiting, listStarts, postingStarts });
    return index;
  }

  override get size(): number {
    return this.loaded.size + this.waiting;
  }

  override get(term: string): TermData | undefined {
    return this.loaded.get(term) ?? this.load(term);
  }

  override has(term: string): boolean {
    return this.loaded.has(term) || this.savedId(term) !== undefined;
  }

  override set(term: string, data: TermData): this {
    this.forgetSaved(term);
    this.loaded.set(term, data);
    this.tree = undefined;
    return this;
  }

  override delete(term: string): void {
    this.forgetSaved(term);
    this.loaded.delete(term);
    this.tree = undefined;
  }

  override fetch(term: string, initial: () => TermData): TermData {
    const data = this.get(term);
    if (data) return data;
    const created = initial();
    this.set(term, created);
    return created;
  }

  override update(term: string, change: (data: TermData | undefined) => TermData): this {
    return this.set(term, change(this.get(term)));
  }

  override clear(): void {
    this.loaded.clear();
    this.inArrays.fill(0);
    this.waiting = 0;
    this.tree = undefined;
  }

  /**
   * Calls `visit` with each list of each term of `vocabulary` (which starts with the saved vocabulary,
   * in its order, as the document table's does) that has lists, in its order: from
   * the saved arrays where the term was never looked up, else from its loaded lists (a plain Map,
   * which minisearch makes for a field a term had no list in, is read as a Map). Returns how many
   * terms had lists.
   */
  forEachList(
    vocabulary: readonly string[],
    visit: (term: number, fieldId: number, list: ListView | Map<number, number>) => void,
  ): number {
    let terms = 0;
    vocabulary.forEach((term, t) => {
      const saved = this.saved;
      if (saved && t < this.inArrays.length && this.inArrays[t] === 1) {
        terms++;
        for (let l = this.listStarts[t] as number; l < (this.listStarts[t + 1] as number); l++) {
          const start = this.postingStarts[l] as number;
          visit(t, saved.fieldIds[l] as number, {
            documents: saved.documents,
            frequencies: saved.frequencies,
            start,
            size: (this.postingStarts[l + 1] as number) - start,
          });
        }
        return;
      }
      const data = this.loaded.get(term);
      if (!data) return;
      terms++;
      for (const [fieldId, postings] of data) visit(t, fieldId, postings);
    });
    return terms;
  }

  // Every term, loaded first, in a tree (what minisearch's own search, vacuum and JSON export walk).
  override entries(): ReturnType<MiniSearchTree['entries']> {
    return this.asTree().entries();
  }

  override keys(): ReturnType<MiniSearchTree['keys']> {
    return this.asTree().keys();
  }

  override values(): ReturnType<MiniSearchTree['values']> {
    return this.asTree().values();
  }

  override forEach(visit: (term: string, data: TermData, map: MiniSearchTree) => void): void {
    for (const [term, data] of this.entries()) visit(term, data, this);
  }

  override [Symbol.iterator](): ReturnType<MiniSearchTree['entries']> {
    return this.entries();
  }

  override atPrefix(prefix: string): MiniSearchTree {
    return this.asTree().atPrefix(prefix);
  }

  override fuzzyGet(term: string, maxEditDistance: number): ReturnType<MiniSearchTree['fuzzyGet']> {
    return this.asTree().fuzzyGet(term, maxEditDistance);
  }

  private asTree(): MiniSearchTree {
    if (!this.tree) {
      this.loadAll();
      const tree = new MiniSearchTree();
      for (const [term, data] of this.loaded) tree.set(term, data);
      this.tree = tree;
    }
    return this.tree;
  }

  private loadAll(): void {
    if (this.waiting === 0) return;
    for (let t = 0; t < this.inArrays.length; t++)
      if (this.inArrays[t] === 1) this.load(this.vocabulary.term(t));
  }

  /** The saved id of a term whose lists are still only in the arrays. */
  private savedId(term: string): number | undefined {
    const id = this.vocabulary.id(term);
    return id !== undefined && id < this.inArrays.length && this.inArrays[id] === 1 ? id : undefined;
  }

  private forgetSaved(term: string): void {
    const id = this.savedId(term);
    if (id === undefined) return;
    this.inArrays[id] = 0;
    this.waiting--;
  }

  /** Makes a saved term's lists, each a CompactPostings over the saved arrays. */
  private load(term: string): TermData | undefined {
    const id = this.savedId(term);
    const saved = this.saved;
    if (id === undefined || !saved) return undefined;
    const data: TermData = new Map();
    for (let l = this.listStarts[id] as number; l < (this.listStarts[id + 1] as number); l++) {
      const start = this.postingStarts[l] as number;
      const size = (this.postingStarts[l + 1] as number) - start;
      data.set(
        saved.fieldIds[l] as number,
        new CompactPostings(saved.documents, saved.frequencies, start, size),
      );
    }
    this.inArrays[id] = 0;
    this.waiting--;
    this.loaded.set(term, data);
    return data;
  }
}
