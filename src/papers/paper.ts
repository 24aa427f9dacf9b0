import { z } from 'zod';
import { DAY_PATTERN, isRealDay } from './day.js';

/** A calendar day, `YYYY-MM-DD`, checked to be a real date. */
export const IsoDay = z
  .string()
  .regex(DAY_PATTERN, 'expected a date as YYYY-MM-DD')
  .refine(isRealDay, { message: 'not a real calendar date' });

const HttpUrl = z.url({ protocol: /^https?$/ });

/** Where a paper can be read, downloaded and reproduced. */
export const PaperLinks = z.object({
  /** The paper's landing page (arXiv abs, Hugging Face paper page...), when known. */
  page: HttpUrl.optional(),
  pdf: HttpUrl.optional(),
  /** Code repositories (GitHub, GitLab, anonymous.4open.science), normalised, no duplicates. */
  code: z.array(HttpUrl).default([]),
  /** Project pages that are not code repositories. */
  project: z.array(HttpUrl).default([]),
});
export type PaperLinks = z.infer<typeof PaperLinks>;

/** Which source format a paper was parsed from. */
export const PaperSource = z.enum(['hf-papers-page', 'hf-daily-papers', 'arxiv', 'daily-arxiv', 'paperbot']);
export type PaperSource = z.infer<typeof PaperSource>;

/**
 * One research paper: the record every source format is parsed into at the edge, and the row
 * format of the corpus on disk (one JSON object per line).
 */
export const Paper = z.object({
  /** Stable id: the arXiv id (no version) where known, else a slug of the title. */
  id: z.string().min(1).max(200),
  arxivId: z
    .string()
    .regex(/^\d{4}\.\d{4,5}$|^[a-z-]+(\.[A-Z]{2})?\/\d{7}$/)
    .optional(),
  title: z.string().min(1).max(1000),
  abstract: z.string().max(20_000).default(''),
  authors: z.array(z.string().min(1)).default([]),
  /** Publication day, when the source gives one. */
  published: IsoDay.optional(),
  /** When this paper first entered the corpus (ISO timestamp); digests order by it. */
  arrivedAt: z.iso.datetime(),
  links: PaperLinks,
  source: PaperSource,
  /** arXiv categories (`cs.LG`...), when the source lists them. */
  categories: z.array(z.string()).optional(),
  /** Hugging Face upvotes, when known. */
  upvotes: z.number().int().nonnegative().optional(),
  /** GitHub stars of the first code repository, when known. */
  githubStars: z.number().int().nonnegative().optional(),
  /** A thumbnail image of the paper (Hugging Face). */
  thumbnail: HttpUrl.optional(),
  /** Key phrases of the paper written by a model (Hugging Face's `ai_keywords`); searched. */
  aiKeywords: z.array(z.string().min(1).max(200)).max(100).optional(),
  /** The latest arXiv version seen (`2401.12345v3` → 3), when a source names it. */
  arxivVersion: z.number().int().positive().optional(),
  /** A one-sentence summary written by a model (Hugging Face's `ai_summary`). */
  aiSummary: z.string().min(1).max(5000).optional(),
});
export type Paper = z.infer<typeof Paper>;

/**
 * Text as sources wrap it (arXiv breaks titles and abstracts at ~80 columns) with every run of
 * white space made one space: the line breaks are not the authors'.
 */
export function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** A URL-safe slug of a title, used as the id of papers that have no arXiv id. */
export function slugOf(title: string): string {
  const slug = normaliseTitle(title).replace(/ /g, '-').slice(0, 120).replace(/-+$/, '');
  return slug || 'untitled';
}

/** Lower-case letters and digits separated by single spaces: the key that dedupes titles across sources. */
export function normaliseTitle(title: string): string {
  return title
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/**
 * The link for the "Paper" button: the known page, or else a title search on arXiv. `isSearch`
 * tells the card to say "Find on arXiv" instead of pretending to know the paper's page.
 */
export function paperPageLink(paper: Pick<Paper, 'title' | 'links'>): { url: string; isSearch: boolean } {
  if (paper.links.page) return { url: paper.links.page, isSearch: false };
  const query = new URLSearchParams({ query: paper.title.slice(0, 300), searchtype: 'title' });
  return { url: `https://arxiv.org/search/?${query}`, isSearch: true };
}
