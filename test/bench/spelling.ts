import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parsePaperCommand } from '../../src/bot/paperCommand.js';
import { silentLogger } from '../../src/logger.js';
import { Spelling, searchCorrectingSpelling } from '../../src/search/spelling.js';
import { openRealCorpus } from './evalCorpus.js';

/**
 * `node --import tsx test/bench/spelling.ts`: success at 10 of the misspelled known-item queries
 * (test/eval/misspelled.jsonl) and of the correctly spelled ones (known-items.jsonl), on the 85k
 * real corpus, searched as `/paper` searches them, with and without the spelling correction; and
 * what the correction costs (building the spellings, a corrected search).
 */
interface Row {
  id: string;
  query: string;
  arxivId: string;
  split: 'tune' | 'heldout';
  style: string;
}
const read = (name: string): Row[] =>
  readFileSync(fileURLToPath(new URL(`../eval/${name}`, import.meta.url)), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Row);

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

const { library } = await openRealCorpus(silentLogger);
let started = performance.now();
const spelling = Spelling.fromTitles(library.titles());
const buildMs = performance.now() - started;
console.log(`${library.size} papers; spellings: ${spelling.size} title words in ${buildMs.toFixed(0)} ms`);

for (const set of ['misspelled.jsonl', 'known-items.jsonl']) {
  const rows = read(set);
  for (const split of ['tune', 'heldout'] as const) {
    const of = rows.filter((row) => row.split === split);
    let plain = 0;
    let corrected = 0;
    let correctedQueries = 0;
    const times: number[] = [];
    for (const row of of) {
      const command = parsePaperCommand(row.query);
      if (command.kind !== 'search') continue;
      const found = await library.search(command.query, { limit: 10 });
      if (found.hits.some((hit) => hit.paper.arxivId === row.arxivId)) plain++;
      started = performance.now();
      const answer = await searchCorrectingSpelling(library, command.query, { limit: 10 }, () => spelling);
      times.push(performance.now() - started);
      if (answer.corrected) correctedQueries++;
      if (answer.results.hits.some((hit) => hit.paper.arxivId === row.arxivId)) corrected++;
    }
    const s10 = (n: number) => (n / of.length).toFixed(3);
    console.log(
      `${set.padEnd(18)} ${split.padEnd(8)} ${of.length} queries  s@10 without ${s10(plain)}  with ${s10(corrected)}  (${correctedQueries} corrected; search with correction median ${median(times).toFixed(1)} ms)`,
    );
  }
}
await library.close();
