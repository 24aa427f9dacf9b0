// The entry of a training worker thread (see trainSignalFile): reads an index snapshot, trains the
// learnt signal from it (the translation model, then the ranker) and writes the signal file, away from the threads that acknowledge and
// search. It posts how many papers it trained on, and exits.
import { readFile } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { PackedStrings } from '../packedStrings.js';
import { DocumentIndex } from './documentIndex.js';
import { SIGNAL_TRAINING, type SignalTraining, trainSignalModel } from './signal.js';
import { writeSignal } from './signalFile.js';
import { readIndexSnapshot } from './snapshot.js';

if (!parentPort) throw new Error('signalWorker.js runs as a worker thread');
const port = parentPort;
const { snapshot, out, training } = workerData as {
  snapshot: string;
  out: string;
  training?: SignalTraining;
};
const started = performance.now();
const { saved } = readIndexSnapshot(await readFile(snapshot));
const settings = training ?? SIGNAL_TRAINING;
// The ranker is trained by searching: over an index of the snapshot's own, in this thread.
const model = trainSignalModel(
  { terms: new PackedStrings(saved.terms).toArray(), ...saved.table },
  () => DocumentIndex.restore(saved),
  settings,
);
await writeSignal(out, model, settings, Math.round(performance.now() - started));
port.postMessage({ papers: model.papers, ms: Math.round(performance.now() - started) });
