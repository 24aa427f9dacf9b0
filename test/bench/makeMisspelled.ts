import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../../src/logger.js';
import { normaliseTitle, type Paper } from '../../src/papers/paper.js';
import { STOP_WORDS } from '../../src/search/text.js';
import { random } from './corpora.js';
import { openRealCorpus } from './evalCorpus.js';

/**
 * `tsx test/bench/makeMisspelled.ts`: writes misspelled.jsonl, known-item queries with typos, from
 * fixed rules and a fixed seed, before the spelling correction was tuned on them. A query is the
 * first six words of a paper's title (lower-case, as remembered), with one typo in a word of five
 * letters or more (a second one in a third of the queries): a letter dropped, doubled, replaced or
 * swapped with the next one, never the first letter. Papers whose title another paper shares are
 * skipped. 120 queries, every other one held out.
 */
const COUNT = 120;
const OUT = fileURLToPath(new URL('../eval/misspelled.jsonl', import.meta.url));
const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

const { library } = await openRealCorpus(silentLogger);
const papers: Paper[] = [];
for await (const batch of library.papers()) papers.push(...batch);
await library.close();
papers.sort((a, b) => a.id.localeCompare(b.id));
const sameTitle = new Map<string, number>();
for (const paper of papers) {
  const title = normaliseTitle(paper.title);
  sameTitle.set(title, (sameTitle.get(title) ?? 0) + 1);
}

const next = random(22);
const pick = (n: number) => Math.floor(next() * n);

/** One typo in a word, past its first letter. */
function typo(word: string): string {
  const at = 1 + pick(word.length - 1);
  const kind = pick(4);
  if (kind === 0) return word.slice(0, at) + word.slice(at + 1); // dropped
  if (kind === 1) return word.slice(0, at) + word[at] + word.slice(at); // doubled
  if (kind === 2) {
    const letter = LETTERS[pick(26)] as string;
    return letter === word[at] ? typo(word) : word.slice(0, at) + letter + word.slice(at + 1); // replaced
  }
  if (at === word.length - 1 || word[at] === word[at + 1]) return typo(word);
  return word.slice(0, at) + word[at + 1] + word[at] + word.slice(at + 2); // swapped
}

const rows: { id: string; query: string; arxivId: string; split: string; style: string }[] = [];
const used = new Set<string>();
while (rows.length < COUNT) {
  const paper = papers[pick(papers.length)] as Paper;
  const title = normaliseTitle(paper.title);
  if (!paper.arxivId || used.has(paper.id) || (sameTitle.get(title) ?? 0) > 1) continue;
  const words = title.split(' ').slice(0, 6);
  const candidates = words
    .map((word, i) => ({ word, i }))
    .filter(({ word }) => word.length >= 5 && /^[a-z]+$/.test(word) && !STOP_WORDS.has(word));
  if (candidates.length === 0) continue;
  const typos = candidates.length > 1 && next() < 1 / 3 ? 2 : 1;
  for (let n = 0; n < typos; n++) {
    const chosen = candidates.splice(pick(candidates.length), 1)[0] as { word: string; i: number };
    words[chosen.i] = typo(chosen.word);
  }
  used.add(paper.id);
  rows.push({
    id: `m-${String(rows.length + 1).padStart(3, '0')}`,
    query: words.join(' '),
    arxivId: paper.arxivId,
    split: rows.length % 2 === 0 ? 'tune' : 'heldout',
    style: typos === 1 ? 'one-typo' : 'two-typos',
  });
}
writeFileSync(OUT, `${rows.map((row) => JSON.stringify(row)).join('\n')}\n`);
console.log(`${rows.length} misspelled known-item queries written to ${OUT}`);
