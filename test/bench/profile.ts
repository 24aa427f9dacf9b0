import { mkdirSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { parseArgs } from 'node:util';
import { Library } from '../../src/library.js';
import { silentLogger } from '../../src/logger.js';
import { corpusFile, serialiseCorpus, writeFileAtomically } from '../../src/papers/corpus.js';
import { DocumentIndex } from '../../src/search/documentIndex.js';
import { searchDocument } from '../../src/search/paperSearch.js';
import { parseQuery } from '../../src/search/query.js';
import { sampleTopics } from './digests.js';
import { corpusOf, SIZES } from './scale.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

/**
 * `npm run profile -- --size 1m [--data-dir DIR]`: where the time of 350 keyword queries goes
 * (self time per function, from an inspector CPU profile), and, with `--data-dir`, a data
 * directory of that corpus and its snapshot for profiling start-up:
 * `PAPERBOT_DATA_DIR=DIR node --cpu-prof dist/main.js`.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { size: { type: 'string', default: '1m' }, 'data-dir': { type: 'string' } },
  });
  const size = SIZES.find((known) => known === values.size);
  if (!size) throw new Error(`--size must be one of ${SIZES.join(', ')}`);
  const papers = await corpusOf(size);
  const index = DocumentIndex.build(papers.map(searchDocument));
  const dataDir = values['data-dir'];
  if (dataDir) {
    mkdirSync(dataDir, { recursive: true });
    await writeFileAtomically(corpusFile(dataDir), serialiseCorpus(papers));
    // The first start: the corpus validated, the index built, the catalog and snapshot written.
    await (await Library.open(dataDir, silentLogger)).close();
  }
  const queries = sampleTopics(papers, 350, 11).map((text) => parseQuery(text).query);
  for (const query of queries) index.search({ query, limit: 5 }); // warm-up, as the bench does

  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  const started = performance.now();
  for (const query of queries) index.search({ query, limit: 5 });
  const elapsed = performance.now() - started;
  const { profile } = (await session.post('Profiler.stop')) as {
    profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
  };
  const byNode = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    byNode.set(id, (byNode.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const byFunction = new Map<string, number>();
  for (const { id, callFrame } of profile.nodes) {
    const where = `${callFrame.functionName || '(anonymous)'} ${callFrame.url.split('/').slice(-2).join('/')}:${callFrame.lineNumber + 1}`;
    byFunction.set(where, (byFunction.get(where) ?? 0) + (byNode.get(id) ?? 0));
  }
  const total = [...byFunction.values()].reduce((sum, time) => sum + time, 0);
  console.log(
    `${papers.length} papers: 350 keyword queries in ${Math.round(elapsed)} ms (profiler on); self time:`,
  );
  for (const [where, time] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
    console.log(`${((100 * time) / total).toFixed(1).padStart(5)} %  ${where}`);
  }
}

await main();
