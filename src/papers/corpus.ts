import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Paper } from './paper.js';

/**
 * The corpus that ships with paperbot (`npm run bundle`): the papers of the seed Hugging Face
 * Papers page and a recent sample of the Hugging Face daily papers (see data/README.md).
 */
export const BUNDLED_CORPUS_FILE = fileURLToPath(new URL('../../data/bundled-papers.jsonl', import.meta.url));

/** The working corpus file inside a data directory. */
export function corpusFile(dataDir: string): string {
  return join(dataDir, 'papers.jsonl');
}

/** Corpus JSONL for these papers, one per line, as UTF-8 bytes. */
export function serialiseCorpus(papers: Iterable<Paper>): Buffer {
  const lines: Buffer[] = [];
  for (const paper of papers) lines.push(Buffer.from(`${JSON.stringify(paper)}\n`));
  return Buffer.concat(lines);
}

/**
 * Writes a file so that readers see either the old or the new content, never a half-written one:
 * write a temporary file beside it, then rename over the target.
 */
export async function writeFileAtomically(file: string, content: string | Buffer): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temporary, content);
  await rename(temporary, file);
}
