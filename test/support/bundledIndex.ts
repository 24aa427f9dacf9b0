import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SearchDocument } from '../../src/search/documentTable.js';
import { LocalSearcher } from '../../src/search/searcher.js';
import { tempDir } from './tmp.js';

/** The bundled corpus's documents (as JSON, to recognise them) and its index's snapshot, once per file. */
let bundled: { documents: string; snapshot?: Uint8Array } | undefined;

/**
 * The searcher of a library over the bundled corpus (bundledPapers()): most apps and bots of a file
 * serve that corpus, and indexing it was most of what starting one cost. The first of a file
 * builds the index and keeps its snapshot; the others restore a copy of it, the very index they
 * would have built (test/search/snapshot.test.ts: a restored index answers as the one it was saved
 * from, also once papers are added). Any other documents are indexed as usual.
 */
export class BundledSearcher extends LocalSearcher {
  constructor(private readonly bundledDocuments: () => readonly SearchDocument[]) {
    super();
  }

  override async build(batches: AsyncIterable<readonly SearchDocument[]>): Promise<void> {
    const documents: SearchDocument[] = [];
    for await (const batch of batches) documents.push(...batch);
    bundled ??= { documents: JSON.stringify(this.bundledDocuments()) };
    if (JSON.stringify(documents) !== bundled.documents) return this.buildFrom(documents);
    // A copy: a restored index reads the snapshot's arrays in place, and changes some.
    if (bundled.snapshot) return void this.restoreFrom(bundled.snapshot.slice());
    this.buildFrom(documents);
    const file = join(tempDir('paperbot-bundled-'), 'index.snapshot');
    await this.save(file, {});
    bundled.snapshot = readFileSync(file);
  }
}
