import { z } from 'zod';
import { hasFilters, hasSearchTerms, isEmptyQuery, type PaperQuery, parseQuery } from '../search/query.js';
import { TRENDING_PERIODS, type TrendingPeriod } from '../search/trending.js';
import { type Cadence, isTimeZone } from '../subscriptions/schedule.js';
import { MAX_TOPIC_CHARS } from '../subscriptions/subscription.js';
import {
  isRecapTopic,
  MAX_TRENDING,
  RECAP_TOPIC,
  trendingCount,
  trendingTopic,
} from '../subscriptions/topics.js';

/** The longest `/paper` text accepted; a query longer than this is a paste, not a search. */
export const MAX_COMMAND_CHARS = 1000;

/** Which part of a command a problem is about: the subscribe form shows it on that field. */
export type ProblemField = 'command' | 'query' | 'topic' | 'cadence' | 'time' | 'tz';

/** Why a command was not understood: a plain-text sentence that says what to type instead, and where. */
export interface Problem {
  field: ProblemField;
  message: string;
}

/** What a `/paper` line asks for. */
export type PaperCommand =
  | { kind: 'help' }
  | { kind: 'search'; text: string; query: PaperQuery }
  /** `cadence`, `time` and `tz` are absent where the user left them to the defaults. */
  | { kind: 'subscribe'; topic: string; cadence?: Cadence; time?: string; tz?: string }
  | { kind: 'subscriptions' }
  /** `/paper status`: what the bot knows and how fresh it is. */
  | { kind: 'status' }
  | { kind: 'unsubscribe'; target: string }
  | { kind: 'pause' | 'resume' | 'digest-now'; id: string }
  | AnchorCommand
  /** `taste`: what the channel's votes taught it; `taste reset [confirm]`: forget them (asks first). */
  | { kind: 'taste' }
  | { kind: 'taste-reset'; confirmed: boolean }
  | TeamCommand
  /** Not understood: what to type instead (the messages are plain text, escaped when rendered). */
  | { kind: 'invalid'; problems: Problem[] };

/**
 * `/paper cite <arXiv id, link or words>` (`arxivId` when the text names an arXiv paper, else a
 * search) and `/paper trending [today|week]`.
 */
export type AnchorCommand =
  | { kind: 'cite'; arxivId: string; text: string }
  | { kind: 'cite'; text: string; query: PaperQuery }
  | { kind: 'trending'; period: TrendingPeriod };

/**
 * `/paper who <topic>` (who in the workspace shared or discussed papers on it), `/paper who forget
 * me` (never be named by it).
 */
export type TeamCommand =
  | { kind: 'who'; topic: string; query: PaperQuery }
  | { kind: 'who-forget' }
  /** `/paper recap [week|month]`: what the workspace discussed most. */
  | { kind: 'recap'; period: 'week' | 'month' };

/** `recap [week|month]`. */
function parseRecap(args: string[]): PaperCommand {
  const period = args.join(' ').toLowerCase() || 'week';
  if (period === 'week' || period === 'month') return { kind: 'recap', period };
  return invalid(problem('command', 'Recap when? `/paper recap` (this week) or `/paper recap month`.'));
}

/** `who <topic>`, or `who forget me`. */
function parseWho(args: string[]): PaperCommand {
  const topic = args.join(' ');
  if (/^forget\s+me$/i.test(topic)) return { kind: 'who-forget' };
  if (!topic)
    return invalid(
      problem(
        'command',
        'Say which topic: `/paper who reward models` (or `/paper who forget me` to never be named).',
      ),
    );
  const parsed = parseSearch(topic);
  return parsed.kind === 'search' ? { kind: 'who', topic, query: parsed.query } : parsed;
}

const CommandText = z
  .string()
  .max(MAX_COMMAND_CHARS, `That is too long; keep it under ${MAX_COMMAND_CHARS} characters.`)
  .transform((text) => text.trim());

const HELP_WORDS = new Set(['', 'help', '-h', '--help', '?', 'usage']);

/** Parses the text after `/paper`. Never throws. */
export function parsePaperCommand(raw: string): PaperCommand {
  const checked = CommandText.safeParse(raw);
  if (!checked.success)
    return invalid(...checked.error.issues.map((issue) => problem('command', issue.message)));
  const text = checked.data;
  if (HELP_WORDS.has(text.toLowerCase())) return { kind: 'help' };
  const [first = '', ...rest] = text.split(/\s+/);
  // An own-property lookup: `/paper __proto__` or `constructor` must not reach Object's prototype.
  const name = first.toLowerCase();
  if (Object.hasOwn(SUBCOMMANDS, name)) return (SUBCOMMANDS[name] as (args: string[]) => PaperCommand)(rest);
  return parseSearch(text);
}

