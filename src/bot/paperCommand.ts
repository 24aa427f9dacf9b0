import { z } from 'zod';
import type { HelpEntry } from '../blocks/help.js';
import { hasFilters, hasSearchTerms, isEmptyQuery, type PaperQuery, parseQuery } from '../search/query.js';
import { TRENDING_PERIODS, type TrendingPeriod } from '../search/trending.js';
import { STRICTNESS, type Strictness } from '../subscriptions/aboutness.js';
import { type Cadence, isTimeZone } from '../subscriptions/schedule.js';
import { MAX_TOPIC_CHARS } from '../subscriptions/subscription.js';
import {
  isRecapTopic,
  MAX_TRENDING,
  RECAP_TOPIC,
  trendingCount,
  trendingTopic,
} from '../subscriptions/topics.js';

/** Cards in a `/paper` answer (and in `paperbot search` without --limit). */
export const COMMAND_RESULTS = 5;

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
  /**
   * A search. `arxivId` when the text names one paper (an arXiv id or link): that paper comes
   * first. `note` when the line began with a command word whose arguments did not fit it: what
   * the command would have needed (the answer asks "did you mean the command?").
   */
  | { kind: 'search'; text: string; query: PaperQuery; arxivId?: string; note?: string }
  /** `cadence`, `time` and `tz` are absent where the user left them to the defaults. */
  | {
      kind: 'subscribe';
      topic: string;
      cadence?: Cadence;
      time?: string;
      tz?: string;
      strictness?: Strictness;
    }
  | { kind: 'subscriptions' }
  /** `/paper status`: what the bot knows and how fresh it is. */
  | { kind: 'status' }
  | { kind: 'unsubscribe'; target: string }
  | { kind: 'pause' | 'resume' | 'digest-now'; id: string }
  | { kind: 'strictness'; id: string; strictness: Strictness }
  | AnchorCommand
  /** `taste`: what the channel's votes taught it; `taste reset [confirm]`: forget them (asks first). */
  | { kind: 'taste' }
  | { kind: 'taste-reset'; confirmed: boolean }
  /** `for <text>`: the best papers for a message's text (the message shortcut, in the console). */
  | { kind: 'for'; text: string }
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
function parseRecap(args: string[]): PaperCommand | undefined {
  const period = args.join(' ').toLowerCase() || 'week';
  if (period === 'week' || period === 'month') return { kind: 'recap', period };
  return undefined; // "recap of ..." is a search
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

const HELP_WORDS = new Set(['', 'help', '-h', '--help', 'usage']);

/** Whether a text (a `/paper` line, a mention's question) asks for help and nothing else. */
export function asksForHelp(text: string): boolean {
  return HELP_WORDS.has(
    text
      .trim()
      .replace(/[.!?]+$/, '')
      .toLowerCase(),
  );
}

/** Parses the text after `/paper`. Never throws. */
export function parsePaperCommand(raw: string): PaperCommand {
  const checked = CommandText.safeParse(raw);
  if (!checked.success)
    return invalid(...checked.error.issues.map((issue) => problem('command', issue.message)));
  const text = checked.data;
  if (asksForHelp(text)) return { kind: 'help' };
  const [first = '', ...rest] = text.split(/\s+/);
  const spec = commandNamed(first);
  if (spec?.parse) {
    const command = spec.parse(rest);
    if (command) return command;
    // The words after a command word that do not fit it are a search ("resume screening with LLMs"),
    // which asks whether the command was meant, unless the word opened a request ("help me find…").
    const search = parseSearch(text);
    return search.kind === 'search' && search.text === text
      ? { ...search, note: `Did you mean the command \`${spec.usage}\`? These are papers for your words.` }
      : search;
  }
  return parseSearch(text);
}

/** The command a line's first word names (an own-property-safe lookup: `__proto__` is no command). */
function commandNamed(word: string): CommandSpec | undefined {
  const name = word.toLowerCase();
  return PAPER_COMMANDS.find((spec) => spec.word === name && spec.parse);
}

const REQUEST_VERB = '(?:find|show|give|get|list|recommend|suggest|search(?:\\s+for)?|look(?:ing)?\\s+for)';

/**
 * A request's opening words ("help me find", "can you show me", "find me", "find papers on"): how
 * people ask, not what they ask about. A verb alone is taken only before "me" or "papers", so a
 * title that starts with "Show" or "Find" is still searched whole.
 */
const REQUEST_OPENING = new RegExp(
  [
    // "help me find", "can you please show me", "please find"
    `^(?:(?:please|pls|hey|hi),?\\s+)*(?:help\\s+me(?:\\s+to)?|(?:can|could|would|will)\\s+you(?:\\s+please)?|please)\\s+(?:${REQUEST_VERB}\\s+)?(?:me\\s+)?`,
    // "find me", "show me"
    `^${REQUEST_VERB}\\s+me\\s+`,
    // "find papers on", "show some work about": the verb, when papers are what it asks for
    `^${REQUEST_VERB}\\s+(?=(?:some|any|good|recent|the\\s+best)?\\s*(?:papers?|work|research)\\b)`,
  ].join('|'),
  'i',
);

/** The text without a request's opening words, when something is left to search for. */
function withoutRequestOpening(text: string): string {
  const opening = REQUEST_OPENING.exec(text)?.[0] ?? '';
  const rest = text.slice(opening.length).trim();
  return rest ? rest : text;
}

// An arXiv id (new or old style, with an optional version) alone, as `arXiv:…`, or in an
// arxiv.org / huggingface.co paper link (with or without a query string or fragment).
const ARXIV_REFERENCE =
  /^<?(?:arxiv:\s*|(?:https?:\/\/)?(?:www\.|export\.)?(?:arxiv\.org\/(?:abs|pdf)|huggingface\.co\/papers)\/)?(\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?\/\d{7})(?:v\d+)?(?:\.pdf)?\/?(?:[?#][^\s>]*)?>?$/i;

/** The arXiv id a text names (an id, `arXiv:` id, or arxiv.org / huggingface.co/papers link), if it is one. */
export function arxivIdOf(text: string): string | undefined {
  const id = ARXIV_REFERENCE.exec(text.trim())?.[1];
  // Old-style ids: the archive is lower-case, its subject class upper-case (math.AG/0101001).
  return id?.replace(
    /^([a-z-]+)(\.[a-z]{2})?\//i,
    (_whole, archive: string, subject?: string) => `${archive.toLowerCase()}${subject?.toUpperCase() ?? ''}/`,
  );
}

/** A search, or the problems of its query (reported on `field`: the query, or a subscription's topic). */
function parseSearch(typed: string, field: ProblemField = 'query'): PaperCommand {
  const arxivId = field === 'query' ? arxivIdOf(typed) : undefined;
  if (arxivId) return { kind: 'search', text: typed, query: parseQuery(arxivId).query, arxivId };
  const text = field === 'query' ? withoutRequestOpening(typed) : typed;
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

/** A subscription id as paperbot makes them: six letters and digits (any case). */
const SUBSCRIPTION_ID = /^[a-z0-9]{6}$/i;

/**
 * `pause <id>`-style commands: the command alone asks which subscription; one word shaped like a
 * subscription id is the command; anything else is not this command (a search).
 */
function withId(kind: 'pause' | 'resume' | 'digest-now', usage: string) {
  return (args: string[]): PaperCommand | undefined => {
    const [id, ...extra] = args;
    if (!id)
      return invalid(
        problem('command', `Say which subscription: \`${usage}\` (ids are in \`/paper subscriptions\`).`),
      );
    if (extra.length > 0 || !SUBSCRIPTION_ID.test(id)) return undefined;
    return { kind, id: id.toLowerCase() };
  };
}

/**
 * `strictness <id> strict|broad`: how sure a subscription's digests must be that a paper is about
 * its topic. Anything else after the word is a search ("strictness of type systems").
 */
function parseStrictness(args: string[]): PaperCommand | undefined {
  const [id, level, ...extra] = args;
  const wanted = level?.toLowerCase();
  if (id && extra.length === 0 && (STRICTNESS as readonly string[]).includes(wanted ?? ''))
    return { kind: 'strictness', id: id.toLowerCase(), strictness: wanted as Strictness };
  if (args.length === 0)
    return invalid(
      problem(
        'command',
        `Say which subscription and how strict: \`/paper strictness <id> ${STRICTNESS.join('|')}\`.`,
      ),
    );
  return undefined;
}

/** `cite <arXiv id or words>`: an id or link names the paper; words search for it. */
function parseCite(args: string[]): PaperCommand {
  const text = args.join(' ');
  const arxivId = arxivIdOf(text);
  if (arxivId) return { kind: 'cite', arxivId, text };
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

/** `trending [today|week]`; other words after "trending" are a search ("trending topics in NLP"). */
function parseTrending(args: string[]): PaperCommand | undefined {
  const period = (args.join(' ').toLowerCase() || 'today') as TrendingPeriod;
  if ((TRENDING_PERIODS as readonly string[]).includes(period)) return { kind: 'trending', period };
  return undefined;
}

/** A command that takes no arguments: with any, the line is a search ("status quo bias"). */
const alone =
  (command: PaperCommand) =>
  (args: string[]): PaperCommand | undefined =>
    args.length === 0 ? command : undefined;

/**
 * One thing a person can type: its usage and examples (the help, the Home tab and the README are
 * made from, or tested against, this list; every example must answer usefully on the bundled
 * corpus) and, for a `/paper` command, the first word that names it and how its arguments parse.
 */
export interface CommandSpec extends HelpEntry {
  /** The first word of a `/paper` line that names this command (lower case). */
  word?: string;
  /**
   * The command for the words after `word`, or undefined when they do not fit it: the line is
   * then a search, which asks whether the command was meant. An `invalid` command when the
   * command word is right but something is missing or wrong (`/paper pause`).
   */
  parse?: (args: string[]) => PaperCommand | undefined;
}

/**
 * Everything paperbot understands, in the order the help lists it. Adding a command is one entry.
 * Examples may use `<id>`: a subscription id of the channel (the tests make one first).
 */
export const PAPER_COMMANDS: readonly CommandSpec[] = [
  {
    group: 'search',
    usage: '/paper <words>',
    summary:
      'the best-matching papers, as cards. Filters: `"a phrase"`, `-word`, `author:name`, `has:code`, `after:`/`before:YYYY-MM-DD`',
    examples: [
      '/paper reward model ensembles',
      '/paper "human feedback" -survey',
      '/paper reasoning author:zhang has:code after:2026-08-01',
    ],
  },
  {
    group: 'search',
    usage: '/paper <what the paper does, in your words>',
    summary: 'a paper you remember but cannot name',
    examples: [
      '/paper the one where combining several reward models stops PPO from overoptimizing a proxy reward',
    ],
  },
  {
    group: 'search',
    usage: '/paper <arXiv id or link>',
    summary: 'that paper (an arXiv id, `arXiv:` id, or arxiv.org / huggingface.co/papers link)',
    examples: ['/paper 2501.12948', '/paper https://arxiv.org/abs/2310.02743'],
  },
  {
    group: 'anchors',
    word: 'trending',
    usage: '/paper trending [today|week]',
    summary: 'the most upvoted papers (Hugging Face) of the last day or week',
    examples: ['/paper trending', '/paper trending week'],
    parse: parseTrending,
  },
  {
    group: 'anchors',
    word: 'cite',
    usage: '/paper cite <arXiv id, link or words>',
    summary: 'BibTeX for a paper, only to you (or *Cite* on any card)',
    examples: ['/paper cite 2310.02743', '/paper cite reward model ensembles'],
    parse: parseCite,
  },
  {
    group: 'follow',
    word: 'subscribe',
    usage: '/paper subscribe <topic> [daily|weekdays|weekly] [at HH:MM] [tz Area/City] [strict|broad]',
    summary:
      'new matching papers posted in this channel on a schedule (default: daily at 09:00 in your time zone); a topic may be an author (`author:"Yann LeCun"`) or `top 5 trending`',
    examples: [
      '/paper subscribe reward models weekly at 9am tz Europe/Paris',
      '/paper subscribe author:"Yann LeCun"',
      '/paper subscribe top 5 trending weekly',
    ],
    parse: parseSubscribe,
  },
  {
    group: 'follow',
    word: 'subscriptions',
    usage: '/paper subscriptions',
    summary: 'this channel’s subscriptions, with their ids',
    examples: ['/paper subscriptions'],
    parse: alone({ kind: 'subscriptions' }),
  },
  {
    group: 'follow',
    word: 'pause',
    usage: '/paper pause <id>',
    summary: 'stops a subscription’s digests',
    examples: ['/paper pause <id>'],
    parse: withId('pause', '/paper pause <id>'),
  },
  {
    group: 'follow',
    word: 'strictness',
    usage: '/paper strictness <id> strict|broad',
    summary:
      '*strict* (the default) posts papers whose subject is the topic; *broad* also those where it is one thread among others (or subscribe with `broad` at the end)',
    examples: ['/paper strictness <id> broad'],
    parse: parseStrictness,
  },
  {
    group: 'follow',
    word: 'resume',
    usage: '/paper resume <id>',
    summary: 'restarts them',
    examples: ['/paper resume <id>'],
    parse: withId('resume', '/paper resume <id>'),
  },
  {
    group: 'follow',
    word: 'digest',
    usage: '/paper digest now <id>',
    summary: 'posts the next digest at once',
    examples: ['/paper digest now <id>'],
    parse: (args) => {
      if (args.length === 0 || (args.length === 1 && args[0]?.toLowerCase() === 'now'))
        return invalid(problem('command', 'To post a digest at once: `/paper digest now <id>`.'));
      return args[0]?.toLowerCase() === 'now'
        ? withId('digest-now', '/paper digest now <id>')(args.slice(1))
        : undefined;
    },
  },
  {
    group: 'follow',
    word: 'unsubscribe',
    usage: '/paper unsubscribe <id or topic>',
    summary: 'removes a subscription',
    examples: ['/paper unsubscribe reward models'],
    parse: (args) =>
      args.length > 0
        ? { kind: 'unsubscribe', target: args.join(' ') }
        : invalid(
            problem(
              'command',
              'Say which subscription to remove: `/paper unsubscribe <id or topic>` (see `/paper subscriptions`).',
            ),
          ),
  },
  {
    group: 'conversation',
    word: 'for',
    usage: '/paper for <a message or an abstract>',
    summary:
      'the best papers for a pasted text, only to you. In Slack: on any message, *⋮ → Find papers for message* (with a button to post them in its thread); *Search papers* in the shortcuts menu opens a search window',
    examples: [
      '/paper for We fine-tune with PPO against a learned reward and it keeps gaming it. Would an ensemble of reward models help?',
    ],
    parse: (args) =>
      args.length > 0
        ? { kind: 'for', text: args.join(' ') }
        : invalid(problem('command', 'Paste the message after it: `/paper for <a message or an abstract>`.')),
  },
  {
    group: 'conversation',
    usage: '@paperbot <question>',
    summary:
      'I answer in the thread; mention me alone in a thread and I search with its first message (`@paperbot help`: this help)',
    examples: ['@paperbot papers on reward model ensembles?', '@paperbot help'],
  },
  {
    group: 'team',
    word: 'who',
    usage: '/paper who <topic>',
    summary:
      'who shared or discussed papers on a topic (in channels you can see), only to you; `/paper who forget me`: never be named',
    examples: ['/paper who reward models'],
    parse: parseWho,
  },
  {
    group: 'team',
    word: 'recap',
    usage: '/paper recap [week|month]',
    summary:
      'the papers discussed most this week (or month), and those that got code or a new version; `/paper subscribe recap weekly` posts it in this channel (private channels never appear in another channel’s recap)',
    examples: ['/paper recap', '/paper recap month'],
    parse: parseRecap,
  },
  {
    group: 'taste',
    word: 'taste',
    usage: '/paper taste [reset]',
    summary:
      'the papers this channel liked and disliked (👍 / 👎 on digests) and the words that weigh most; `reset` forgets them',
    examples: ['/paper taste'],
    parse: parseTaste,
  },
  {
    group: 'status',
    word: 'status',
    usage: '/paper status',
    summary: 'what I know and how fresh it is: the papers, the newest, each source’s last refresh',
    examples: ['/paper status'],
    parse: alone({ kind: 'status' }),
  },
  {
    group: 'status',
    word: 'help',
    usage: '/paper help',
    summary: 'this help',
    examples: ['/paper help'],
    parse: alone({ kind: 'help' }),
  },
];

/** `taste`, `taste reset`, `taste reset confirm`; other words after "taste" are a search. */
function parseTaste(args: string[]): PaperCommand | undefined {
  const words = args.map((a) => a.toLowerCase());
  if (words.length === 0) return { kind: 'taste' };
  if (words[0] === 'reset' && words.length <= 2 && (words[1] ?? 'confirm') === 'confirm')
    return { kind: 'taste-reset', confirmed: words[1] === 'confirm' };
  return undefined;
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
  const found: { cadence?: Cadence; time?: string; tz?: string; strictness?: Strictness } = {};
  const problems: Problem[] = [];
  const word = (fromEnd: number) => words.at(-fromEnd);
  const lower = (fromEnd: number) => word(fromEnd)?.toLowerCase();
  for (;;) {
    const last = word(1);
    if (last === undefined) break;
    if (CADENCES.has(last.toLowerCase()) && found.cadence === undefined) {
      found.cadence = last.toLowerCase() as Cadence;
      words.pop();
    } else if (
      (STRICTNESS as readonly string[]).includes(last.toLowerCase()) &&
      found.strictness === undefined
    ) {
      found.strictness = last.toLowerCase() as Strictness;
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
