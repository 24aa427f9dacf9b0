import { z } from 'zod';
import { mergePaper } from './merge.js';
import { IsoDay, normaliseTitle, type Paper } from './paper.js';

/** Which papers of a large real set go into the bundled corpus. */
export interface SampleChoice {
  /** The papers published in the last `days` days of the set (counted back from its newest day). */
  days: number;
  /** And the `top` most upvoted papers of the whole set. */
  top: number;
  /** And these arXiv ids (the papers the examples name), wherever they are in the set. */
  ids: readonly string[];
  /** And every paper with an author whose name contains one of these (the `author:` examples). */
  authors: readonly string[];
}

/**
 * A sample of a set of papers that shows what paperbot does on a fresh clone: the most recent
 * weeks (for trending and digests), the most upvoted papers (the ones people look for by name),
 * and the papers the examples need. Ordered newest first, ties by id, so the file is reproducible.
 */
export function samplePapers(papers: readonly Paper[], choice: SampleChoice): Paper[] {
  const newest =
    papers
      .map((paper) => paper.published ?? '')
      .sort()
      .at(-1) ?? '';
  const since = newest
    ? new Date(Date.parse(`${newest}T00:00:00Z`) - (choice.days - 1) * 86_400_000).toISOString().slice(0, 10)
    : '';
  const chosen = new Map<string, Paper>();
  const take = (paper: Paper) => chosen.set(paper.id, paper);
  for (const paper of papers) if ((paper.published ?? '') >= since) take(paper);
  const byUpvotes = [...papers].sort(
    (a, b) => (b.upvotes ?? 0) - (a.upvotes ?? 0) || a.id.localeCompare(b.id),
  );
  for (const paper of byUpvotes.slice(0, choice.top)) take(paper);
  const ids = new Set(choice.ids);
  const names = choice.authors.map((name) => name.toLowerCase());
  for (const paper of papers) {
    const byAuthor = paper.authors.some((author) =>
      names.some((name) => author.toLowerCase().includes(name)),
    );
    if ((paper.arxivId && ids.has(paper.arxivId)) || byAuthor) take(paper);
  }
  return [...chosen.values()].sort(
    (a, b) => (b.published ?? '').localeCompare(a.published ?? '') || a.id.localeCompare(b.id),
  );
}

/**
 * What is known of a seed paper that its page does not say (the seed page has no arXiv ids,
 * authors or dates): one JSON object per line in `data/seed-identities.jsonl`, matched by title.
 */
export const SeedIdentity = z.object({
  title: z.string().min(1),
  arxivId: z.string().regex(/^\d{4}\.\d{4,5}$/),
  authors: z.array(z.string().min(1)).min(1),
  published: IsoDay,
});
export type SeedIdentity = z.infer<typeof SeedIdentity>;

/**
 * The bundled corpus: the seed papers (with what `identities` adds to them), then the sample,
 * a sample paper that is also a seed paper merged into it. Every paper arrives at `arrivedAt`.
 */
export function bundleCorpus(
  seed: readonly Paper[],
  sample: readonly Paper[],
  identities: readonly SeedIdentity[],
  arrivedAt: string,
): Paper[] {
  const known = new Map(identities.map((identity) => [normaliseTitle(identity.title), identity]));
  const papers = new Map<string, Paper>();
  const byTitle = new Map<string, string>();
  const byArxivId = new Map<string, string>();
  const add = (paper: Paper) => {
    const same = (paper.arxivId && byArxivId.get(paper.arxivId)) ?? byTitle.get(normaliseTitle(paper.title));
    const existing = same ? papers.get(same) : undefined;
    const merged = existing ? mergePaper(existing, paper) : paper;
    papers.set(merged.id, merged);
    byTitle.set(normaliseTitle(merged.title), merged.id);
    if (merged.arxivId) byArxivId.set(merged.arxivId, merged.id);
  };
  for (const paper of seed) {
    const identity = known.get(normaliseTitle(paper.title));
    add(
      identity
        ? {
            ...paper,
            arxivId: identity.arxivId,
            authors: paper.authors.length >= identity.authors.length ? paper.authors : identity.authors,
            published: paper.published ?? identity.published,
            arrivedAt,
            links: {
              ...paper.links,
              page: paper.links.page ?? `https://arxiv.org/abs/${identity.arxivId}`,
              pdf: paper.links.pdf ?? `https://arxiv.org/pdf/${identity.arxivId}`,
            },
          }
        : { ...paper, arrivedAt },
    );
  }
  for (const paper of sample) add({ ...paper, arrivedAt });
  return [...papers.values()];
}