/** A search, or the problems of its query (reported on `field`: the query, or a subscription's topic). */
function parseSearch(text: string, field: ProblemField = 'query'): PaperCommand {
  const { query, problems } = parseQuery(text);
  if (problems.length > 0) return invalid(...problems.map((message) => problem(field, message)));
  if (isEmptyQuery(query) || (!hasSearchTerms(query) && !hasFilters(query))) {
    return invalid(
      problem(
        field,
        'Tell me what to look for: a few words about the topic, e.g. `/paper reward model ensembles`.',
      ),
    );
  }
  return { kind: 'search', text, query };
}

const problem = (field: ProblemField, message: string): Problem => ({ field, message });
const invalid = (...problems: Problem[]): PaperCommand => ({ kind: 'invalid', problems });

/** `pause <id>`-style commands take exactly one subscription id. */
function withId(kind: 'pause' | 'resume' | 'digest-now', usage: string) {
  return (args: string[]): PaperCommand => {
    const [id, ...extra] = args;
    if (!id || extra.length > 0)
      return invalid(
        problem('command', `Say which subscription: \`${usage}\` (ids are in \`/paper subscriptions\`).`),
      );
    return { kind, id: id.toLowerCase() };
  };
}

// An arXiv id (new or old style, with an optional version) alone, as `arXiv:…`, or in an
// arxiv.org / huggingface.co paper link.
const ARXIV_REFERENCE =
  /^(?:arxiv:|(?:https?:\/\/)?(?:www\.|export\.)?(?:arxiv\.org\/(?:abs|pdf)|huggingface\.co\/papers)\/)?(\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?\/\d{7})(?:v\d+)?(?:\.pdf)?\/?$/i;

/** `cite <arXiv id or words>`: an id or link names the paper; words search for it. */
function parseCite(args: string[]): PaperCommand {
  const text = args.join(' ');
  const id = ARXIV_REFERENCE.exec(text.trim());
  if (id)
    return {
      kind: 'cite',
      // Old-style ids: the archive is lower-case, its subject class upper-case (math.AG/0101001).
      arxivId: (id[1] as string).replace(
        /^([a-z-]+)(\.[a-z]{2})?\//i,
        (_whole, archive: string, subject?: string) =>
          `${archive.toLowerCase()}${subject?.toUpperCase() ?? ''}/`,
      ),
      text,
    };
  if (!text)
    return invalid(
      problem(
        'command',
        'Say which paper: `/paper cite 2310.02743`, an arXiv link, or a few words of its title.',
      ),
    );
  const parsed = parseSearch(text);
  return parsed.kind === 'search' ? { kind: 'cite', text, query: parsed.query } : parsed;
}

/** `trending [today|week]`. */
function parseTrending(args: string[]): PaperCommand {
  const period = (args.join(' ').toLowerCase() || 'today') as TrendingPeriod;
  if ((TRENDING_PERIODS as readonly string[]).includes(period)) return { kind: 'trending', period };
  return invalid(problem('command', 'Trending when? `/paper trending` (today) or `/paper trending week`.'));
}

const SUBCOMMANDS: Record<string, (args: string[]) => PaperCommand> = {
  cite: parseCite,
  trending: parseTrending,
  subscribe: parseSubscribe,
  subscriptions: () => ({ kind: 'subscriptions' }),
  // `status` alone; "status quo bias" is a search.
  status: (args) => (args.length === 0 ? { kind: 'status' } : parseSearch(['status', ...args].join(' '))),
  unsubscribe: (args) =>
    args.length > 0
      ? { kind: 'unsubscribe', target: args.join(' ') }
      : invalid(
          problem(
            'command',
            'Say which subscription to remove: `/paper unsubscribe <id or topic>` (see `/paper subscriptions`).',
          ),
        ),
  pause: withId('pause', '/paper pause <id>'),
  resume: withId('resume', '/paper resume <id>'),
  taste: parseTaste,
  who: parseWho,
  recap: parseRecap,
  digest: (args) =>
    args[0]?.toLowerCase() === 'now'
      ? withId('digest-now', '/paper digest now <id>')(args.slice(1))
      : invalid(problem('command', 'To post a digest at once: `/paper digest now <id>`.')),
};

/** `taste`, `taste reset`, `taste reset confirm`. */
function parseTaste(args: string[]): PaperCommand {
  const words = args.map((a) => a.toLowerCase());
  if (words.length === 0) return { kind: 'taste' };
  if (words[0] === 'reset' && words.length <= 2 && (words[1] ?? 'confirm') === 'confirm')
    return { kind: 'taste-reset', confirmed: words[1] === 'confirm' };
  return invalid(
    problem('command', "`/paper taste` shows this channel's taste; `/paper taste reset` forgets it."),
  );
}

const CADENCES = new Set<string>(['daily', 'weekly', 'weekdays']);
const SUBSCRIBE_USAGE = '`/paper subscribe <topic> [daily|weekdays|weekly] [at HH:MM] [tz Area/City]`';

/**
 * Whether the words end with a time option: `at` and a word that starts with a digit ("at 9",
 * "at 25:00", which is then refused), or "at 9 am" in two words. "Training at scale" is a topic.
 */
