import { PaperbotError } from '../../errors.js';
import type { Paper } from '../paper.js';

/** How sources fetch: injectable for tests, with a timeout on every request. */
export interface FetchOptions {
  fetch?: typeof fetch;
  /** Abort a request after this long (default 30 s). */
  timeoutMs?: number;
}

/**
 * GETs a URL as text. A timeout, a network error, a non-2xx status or a body cut short all become
 * one {@link PaperbotError} (`paperbot_source_error`) whose message says which URL and what went
 * wrong, so a refresh can log it and try again later.
 */
export async function fetchText(url: string, options: FetchOptions = {}): Promise<string> {
  const { fetch: doFetch = fetch, timeoutMs = 30_000 } = options;
  let response: Response;
  try {
    response = await doFetch(url, {
      signal: AbortSignal.timeout(timeoutMs),
      headers: { 'user-agent': 'paperbot/0.1 (a Slack app for research papers)' },
    });
  } catch (error) {
    // undici reports "fetch failed" and keeps the real reason (refused, reset, closed) in `cause`.
    const cause = (error as { cause?: { message?: string } }).cause?.message;
    const reason =
      (error as Error).name === 'TimeoutError'
        ? `no answer within ${timeoutMs} ms`
        : `the connection failed (${cause ?? (error as Error).message})`;
    throw sourceError(url, reason, error);
  }
  if (!response.ok) throw sourceError(url, `HTTP ${response.status} ${response.statusText}`.trim());
  try {
    return await response.text();
  } catch (error) {
    throw sourceError(url, `the body was cut short (${(error as Error).message})`, error);
  }
}

/** Parses a JSON body, naming the URL when it is not JSON (a truncated answer, an HTML error page). */
export function parseJsonBody(url: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw sourceError(url, `the answer is not JSON (${(error as Error).message})`, error);
  }
}

/** A source failure about `url`. */
export function sourceError(url: string, reason: string, cause?: unknown): PaperbotError {
  return new PaperbotError('paperbot_source_error', `${url}: ${reason}`, { cause });
}

/** A record a source could not use, and why (counted in the ingest summary). */
export interface Skipped {
  reason: string;
}

/** What one read of a source produced. */
export interface SourceBatch {
  papers: Paper[];
  skipped: Skipped[];
}
