import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// Many tests replay the real public data of ../shared (seed page, HF and arXiv items, SciFact) in
// place. Without it every one of them would fail on its own ENOENT; say once what is missing.
export default function checkSharedData() {
  const shared = fileURLToPath(new URL('../../../shared/', import.meta.url));
  for (const needed of ['seed', 'data/scifact', 'data/daily-arxiv', 'data/hf-daily-papers']) {
    if (!existsSync(`${shared}${needed}`)) {
      throw new Error(
        `The tests read the shared test data in ${shared} (missing: ${needed}). Clone paperbot beside the shared/ folder, as CI does.`,
      );
    }
  }
}
