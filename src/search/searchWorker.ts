// The entry of a search worker thread (see WorkerSearcher): one index, answering the messages of
// the thread that started it, in order. Searches are synchronous here, so a search runs whole
// between two messages; a snapshot is copied at once and then written while searches go on.
import { parentPort } from 'node:worker_threads';
import type { SearchDocument } from './documentTable.js';
import { LocalSearcher } from './searcher.js';
import type { WorkerReply, WorkerRequest } from './workerProtocol.js';

if (!parentPort) throw new Error('searchWorker.js runs as a worker thread');
const port = parentPort;
const searcher = new LocalSearcher();
let building: SearchDocument[] = [];

async function handle(message: WorkerRequest): Promise<unknown> {
  switch (message.kind) {
    case 'restore':
      return searcher.restore(message.file);
    case 'restoreShared':
      return searcher.restoreFrom(new Uint8Array(message.bytes));
    case 'build':
      building.push(...message.documents);
      if (!message.done) return undefined;
      searcher.buildFrom(building);
      building = [];
      return undefined;
    case 'add':
      return searcher.add(message.documents);
    case 'search':
      return searcher.documents.search(message.request);
    case 'save':
      return searcher.save(message.file, message.corpus);
    case 'rank':
      return searcher.rankWith(message.ranking);
    case 'loadEveryList':
      return searcher.loadEveryList();
    case 'signal':
      return searcher.loadSignal(message.file);
    case 'related':
      return searcher.relatedTerms(message.text, message.count);
    case 'signalScores':
      return searcher.signalScores(message.text, message.ids);
  }
}

port.on('message', (message: WorkerRequest) => {
  handle(message).then(
    (result) => port.postMessage({ id: message.id, result } satisfies WorkerReply),
    (error: Error & { outdated?: boolean; code?: string }) =>
      port.postMessage({
        id: message.id,
        error: { name: error.name, message: error.message, outdated: error.outdated, code: error.code },
      } satisfies WorkerReply),
  );
});
