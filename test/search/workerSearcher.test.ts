import { join } from 'node:path';
import { afterEach, describe, expect, test } from '@jest/globals';
import { silentLogger } from '../../src/logger.js';
import { DocumentIndex } from '../../src/search/documentIndex.js';
import { SearchBusy, searchDocument } from '../../src/search/paperSearch.js';
import { parseQuery } from '../../src/search/query.js';
import { writeIndexSnapshot } from '../../src/search/snapshot.js';
import { WorkerSearcher } from '../../src/search/workerSearcher.js';
import { bundledPapers } from '../support/papers.js';
import { tempDir } from '../support/tmp.js';

// The worker threads run the compiled search (dist/), which `npm test` builds first.
const documents = bundledPapers().map(searchDocument);
const local = DocumentIndex.build(documents);
const request = (text: string, limit = 5) => ({ query: parseQuery(text).query, limit });
async function* batches() {
  yield documents.slice(0, 50);
  yield documents.slice(50);
}

const started: WorkerSearcher[] = [];
const start = (options: Partial<ConstructorParameters<typeof WorkerSearcher>[0]> = {}) => {
  const searcher = new WorkerSearcher({ logger: silentLogger, ...options });
  started.push(searcher);
  return searcher;
};
afterEach(async () => {
  for (const searcher of started.splice(0)) await searcher.close();
});

describe('WorkerSearcher', () => {
  test('when its last worker dies, it says so once, and searches fail instead of waiting', async () => {
    const stopped: Error[] = [];
    const searcher = start({ workers: 2, onStopped: (error) => stopped.push(error) });
    await searcher.build(batches());
    // A crash, as the worker's code cannot be made to crash from here: its thread is ended.
    const { threads } = searcher as unknown as { threads: { worker: { terminate(): Promise<number> } }[] };
    await threads[0]?.worker.terminate();
    expect(stopped).toEqual([]);
    expect(await searcher.search(request('reward model ensembles'))).toEqual(
      local.search(request('reward model ensembles')),
    );
    await threads[1]?.worker.terminate();
    expect(stopped).toHaveLength(1);
    await expect(searcher.search(request('reward model ensembles'))).rejects.toThrow(
      'no search worker is running',
    );
  });

  test.each([1, 2])(
    'with %i workers: built, restored and added to, it answers as this thread does',
    async (workers) => {
      const searcher = start({ workers });
      await searcher.build(batches());
      for (const text of ['reward model ensembles', '"human feedback" -survey', 'segmentation has:code'])
        expect(await searcher.search(request(text))).toEqual(local.search(request(text)));

      const file = join(tempDir('paperbot-worker-'), 'index.snapshot');
      await writeIndexSnapshot(file, local, { offset: 1, fingerprint: 'x' });
      const restored = start({ workers });
      expect(await restored.restore(file)).toEqual({ offset: 1, fingerprint: 'x' });
      const added = {
        ...(documents[0] as (typeof documents)[number]),
        id: 'new-one',
        title: 'Zebra Finch Songs',
      };
      expect(await restored.add([added])).toBe(1);
      expect((await restored.search(request('zebra finch'))).hits.map((hit) => hit.id)).toEqual(['new-one']);
      // Every worker has it: as many searches as workers, at once.
      const all = await Promise.all(
        Array.from({ length: workers * 2 }, () => restored.search(request('zebra finch'))),
      );
      expect(all.map((results) => results.hits[0]?.id)).toEqual(Array(workers * 2).fill('new-one'));
    },
  );

  test('a snapshot it cannot use is refused with the reason', async () => {
    const searcher = start();
    await expect(searcher.restore('/nonexistent/index.snapshot')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  test('beyond what it can answer soon, searches are refused at once as busy; patient ones wait', async () => {
    const searcher = start({ maxWaitMs: 1 });
    await searcher.build(batches());
    const impatient = await Promise.allSettled(
      Array.from({ length: 20 }, () => searcher.search(request('reward'))),
    );
    const refused = impatient.filter((outcome) => outcome.status === 'rejected');
    // The first goes to the idle worker; every other would have to wait.
    expect(impatient[0]?.status).toBe('fulfilled');
    expect(refused.length).toBe(19);
    for (const outcome of refused)
      expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(SearchBusy);
    expect(searcher.shed).toBe(19);
    const patient = await Promise.all(
      Array.from({ length: 20 }, () => searcher.search(request('reward'), true)),
    );
    expect(patient.every((results) => results.total > 0)).toBe(true);
  });

  test('while its workers add papers, a search waits on this side and is refused as busy within the bound', async () => {
    const searcher = start({ maxWaitMs: 30 });
    await searcher.build(batches());
    // Enough papers that adding them keeps the worker busy far beyond the bound.
    const many = Array.from({ length: 10 }, (_, copy) =>
      documents.map((document) => ({ ...document, id: `${document.id}-copy-${copy}` })),
    ).flat();
    let added = false;
    const adding = searcher.add(many).then(() => {
      added = true;
    });
    const [impatient, patient] = await Promise.allSettled([
      searcher.search(request('reward model ensembles')),
      searcher.search(request('reward model ensembles'), true).then((results) => ({ results, added })),
    ]);
    expect(impatient.status === 'rejected' && impatient.reason).toBeInstanceOf(SearchBusy);
    // The patient one waited for the papers, and was answered over them.
    expect(patient.status === 'fulfilled' && patient.value.added).toBe(true);
    await adding;
  });

  test('the queue is bounded for patient searches too', async () => {
    const searcher = start({ maxQueue: 3 });
    await searcher.build(batches());
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, () => searcher.search(request('reward'), true)),
    );
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(4); // one running, three queued
  });
});
