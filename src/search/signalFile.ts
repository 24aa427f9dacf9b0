import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { readSectionFile, readSectionFileHeader, writeSectionFile } from '../sectionFile.js';
import { RANKER_FEATURES } from './ranker.js';
import type { SignalTraining, TranslationModel } from './signal.js';

/**
 * The identity of the learnt signal's file: what it holds and how it is trained. A file of another
 * format is trained again, so bump this whenever either changes.
 */
export const SIGNAL_FORMAT = 'paperbot-signal/2';

/** The learnt signal's file inside a data directory, beside the index snapshot. */
export function signalFile(dataDir: string): string {
  return join(dataDir, 'index.signal');
}

/** What a signal file says about itself. */
export interface SignalHeader {
  format: string;
  training: SignalTraining;
  /** How many papers it was trained on. */
  papers: number;
  /** How many live papers its corpus had (files written before this was recorded: `papers`). */
  corpusPapers?: number;
  /** How long training took, ms. */
  trainingMs: number;
}

/**
 * Writes a trained model with its header (a section file: the arrays as their bytes; the ranker's
 * weights, when it has them, by RANKER_FEATURES).
 */
export async function writeSignal(
  file: string,
  model: TranslationModel,
  training: SignalTraining,
  trainingMs: number,
): Promise<void> {
  const header: SignalHeader = {
    format: SIGNAL_FORMAT,
    training,
    papers: model.papers,
    corpusPapers: model.corpusPapers,
    trainingMs,
  };
  await writeSectionFile(file, header, {
    words: model.words,
    starts: model.starts,
    targets: model.targets,
    weights: model.weights,
    ...(model.ranker ? { ranker: model.ranker } : {}),
  });
}

/**
 * The model in a signal file and its header; undefined when the file is missing, of another
 * format, or damaged (the signal is then trained again: nothing depends on it being there).
 */
export async function readSignal(
  file: string,
): Promise<{ header: SignalHeader; model: TranslationModel } | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch {
    return undefined;
  }
  try {
    const { header, sections } = readSectionFile(bytes);
    const h = header as Partial<SignalHeader> | null;
    if (h?.format !== SIGNAL_FORMAT || typeof h.papers !== 'number') return undefined;
    const words = sections.get('words');
    const starts = sections.get('starts');
    const targets = sections.get('targets');
    const weights = sections.get('weights');
    const ranker = sections.get('ranker');
    if (
      (ranker !== undefined &&
        (!(ranker instanceof Float64Array) ||
          ranker.length !== RANKER_FEATURES.length ||
          !ranker.every(Number.isFinite))) ||
      !Array.isArray(words) ||
      !(starts instanceof Int32Array) ||
      !(targets instanceof Int32Array) ||
      !(weights instanceof Float64Array) ||
      targets.length !== weights.length ||
      starts[starts.length - 1] !== targets.length ||
      starts.length - 1 > words.length ||
      !within(targets, words.length)
    )
      return undefined;
    return {
      header: h as SignalHeader,
      model: {
        words: words as string[],
        starts,
        targets,
        weights,
        papers: h.papers,
        corpusPapers: h.corpusPapers ?? h.papers,
        ...(ranker instanceof Float64Array ? { ranker } : {}),
      },
    };
  } catch {
    return undefined;
  }
}

/** A signal file's header alone (its arrays are not read), if it is a signal file of this format. */
export async function readSignalHeader(file: string): Promise<SignalHeader | undefined> {
  const header = (await readSectionFileHeader(file)) as Partial<SignalHeader> | null | undefined;
  return header?.format === SIGNAL_FORMAT && typeof header.papers === 'number'
    ? (header as SignalHeader)
    : undefined;
}

/** Whether every value is a valid index of an array of `length`. */
function within(values: Int32Array, length: number): boolean {
  for (let i = 0; i < values.length; i++) {
    const value = values[i] as number;
    if (value < 0 || value >= length) return false;
  }
  return true;
}

/**
 * Trains the learnt signal from an index snapshot in a worker thread of its own and writes it to
 * `out`; resolves with how many papers it was trained on and how long it took. The thread that
 * calls it only waits; `abort` stops the training (the promise then rejects).
 */
export function trainSignalFile(
  snapshot: string,
  out: string,
  training?: SignalTraining,
  abort?: AbortSignal,
): Promise<{ papers: number; ms: number }> {
  return new Promise((resolve, reject) => {
    // Already stopped (a close while the last signal was being loaded): no training at all.
    if (abort?.aborted) return reject(new Error('the signal training was stopped'));
    const worker = new Worker(trainingEntry(), { workerData: { snapshot, out, training } });
    // Stopped, the worker leaves no file: it writes it whole, then renames it into place.
    const stop = () => void worker.terminate();
    abort?.addEventListener('abort', stop, { once: true });
    let result: { papers: number; ms: number } | undefined;
    worker.on('message', (message: { papers: number; ms: number }) => {
      result = message;
    });
    worker.on('error', reject);
    worker.on('exit', (code) => {
      abort?.removeEventListener('abort', stop);
      if (result) resolve(result);
      else reject(new Error(`the signal training worker exited with code ${code}`));
    });
  });
}

/**
 * The training worker's script: the compiled signalWorker.js beside this module (under jest this
 * module is the TypeScript source, and tests use the build in dist/, as for the search worker).
 */
function trainingEntry(): URL {
  return import.meta.url.endsWith('.ts')
    ? new URL('../../dist/search/signalWorker.js', import.meta.url)
    : new URL('./signalWorker.js', import.meta.url);
}
