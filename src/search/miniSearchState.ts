import MiniSearch, { type Options } from 'minisearch';
import SearchableMap from 'minisearch/SearchableMap';

/**
 * The private state of a minisearch 7 index. minisearch offers no public way to ask how often one
 * term occurs in one paper (which exact pruning needs, see TermScores) nor to save its index except
 * as JSON (whose parse and re-load cost seconds at 80k papers, see {@link restoreMiniSearch}). This
 * module is the one place that reaches inside; the pruning and snapshot tests compare against
 * minisearch's own results, so a change of minisearch's internals fails CI rather than a search.
 */
export interface MiniSearchState {
  _index: SearchableMap<Map<number, Map<number, number>>>;
  _documentIds: Map<number, unknown>;
  _idToShortId: Map<unknown, number>;
  _fieldIds: Record<string, number>;
  _fieldLength: Map<number, number[]>;
  _avgFieldLength: number[];
  _documentCount: number;
  _nextId: number;
  _dirtCount: number;
}

/** The private state of `mini`, typed. */
export function stateOf(mini: MiniSearch<never>): MiniSearchState {
  return mini as unknown as MiniSearchState;
}

/** What a snapshot keeps of an index: its Maps as they are, for `v8.serialize`. */
export interface SavedIndex {
  tree: Map<string, unknown>;
  documentIds: Map<number, unknown>;
  fieldIds: Record<string, number>;
  fieldLength: Map<number, number[]>;
  averageFieldLength: number[];
  documentCount: number;
  nextId: number;
  dirtCount: number;
}

/** The index's state, by reference (serialise it before changing the index). */
export function saveMiniSearch(mini: MiniSearch<never>): SavedIndex {
  const state = stateOf(mini);
  return {
    tree: (state._index as unknown as { _tree: Map<string, unknown> })._tree,
    documentIds: state._documentIds,
    fieldIds: state._fieldIds,
    fieldLength: state._fieldLength,
    averageFieldLength: state._avgFieldLength,
    documentCount: state._documentCount,
    nextId: state._nextId,
    dirtCount: state._dirtCount,
  };
}

/**
 * A minisearch index from a {@link SavedIndex}, adopting its Maps: no JSON objects to walk and
 * convert, which is most of `MiniSearch.loadJS`'s time.
 */
export function restoreMiniSearch<T>(saved: SavedIndex, options: Options<T>): MiniSearch<T> {
  const mini = new MiniSearch<T>(options);
  const state = stateOf(mini as unknown as MiniSearch<never>);
  if (JSON.stringify(saved.fieldIds) !== JSON.stringify(state._fieldIds)) {
    throw new Error(`the snapshot's fields ${JSON.stringify(saved.fieldIds)} are not the index's`);
  }
  state._index = new SearchableMap(saved.tree as never);
  state._documentIds = saved.documentIds;
  state._idToShortId = new Map([...saved.documentIds].map(([shortId, id]) => [id, shortId]));
  state._fieldLength = saved.fieldLength;
  state._avgFieldLength = saved.averageFieldLength;
  state._documentCount = saved.documentCount;
  state._nextId = saved.nextId;
  state._dirtCount = saved.dirtCount;
  return mini;
}
