import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { normaliseTitle, type Paper } from '../../src/papers/paper.js';
import { random } from '../bench/corpora.js';
import { loadRealCorpus } from '../bench/scale.js';

/**
 * `tsx test/bench/makeKnownItems.ts`: writes known-items.jsonl, queries that name a paper of the 85k
 * corpus the way people do when they know which paper they want. Written once from fixed rules and a
 * fixed seed, before any ranking was tuned on it; rerunning gives the same file for the same corpus.
 *
 * Styles, 80 queries each, every other one held out:
 * - `title`: the whole title, as pasted from somewhere else;
 * - `title-start`: the first two thirds of the title's words, lower-cased, as remembered;
 * - `name`: the coined name a title starts with ("FloPE" of "FloPE: Flow-based ..."), alone.
 * A paper is skipped when the query would name another paper as well: another paper with the same
 * normalised title, another title that starts with the same words, or another title with the name.
 */
const STYLES = ['title', 'title-start', 'name'] as const;
const PER_STYLE = 80;
const OUT = fileURLToPath(new URL('../eval/known-items.jsonl', import.meta.url));

const papers = await loadRealCorpus();
const titles = papers.map((paper) => normaliseTitle(paper.title));
const sameTitle = new Map<string, number>();
for (const title of titles) sameTitle.set(title, (sameTitle.get(title) ?? 0) + 1);

/** The coined name a title starts with: one word before a colon, with a capital inside or a digit. */
function coinedName(title: string): string | undefined {
  const name = /^([^\s:]{3,30}):\s/u.exec(title)?.[1];
  if (!name || !/^\p{L}/u.test(name) || !/.\p{Lu}|\p{N}/u.test(name)) return undefined;
  return name;
}

function query(paper: Paper, style: (typeof STYLES)[number]): string | undefined {
  const title = normaliseTitle(paper.title);
  if ((sameTitle.get(title) ?? 0) > 1) return undefined;
  if (style === 'title') return paper.title;
  if (style === 'title-start') {
    const words = title.split(' ');
    if (words.length < 6) return undefined;
    const start = words.slice(0, Math.ceil((words.length * 2) / 3)).join(' ');
    const others = titles.filter((other) => other.startsWith(start)).length;
    return others === 1 ? start : undefined;
  }
  const name = coinedName(paper.title);
  if (!name) return undefined;
  const word = new RegExp(`(^| )${normaliseTitle(name).replace(/ /g, ' ')}( |$)`);
  return titles.filter((other) => word.test(other)).length === 1 ? name : undefined;
}

const next = random(14);
const rows: { id: string; query: string; arxivId: string; split: string; style: string }[] = [];
const used = new Set<string>();
for (const style of STYLES) {
  let made = 0;
  while (made < PER_STYLE) {
    const paper = papers[Math.floor(next() * papers.length)] as Paper;
    if (used.has(paper.id) || !paper.arxivId) continue;
    const text = query(paper, style);
    if (!text) continue;
    used.add(paper.id);
    rows.push({
      id: `k-${style}-${String(made + 1).padStart(2, '0')}`,
      query: text,
      arxivId: paper.arxivId,
      split: made % 2 === 0 ? 'tune' : 'heldout',
      style,
    });
    made++;
  }
}
writeFileSync(
  OUT,
  rows
    .map((row) => JSON.stringify(row))
    .join('\n')
    .concat('\n'),
);
console.log(`${rows.length} known-item queries written to ${OUT}`);
