import { z } from 'zod';
import { dedupeUrls, findLinks, normaliseUrl } from '../links.js';
import { collapseWhitespace, type Paper } from '../paper.js';
import {
  type FetchOptions,
  fetchText,
  parseJsonBody,
  type Skipped,
  type SourceBatch,
  sourceError,
} from './http.js';

/** One item of `GET /api/daily_papers?date=YYYY-MM-DD` (only the fields paperbot uses). */
export const HfDailyItem = z.object({
  paper: z.object({
    id: z.string().regex(/^\d{4}\.\d{4,5}$/, 'not an arXiv id'),
    title: z.string().trim().min(1, 'no title'),
    summary: z.string().default(''),
    authors: z.array(z.object({ name: z.string() })).default([]),
    publishedAt: z.string().optional(),
    upvotes: z.number().int().nonnegative().optional(),
    githubRepo: z.string().nullable().optional(),
    githubStars: z.number().int().nonnegative().optional(),
    projectPage: z.string().nullable().optional(),
    // Model-written extras that older items lack; a malformed one is dropped, not the paper.
    ai_keywords: z.array(z.string()).optional().catch(undefined),
    ai_summary: z.string().nullable().optional().catch(undefined),
  }),
  thumbnail: z.string().optional(),
});
export type HfDailyItem = z.infer<typeof HfDailyItem>;

/** An HF daily-papers item as a {@link Paper}: the HF paper page, the arXiv PDF, the repository and project page. */
export function paperFromHfDaily(item: HfDailyItem, arrivedAt: string): Paper {
  const { paper } = item;
  const abstract = collapseWhitespace(paper.summary);
  const inAbstract = findLinks(abstract);
  const repo = paper.githubRepo ? normaliseUrl(paper.githubRepo) : undefined;
  const project = paper.projectPage ? normaliseUrl(paper.projectPage) : undefined;
  const published = paper.publishedAt?.slice(0, 10);
  const thumbnail = item.thumbnail && /^https?:\/\//.test(item.thumbnail) ? item.thumbnail : undefined;
  const aiKeywords = [
    ...new Set((paper.ai_keywords ?? []).map((keyword) => collapseWhitespace(keyword).slice(0, 200))),
  ]
    .filter(Boolean)
    .slice(0, 100);
  const aiSummary = collapseWhitespace(paper.ai_summary ?? '').slice(0, 5000);
  return {
    id: paper.id,
    arxivId: paper.id,
    title: collapseWhitespace(paper.title),
    abstract,
    authors: paper.authors.map((author) => collapseWhitespace(author.name)).filter(Boolean),
    ...(published && /^\d{4}-\d{2}-\d{2}$/.test(published) ? { published } : {}),
    arrivedAt,
    links: {
      page: `https://huggingface.co/papers/${paper.id}`,
      pdf: `https://arxiv.org/pdf/${paper.id}`,
      code: dedupeUrls([...(repo ? [repo] : []), ...inAbstract.code]),
      project: dedupeUrls([...(project ? [project] : []), ...inAbstract.project]),
    },
    source: 'hf-daily-papers',
    ...(paper.upvotes !== undefined ? { upvotes: paper.upvotes } : {}),
    ...(paper.githubStars !== undefined ? { githubStars: paper.githubStars } : {}),
    ...(thumbnail ? { thumbnail } : {}),
    ...(aiKeywords.length > 0 ? { aiKeywords } : {}),
    ...(aiSummary ? { aiSummary } : {}),
  };
}

/** Validates raw items and converts the good ones; a bad item is skipped with the reason. */
export function papersFromHfItems(items: unknown[], arrivedAt: string): SourceBatch {
  const papers: Paper[] = [];
  const skipped: Skipped[] = [];
  for (const raw of items) {
    const parsed = HfDailyItem.safeParse(raw);
    if (parsed.success) papers.push(paperFromHfDaily(parsed.data, arrivedAt));
    else
      skipped.push({
        reason: `HF item: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`,
      });
  }
  return { papers, skipped };
}

/** The items of one day's answer: a JSON array, or `{ data: [...] }` as some saved answers are. */
export function hfAnswerItems(body: unknown): unknown[] | undefined {
  if (Array.isArray(body)) return body;
  if (body && typeof body === 'object' && Array.isArray((body as { data?: unknown }).data))
    return (body as { data: unknown[] }).data;
  return undefined;
}

/** Fetches one day of the Hugging Face daily papers API (`<base>daily_papers?date=YYYY-MM-DD`). */
export async function fetchHfDay(
  baseUrl: string,
  day: string,
  arrivedAt: string,
  options?: FetchOptions,
): Promise<SourceBatch> {
  const url = `${baseUrl}daily_papers?${new URLSearchParams({ date: day })}`;
  const items = hfAnswerItems(parseJsonBody(url, await fetchText(url, options)));
  if (!items) throw sourceError(url, 'the answer is not a list of papers');
  return papersFromHfItems(items, arrivedAt);
}
