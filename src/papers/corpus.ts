import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PaperbotError } from '../errors.js';
import { Paper } from './paper.js';

/** The corpus that ships with paperbot: the papers of the seed Hugging Face Papers page. */
export const BUNDLED_CORPUS_FILE = fileURLToPath(new URL('../../data/seed-papers.jsonl', import.meta.url));

/** The working corpus file inside a data directory. */
export function corpusFile(dataDir: string): string {
  return join(dataDir, 'papers.jsonl');
}

/** The papers of a corpus, the file they came from, and a fingerprint of its bytes. */
export interface Corpus {
  papers: Paper[];
  file: string;
  /** sha256 of the file's bytes: an index snapshot is valid only for the same fingerprint. */
  fingerprint: string;
}

/**
 * Loads the working corpus of `dataDir`, or the bundled seed corpus when the directory has none
 * yet (a fresh install). Every row is validated; a bad row stops the load with its line number.
 */
export async function loadCorpus(dataDir: string): Promise<Corpus> {
  const working = corpusFile(dataDir);
  // Bytes, not a string: a corpus of a few hundred thousand papers is longer than V8's longest string.
  const text = await readFile(working).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw new PaperbotError('paperbot_corpus_error', `Cannot read the corpus ${working}: ${error.message}`, {
      cause: error,
    });
  });
  if (text !== undefined) return parseCorpus(text, working);
  return parseCorpus(await readFile(BUNDLED_CORPUS_FILE), BUNDLED_CORPUS_FILE);
}

/** Parses corpus JSONL (one {@link Paper} per line; blank lines allowed). */
export function parseCorpus(text: string | Buffer, file: string): Corpus {
  const papers: Paper[] = [];
  for (const [index, line] of linesOf(typeof text === 'string' ? Buffer.from(text) : text)) {
    if (!line.trim()) continue;
    const where = `${file} line ${index + 1}`;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch (error) {
      throw new PaperbotError(
        'paperbot_corpus_error',
        `${where} is not valid JSON (${(error as Error).message}). Fix or delete that line, or delete the file to start again from the bundled corpus.`,
      );
    }
    const parsed = Paper.safeParse(row);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const path = issue?.path.join('.') || 'row';
      throw new PaperbotError(
        'paperbot_corpus_error',
        `${where} is not a valid paper: ${path}: ${issue?.message}. Fix or delete that line.`,
      );
    }
    papers.push(parsed.data);
  }
  return { papers, file, fingerprint: fingerprintOf(text) };
}

/** Corpus JSONL for these papers, one per line, as UTF-8 bytes. */
export function serialiseCorpus(papers: Iterable<Paper>): Buffer {
  const lines: Buffer[] = [];
  for (const paper of papers) lines.push(Buffer.from(`${JSON.stringify(paper)}\n`));
  return Buffer.concat(lines);
}

/** The lines of UTF-8 bytes, decoded one at a time, with their index. */
function* linesOf(bytes: Buffer): Generator<[number, string]> {
  let start = 0;
  for (let index = 0; start < bytes.length; index++) {
    const end = bytes.indexOf(10, start);
    const stop = end === -1 ? bytes.length : end;
    yield [index, bytes.toString('utf8', start, stop)];
    start = stop + 1;
  }
}

/** sha256 hex of a corpus text. */
export function fingerprintOf(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
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
