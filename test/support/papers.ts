import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Paper, slugOf } from '../../src/papers/paper.js';

/** The seed Hugging Face Papers page shared with the project (read-only, beside the repo). */
export const SEED_PAGE = fileURLToPath(
  new URL('../../../shared/seed/000_0c55fc5ad3c50566.txt', import.meta.url),
);

/** The corpus that ships in data/: the seed papers and a sample of the Hugging Face daily papers. */
export const BUNDLED_CORPUS = fileURLToPath(new URL('../../data/bundled-papers.jsonl', import.meta.url));

/** The seed page's papers as `npm run seed` writes them. */
export const SEED_CORPUS = fileURLToPath(new URL('../../data/seed-papers.jsonl', import.meta.url));

/**
 * The seed page's 80 papers (the first papers of the bundled corpus), parsed without validation:
 * the small real corpus most tests search.
 */
export function bundledPapers(): Paper[] {
  return papersOf(SEED_CORPUS);
}

/** Every paper of the bundled corpus, parsed without validation (tests of the loader validate). */
export function shippedPapers(): Paper[] {
  return papersOf(BUNDLED_CORPUS);
}

/** How many papers the bundled corpus has (its lines: parsing 800 papers for every file that imports this cost more). */
export const BUNDLED_SIZE = readFileSync(BUNDLED_CORPUS, 'utf8').split('\n').filter(Boolean).length;

function papersOf(file: string): Paper[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Paper);
}

/** A paper for tests: only the title is required, the rest has sensible defaults. */
export function makePaper(fields: Partial<Paper> & { title: string }): Paper {
  return {
    id: slugOf(fields.title),
    abstract: '',
    authors: [],
    arrivedAt: '2026-11-01T00:00:00.000Z',
    source: 'paperbot',
    ...fields,
    links: { code: [], project: [], ...fields.links },
  };
}
