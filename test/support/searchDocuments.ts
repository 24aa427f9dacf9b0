import type { SearchDocument } from '../../src/search/documentTable.js';

/** A document for the index's tests: a title and an abstract, no authors, keywords or code. */
export const searchDocument = (id: string, title: string, abstract: string): SearchDocument => ({
  id,
  title,
  abstract,
  authors: [],
  keywords: [],
  arrivedAt: '2026-11-01T00:00:00.000Z',
  hasCode: false,
});
