/**
 * Finding code repositories and project pages in free text (abstracts, arXiv comments), the way
 * authors actually write them: with or without a scheme, followed by a full stop, sometimes
 * repeated inside LaTeX braces (`url{url}`).
 */

/** Hosts whose links are code repositories; everything else found in text is a project page. */
const CODE_HOSTS = ['github.com', 'gitlab.com', 'anonymous.4open.science', 'bitbucket.org', 'codeberg.org'];

// A URL runs until white space or a character that never ends one in prose (`{` starts LaTeX's
// duplicate in `url{url}`). Bare `github.com/...` without a scheme is common in abstracts.
const URL_IN_TEXT =
  /\b(?:https?:\/\/|www\.|(?:github\.com|gitlab\.com|anonymous\.4open\.science|bitbucket\.org|codeberg\.org)\/)[^\s<>"'{}|\\^`[\]]+/giu;

/** Links found in a text, split into code repositories and project pages, normalised and deduped. */
export interface FoundLinks {
  code: string[];
  project: string[];
}

/** Extracts and normalises every link in `text`. Order of first appearance is kept. */
export function findLinks(text: string): FoundLinks {
  const found: FoundLinks = { code: [], project: [] };
  for (const match of text.matchAll(URL_IN_TEXT)) {
    const url = normaliseUrl(match[0]);
    if (!url) continue;
    (isCodeHost(url) ? found.code : found.project).push(url);
  }
  return { code: dedupeUrls(found.code), project: dedupeUrls(found.project) };
}

/**
 * Cleans a URL as written in prose: adds a missing scheme, drops trailing sentence punctuation and
 * unbalanced closing brackets, and reduces a GitHub/GitLab link to its repository root. Returns
 * undefined for something that does not parse as an http(s) URL with a dotted host.
 */
export function normaliseUrl(raw: string): string | undefined {
  let text = raw.trim();
  // Trailing punctuation belongs to the sentence, not the URL ("see https://x.io/a.").
  for (;;) {
    const trimmed = text.replace(/[.,;:!?'"*]+$/u, '');
    const unbalancedParen = trimmed.endsWith(')') && count(trimmed, '(') < count(trimmed, ')');
    const next = unbalancedParen ? trimmed.slice(0, -1) : trimmed;
    if (next === text) break;
    text = next;
  }
  if (!/^https?:\/\//i.test(text)) text = `https://${text}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (!url.hostname.includes('.') || url.hostname.endsWith('.')) return undefined;
  const host = url.hostname.replace(/^www\./, '');
  if (host === 'github.com' || host === 'gitlab.com' || host === 'bitbucket.org' || host === 'codeberg.org') {
    const [owner, repo] = url.pathname.split('/').filter(Boolean);
    if (!owner) return undefined;
    return `https://${host}/${owner}${repo ? `/${repo.replace(/\.git$/i, '')}` : ''}`;
  }
  url.hash = '';
  const href = url.href;
  // new URL() adds a '/' to a bare host; keep the URL as the author wrote it.
  return url.pathname === '/' && !url.search && !text.endsWith('/') ? href.slice(0, -1) : href;
}

/** True when the URL points at a code hosting service. */
function isCodeHost(url: string): boolean {
  try {
    const host = new URL(url).hostname.replace(/^www\./, '');
    return CODE_HOSTS.includes(host);
  } catch {
    return false;
  }
}

/** Drops later duplicates, comparing case-insensitively and ignoring a trailing slash. */
export function dedupeUrls(urls: Iterable<string>): string[] {
  const seen = new Set<string>();
  const kept: string[] = [];
  for (const url of urls) {
    const key = url.toLowerCase().replace(/\/+$/, '');
    if (seen.has(key)) continue;
    seen.add(key);
    kept.push(url);
  }
  return kept;
}

function count(text: string, char: string): number {
  let n = 0;
  for (const c of text) if (c === char) n++;
  return n;
}
