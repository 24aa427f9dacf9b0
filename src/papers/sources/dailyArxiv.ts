import { z } from 'zod';
import { dedupeUrls, findLinks } from '../links.js';
import { collapseWhitespace, type Paper } from '../paper.js';

/** One row of the daily-arXiv listings JSONL (arXiv metadata as scraped from the "new" listing). */
export const DailyArxivRow = z.object({
  id: z.string().regex(/^\d{4}\.\d{4,5}$/),
  title: z.string().min(1),
  summary: z.string(),
  authors: z.array(z.string()),
  categories: z.array(z.string()).default([]),
  comment: z.string().nullable().optional(),
  pdf: z.url().optional(),
  abs: z.url().optional(),
  listing_date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
});
export type DailyArxivRow = z.infer<typeof DailyArxivRow>;

/**
 * A daily-arXiv row as a {@link Paper}: the listing day as its date, abs/PDF links, and code
 * links found in the abstract or the comment ("Code: https://github.com/...").
 */
export function paperFromDailyArxiv(row: DailyArxivRow, arrivedAt: string): Paper {
  const abstract = collapseWhitespace(row.summary);
  const fromAbstract = findLinks(abstract);
  const fromComment = findLinks(row.comment ?? '');
  return {
    id: row.id,
    arxivId: row.id,
    title: collapseWhitespace(row.title),
    abstract,
    authors: row.authors.map(collapseWhitespace).filter(Boolean),
    published: row.listing_date,
    arrivedAt,
    links: {
      page: row.abs ?? `https://arxiv.org/abs/${row.id}`,
      pdf: row.pdf ?? `https://arxiv.org/pdf/${row.id}`,
      code: dedupeUrls([...fromAbstract.code, ...fromComment.code]),
      project: dedupeUrls([...fromAbstract.project, ...fromComment.project]),
    },
    source: 'daily-arxiv',
    ...(row.categories.length > 0 ? { categories: row.categories } : {}),
  };
}
