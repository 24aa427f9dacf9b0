import { findLinks } from '../links.js';
import { type Paper, slugOf } from '../paper.js';

/** The shortest line taken for an abstract; page chrome ("Subscribe", "May 8") is far shorter. */
const MIN_ABSTRACT_CHARS = 200;
/** The longest line taken for a title; anything longer is prose. */
const MAX_TITLE_CHARS = 400;

/**
 * Parses the text of a Hugging Face Papers listing page (as copied or scraped: page chrome, a date
 * line, then a title line and an abstract line per paper) into papers.
 *
 * A paper is a title line directly followed by an abstract line; everything else (the "Subscribe"
 * banner, the date, navigation) is skipped. The page carries no ids, authors or dates, so each
 * paper gets a title slug as id and no page link (cards then offer a title search).
 */
export function parseHfPapersPage(text: string, arrivedAt: string): Paper[] {
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
  const papers = new Map<string, Paper>();
  for (let i = 0; i + 1 < lines.length; i++) {
    const title = lines[i] as string;
    const abstract = lines[i + 1] as string;
    if (!isTitle(title) || !isAbstract(abstract)) continue;
    const id = slugOf(title);
    if (!papers.has(id)) {
      papers.set(id, {
        id,
        title,
        abstract,
        authors: [],
        arrivedAt,
        links: { ...findLinks(abstract) },
        source: 'hf-papers-page',
      });
    }
    i++; // the abstract line is consumed
  }
  return [...papers.values()];
}

function isTitle(line: string): boolean {
  return line.length <= MAX_TITLE_CHARS && /\p{L}/u.test(line);
}

function isAbstract(line: string): boolean {
  return line.length >= MIN_ABSTRACT_CHARS;
}
