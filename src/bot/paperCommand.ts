import { z } from 'zod';
import { hasFilters, hasSearchTerms, isEmptyQuery, type PaperQuery, parseQuery } from '../search/query.js';

/** The longest `/paper` text accepted; a query longer than this is a paste, not a search. */
export const MAX_COMMAND_CHARS = 1000;

/** What a `/paper` line asks for. */
export type PaperCommand =
  | { kind: 'help' }
  | { kind: 'search'; text: string; query: PaperQuery }
  /** Not understood: `problems` are sentences (mrkdwn, already safe) that say what to type instead. */
  | { kind: 'invalid'; problems: string[] };

const CommandText = z
  .string()
  .max(MAX_COMMAND_CHARS, `That is too long for a search; keep it under ${MAX_COMMAND_CHARS} characters.`)
  .transform((text) => text.trim());

const HELP_WORDS = new Set(['', 'help', '-h', '--help', '?', 'usage']);

/** Parses the text after `/paper`. Never throws. */
export function parsePaperCommand(raw: string): PaperCommand {
  const checked = CommandText.safeParse(raw);
  if (!checked.success)
    return { kind: 'invalid', problems: checked.error.issues.map((issue) => issue.message) };
  const text = checked.data;
  if (HELP_WORDS.has(text.toLowerCase())) return { kind: 'help' };
  const { query, problems } = parseQuery(text);
  if (problems.length > 0) return { kind: 'invalid', problems };
  if (isEmptyQuery(query) || (!hasSearchTerms(query) && !hasFilters(query))) {
    return {
      kind: 'invalid',
      problems: [
        'Tell me what to look for: a few words about the topic, e.g. `/paper reward model ensembles`.',
      ],
    };
  }
  return { kind: 'search', text, query };
}
