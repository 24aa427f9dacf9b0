import { isDeepStrictEqual } from 'node:util';
import { dedupeUrls } from './links.js';
import { normaliseTitle, type Paper } from './paper.js';

/**
 * One paper known from two sources, merged: code links and categories united, the richer value of
 * every other field kept (a longer abstract, a longer author list, a known date or link), counts
 * taken from the newer record, and the first arrival time and the id kept, since digests and
 * channels' posted lists depend on them.
 */
export function mergePaper(existing: Paper, incoming: Paper): Paper {
  const merged: Paper = {
    ...existing,
    arxivId: existing.arxivId ?? incoming.arxivId,
    title: existing.title || incoming.title,
    abstract: incoming.abstract.length > existing.abstract.length ? incoming.abstract : existing.abstract,
    authors: incoming.authors.length > existing.authors.length ? incoming.authors : existing.authors,
    published: existing.published ?? incoming.published,
    // biome-ignore lint/complexity/useMathMinMax: ISO timestamps compare as strings; Math.min would give NaN.
    arrivedAt: existing.arrivedAt <= incoming.arrivedAt ? existing.arrivedAt : incoming.arrivedAt,
    links: {
      page: existing.links.page ?? incoming.links.page,
      pdf: existing.links.pdf ?? incoming.links.pdf,
      code: dedupeUrls([...existing.links.code, ...incoming.links.code]),
      project: dedupeUrls([...existing.links.project, ...incoming.links.project]),
    },
  };
  const categories = [...new Set([...(existing.categories ?? []), ...(incoming.categories ?? [])])];
  if (categories.length > 0) merged.categories = categories;
  const upvotes = incoming.upvotes ?? existing.upvotes;
  if (upvotes !== undefined) merged.upvotes = upvotes;
  const githubStars = incoming.githubStars ?? existing.githubStars;
  if (githubStars !== undefined) merged.githubStars = githubStars;
  const thumbnail = existing.thumbnail ?? incoming.thumbnail;
  if (thumbnail !== undefined) merged.thumbnail = thumbnail;
  return merged;
}

/** What adding one paper to a collection did. */
export type MergeOutcome = 'new' | 'updated' | 'unchanged';

/**
 * The corpus in memory, deduplicated: a paper is the same as one already here when it has the
 * same id, the same arXiv id, or (for papers without an arXiv id, like the seed page's) the same
 * normalised title.
 */
export class PaperCollection {
  private readonly byId = new Map<string, Paper>();
  private readonly idByArxiv = new Map<string, string>();
  private readonly idByTitle = new Map<string, string>();

  constructor(papers: Iterable<Paper> = []) {
    for (const paper of papers) this.put(paper);
  }

  get size(): number {
    return this.byId.size;
  }

  /** Every paper, in insertion order. */
  papers(): IterableIterator<Paper> {
    return this.byId.values();
  }

  /** Adds or merges one paper; returns what happened and the paper as stored. */
  upsert(incoming: Paper): { outcome: MergeOutcome; paper: Paper } {
    const existing = this.find(incoming);
    if (!existing) {
      this.put(incoming);
      return { outcome: 'new', paper: incoming };
    }
    const merged = mergePaper(existing, incoming);
    if (samePaper(merged, existing)) return { outcome: 'unchanged', paper: existing };
    this.put(merged);
    return { outcome: 'updated', paper: merged };
  }

  private find(paper: Paper): Paper | undefined {
    const id =
      (this.byId.has(paper.id) ? paper.id : undefined) ??
      (paper.arxivId ? this.idByArxiv.get(paper.arxivId) : undefined) ??
      this.idByTitle.get(normaliseTitle(paper.title));
    return id === undefined ? undefined : this.byId.get(id);
  }

  private put(paper: Paper): void {
    this.byId.set(paper.id, paper);
    if (paper.arxivId) this.idByArxiv.set(paper.arxivId, paper.id);
    const title = normaliseTitle(paper.title);
    if (!this.idByTitle.has(title)) this.idByTitle.set(title, paper.id);
  }
}

/** Equal as stored: key order and keys holding `undefined` (absent once written as JSON) do not count. */
function samePaper(a: Paper, b: Paper): boolean {
  return isDeepStrictEqual(JSON.parse(JSON.stringify(a)), JSON.parse(JSON.stringify(b)));
}