function isTimeOption(words: readonly string[]): boolean {
  const [third, second, last] = [words.at(-3), words.at(-2), words.at(-1)].map((w) => w?.toLowerCase());
  if (second === 'at' && last !== undefined && /^\d/.test(last)) return true;
  return third === 'at' && second !== undefined && /^\d/.test(second) && /^[ap]m$/.test(last ?? '');
}

/**
 * `subscribe <topic> [daily|weekdays|weekly] [at HH:MM] [tz Area/City]`: the options are read from
 * the end, in any order, so a topic may contain any words ("subscribe daily life" has the topic
 * "daily life", "training at scale" too). A time may be written `at 9`, `at 09:30`, `at 9am` or
 * `at 9 am`.
 */
function parseSubscribe(args: string[]): PaperCommand {
  const words = [...args];
  const found: { cadence?: Cadence; time?: string; tz?: string } = {};
  const problems: Problem[] = [];
  const word = (fromEnd: number) => words.at(-fromEnd);
  const lower = (fromEnd: number) => word(fromEnd)?.toLowerCase();
  for (;;) {
    const last = word(1);
    if (last === undefined) break;
    if (CADENCES.has(last.toLowerCase()) && found.cadence === undefined) {
      found.cadence = last.toLowerCase() as Cadence;
      words.pop();
    } else if (found.time === undefined && isTimeOption(words)) {
      // "at 9am", or "at 9 am" as two words.
      const spaced = lower(2) !== 'at';
      const written = spaced ? `${word(2)} ${last}` : last;
      const time = parseTime(written);
      if (time) found.time = time;
      else
        problems.push(
          problem(
            'time',
            `\`at ${written}\` is not a time; write it as \`at 09:00\` (24-hour) or \`at 9am\`.`,
          ),
        );
      words.splice(spaced ? -3 : -2);
    } else if (lower(2) === 'tz' && found.tz === undefined) {
      if (isTimeZone(last)) found.tz = canonicalZone(last);
      else
        problems.push(
          problem(
            'tz',
            `\`tz ${last}\` is not a time zone I know; use a name like \`Europe/Paris\` or \`America/New_York\`.`,
          ),
        );
      words.splice(-2);
    } else break;
  }
  const topic = words.join(' ');
  if (!topic)
    problems.push(
      problem(
        'topic',
        `Say what to follow: ${SUBSCRIBE_USAGE}, e.g. \`/paper subscribe reward models weekly\`.`,
      ),
    );
  else if (topic.length > MAX_TOPIC_CHARS) {
    problems.push(
      problem(
        'topic',
        `That topic is ${topic.length} characters; keep it under ${MAX_TOPIC_CHARS} (a few words work best).`,
      ),
    );
  } else if (isRecapTopic(topic)) {
    // "recap": what the workspace discussed, instead of a topic's new papers.
    if (problems.length === 0) return { kind: 'subscribe', topic: RECAP_TOPIC, ...found };
  } else if (trendingCount(topic) !== undefined) {
    // "top N trending" (or "trending"): the most upvoted papers instead of a topic.
    const count = trendingCount(topic) as number;
    if (count < 1 || count > MAX_TRENDING)
      problems.push(
        problem(
          'topic',
          `Trending digests hold 1 to ${MAX_TRENDING} papers: e.g. \`/paper subscribe top 5 trending weekly\`.`,
        ),
      );
    else if (problems.length === 0) return { kind: 'subscribe', topic: trendingTopic(count), ...found };
  } else {
    const parsed = parseSearch(topic, 'topic');
    if (parsed.kind === 'invalid') problems.push(...parsed.problems);
  }
  if (problems.length > 0) return invalid(...problems);
  return { kind: 'subscribe', topic, ...found };
}

/** "9", "9:30", "09:30", "9am", "9:30pm", "21:00" → "HH:MM"; undefined when not a time of day. */
export function parseTime(text: string): string | undefined {
  const match = /^(\d{1,2})(?::(\d{2}))?\s*(am|pm)?$/i.exec(text.trim());
  if (!match) return undefined;
  let hours = Number(match[1]);
  const minutes = Number(match[2] ?? '0');
  const meridiem = match[3]?.toLowerCase();
  if (meridiem) {
    if (hours < 1 || hours > 12) return undefined;
    hours = (hours % 12) + (meridiem === 'pm' ? 12 : 0);
  }
  if (hours > 23 || minutes > 59) return undefined;
  return `${String(hours).padStart(2, '0')}:${String(minutes).padStart(2, '0')}`;
}

/**
 * The usual spelling of a zone name ("europe/paris" → "Europe/Paris"). The runtime resolves some
 * names to an older alias ("America/Argentina/Buenos_Aires" → "America/Buenos_Aires"); the name
 * as typed is kept then, in its listed spelling when it is listed.
 */
function canonicalZone(name: string): string {
  const resolved = new Intl.DateTimeFormat('en-GB', { timeZone: name }).resolvedOptions().timeZone;
  if (resolved.toLowerCase() === name.toLowerCase()) return resolved;
  const listed = Intl.supportedValuesOf('timeZone').find((zone) => zone.toLowerCase() === name.toLowerCase());
  return listed ?? name;
}
