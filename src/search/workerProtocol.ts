import type { CorpusPosition } from '../papers/corpusStore.js';
import type { SearchRequest } from './documentIndex.js';
import type { SearchDocument } from './documentTable.js';
import type { Ranking } from './ranking.js';

/** A message to a search worker; the worker answers each with a {@link WorkerReply} of the same id. */
export type WorkerRequest = { id: number } & (
  | { kind: 'restore'; file: string }
  | { kind: 'restoreShared'; bytes: SharedArrayBuffer }
  | { kind: 'build'; documents: readonly SearchDocument[]; done: boolean }
  | { kind: 'add'; documents: readonly SearchDocument[] }
  | { kind: 'search'; request: SearchRequest }
  | { kind: 'save'; file: string; corpus: CorpusPosition }
  | { kind: 'rank'; ranking: Ranking }
  | { kind: 'loadEveryList' }
  | { kind: 'signal'; file: string }
  | { kind: 'related'; text: string; count?: number }
  | { kind: 'signalScores'; text: string; ids: readonly string[] }
);

/** A worker's answer: the result, or the error it threw (as data: errors cross threads as plain values). */
export type WorkerReply =
  | { id: number; result: unknown; error?: undefined }
  | { id: number; error: { name: string; message: string; outdated?: boolean; code?: string } };
