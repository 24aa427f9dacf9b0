#!/usr/bin/env node
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { PaperbotError } from './errors.js';
import { bundleCorpus, SeedIdentity, samplePapers } from './papers/bundle.js';
import { serialiseCorpus, writeFileAtomically } from './papers/corpus.js';
import { Paper } from './papers/paper.js';
import { readPaperFile } from './papers/sources/files.js';

const USAGE = `Usage: node dist/bundle.js <hf-daily-papers.jsonl.gz> --seed FILE --identities FILE --out FILE
  [--days N] [--top N] [--id ARXIV_ID ...] [--author NAME ...] [--arrived-at ISO]
Writes the bundled corpus: the seed papers and a sample of the Hugging Face daily papers.`;

/** `npm run bundle`: builds data/bundled-papers.jsonl from the seed and a Hugging Face daily-papers dump. */
async function main(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      seed: { type: 'string' },
      identities: { type: 'string' },
      out: { type: 'string' },
      days: { type: 'string', default: '42' },
      top: { type: 'string', default: '150' },
      id: { type: 'string', multiple: true, default: [] },
      author: { type: 'string', multiple: true, default: [] },
      'arrived-at': { type: 'string', default: '2026-11-26T00:00:00.000Z' },
    },
  });
  const [source] = positionals;
  if (!source || !values.seed || !values.identities || !values.out)
    throw new PaperbotError('paperbot_config_error', USAGE);
  const arrivedAt = new Date(values['arrived-at']).toISOString();
  const jsonLines = async (file: string) =>
    (await readFile(file, 'utf8'))
      .split('\n')
      .filter((line) => line.trim())
      .map((line) => JSON.parse(line));
  const seed = (await jsonLines(values.seed)).map((row) => Paper.parse(row));
  const identities = (await jsonLines(values.identities)).map((row) => SeedIdentity.parse(row));
  const { papers, skipped } = await readPaperFile(source, arrivedAt, 'hf-daily');
  const sample = samplePapers(papers, {
    days: Number(values.days),
    top: Number(values.top),
    ids: values.id,
    authors: values.author,
  });
  const corpus = bundleCorpus(seed, sample, identities, arrivedAt);
  await writeFileAtomically(values.out, serialiseCorpus(corpus));
  process.stderr.write(
    `${corpus.length} papers written to ${values.out} (${seed.length} seed, ${sample.length} of ${papers.length} Hugging Face papers; ${skipped.length} skipped)\n`,
  );
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${error instanceof PaperbotError ? error.message : (error as Error).stack}\n`);
  process.exitCode = 1;
});
