import { appendFile, readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { followUpMessage } from '../blocks/discussions.js';
import type { SlackMessage } from '../blocks/message.js';
import { BUSY, noticeMessage, parsePageValue } from '../blocks/messages.js';
import { renderDigest } from '../blocks/subscriptions.js';
import { arxivIdOf } from '../bot/paperCommand.js';
import type { Replies } from '../bot/replies.js';
import type { CommandContext } from '../bot/subscriptionReplies.js';
import { Sighting } from '../discussions/discussion.js';
import type { FollowUpPoster, OutgoingFollowUp, ThreadTarget } from '../discussions/followUps.js';
import type { DiscussionStore } from '../discussions/store.js';
import { SearchBusy } from '../search/paperSearch.js';
import type { DigestPoster, DigestTarget, OutgoingDigest, PostResult } from '../subscriptions/scheduler.js';
import { BUTTON_HELP, type ButtonCommand, ConsoleButtons, parseButtonCommand } from './buttons.js';
import { CONSOLE_USER, renderText } from './renderText.js';

/** Streams and styling of a console session. */
export interface ConsoleOptions {
  input: Readable;
  output: Writable;
  /** Interactive: a terminal (prompt, line editing, history, ANSI styles). Piped input gets plain text and no prompt. */
  interactive: boolean;
  /** Where a terminal's typed lines are kept between sessions (the data folder's `console-history`). */
  historyFile?: string;
  /** The buttons of what was printed last, shared with the digests printed meanwhile. */
  buttons?: ConsoleButtons;
  /** Where a `share N` is remembered, as a share in a Slack channel is (for `/paper who` and `recap`). */
  discussions?: DiscussionStore;
  now?: () => Date;
}

/** The console is one channel, `console`, of its own workspace; its user's time zone is this machine's. */
export const CONSOLE_CHANNEL = 'console';
/** The console's workspace: subscriptions made in the console are filed under it. */
export const CONSOLE_TEAM = 'console';

const CONSOLE_CONTEXT: CommandContext = {
  team: CONSOLE_TEAM,
  channel: CONSOLE_CHANNEL,
  user: CONSOLE_USER,
  userTimezone: async () => Intl.DateTimeFormat().resolvedOptions().timeZone,
  // The console user sees the answer already; a second "channel" notice would only repeat it.
  announce: async () => ({ ok: true }),
  // One channel: what was discussed in it is "here"; there is nowhere else.
  audience: { team: CONSOLE_TEAM, channel: CONSOLE_CHANNEL, canSee: async () => false },
};

const USAGE =
  "Type /paper <words> to search (e.g. /paper reward model ensembles), @paperbot <question> to ask, /paper help, help for the console's own commands, or exit.";

/** The console's own help: its lines, and the buttons typed. */
export const CONSOLE_HELP = [
  'In this console:',
  '  /paper <words or command>   as the slash command in Slack (/paper help lists its commands)',
  '  @paperbot <question>        as a mention of the bot',
  '  help                        this help',
  '  exit                        leave (Ctrl-D or Ctrl-C too); Up and Down recall earlier lines',
  '',
  BUTTON_HELP,
].join('\n');

/** Typed lines remembered between sessions; older ones are dropped when the file is read. */
const HISTORY_LINES = 1000;

/**
 * The local console: each line is handled like the same text sent from Slack (`/paper ...` as the
 * slash command, `@paperbot ...` as a mention, `like 2` as a click on card 2's More like this),
 * and the answer is printed as text. On a terminal, lines can be edited and recalled (kept in
 * `historyFile`). Resolves when the input ends or the user types `exit`.
 */
export async function runConsole(replies: Replies, options: ConsoleOptions): Promise<void> {
  const { input, output, interactive, historyFile } = options;
  const buttons = options.buttons ?? new ConsoleButtons();
  const history = interactive && historyFile ? await readHistory(historyFile) : [];
  const lines = createInterface({
    input,
    crlfDelay: Number.POSITIVE_INFINITY,
    // A terminal gets readline's line editing and history; piped input is read as plain lines.
    ...(interactive
      ? { output, terminal: true, history, historySize: HISTORY_LINES, removeHistoryDuplicates: true }
      : { terminal: false }),
  });
  lines.setPrompt('paperbot> ');
  // On a terminal readline takes Ctrl-C as a key: it ends the session as exit does (a graceful stop).
  lines.on('SIGINT', () => lines.close());
  const prompt = () => interactive && lines.prompt();
  const print = (text: string) => output.write(`${text}\n`);
  const show = (message: Printed) => {
    if (!message.shared) buttons.remember(message);
    print(renderText(message, { color: interactive, buttons: true }));
  };
  if (interactive) print(USAGE);
  prompt();
  for await (const rawLine of lines) {
    const line = rawLine.trim();
    if (line === 'exit' || line === 'quit') break;
    if (line && interactive && historyFile)
      await appendFile(historyFile, `${line.replace(/\n/g, ' ')}\n`).catch(() => undefined);
    if (line === 'help' || line === '?') print(CONSOLE_HELP);
    else if (line) {
      const messages = await answerLine({ replies, buttons, options }, line);
      if (messages.length === 0) print(USAGE);
      for (const message of messages) show(message);
      if (!interactive) print('');
    }
    prompt();
  }
  lines.close();
}

/** The last lines of a history file, newest first (as readline wants them). */
async function readHistory(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).slice(-HISTORY_LINES).reverse();
}

/** A message to print; `shared`: a card posted to the channel, whose buttons do not replace the list's. */
type Printed = SlackMessage & { shared?: boolean };

/** What a typed line is answered with: the replies, the buttons printed last, the session's stores. */
interface Session {
  replies: Replies;
  buttons: ConsoleButtons;
  options: ConsoleOptions;
}

async function answerLine(session: Session, line: string): Promise<Printed[]> {
  const { replies } = session;
  try {
    const button = parseButtonCommand(line);
    if (button) return await press(session, button);
    const message = await repliesTo(replies, line);
    return message ? [message] : [];
  } catch (error) {
    // Digests queued in the index (patient searches) can make it refuse a person's search as busy.
    if (error instanceof SearchBusy) return [BUSY];
    throw error;
  }
}

const CONSOLE_WHERE = { team: CONSOLE_TEAM, channel: CONSOLE_CHANNEL };

/** What a typed button answers: what the Slack button's listener would. */
async function press(session: Session, command: ButtonCommand): Promise<Printed[]> {
  const { replies, buttons, options } = session;
  const pressed = buttons.press(command);
  if ('problem' in pressed) return [noticeMessage(`:information_source: ${pressed.problem}`)];
  const paperId = pressed.paperId ?? '';
  switch (pressed.word) {
    case 'more': {
      const page = parsePageValue(pressed.value);
      if (!page) return [noticeMessage(':warning: That button is out of date; run `/paper` again.')];
      return [await replies.searchPage(page.query, page.offset, CONSOLE_WHERE)];
    }
    case 'subscribe':
      return [await replies.toCommand(`subscribe ${pressed.value}`, CONSOLE_CONTEXT)];
    case 'similar':
      return [await replies.moreLikeThis(paperId)];
    case 'cite':
      return [await replies.anchors.cite(paperId)];
    case 'up':
    case 'down':
      return [
        await replies.subscriptions.feedback(
          CONSOLE_WHERE,
          paperId,
          pressed.word === 'up' ? 'like' : 'dislike',
        ),
      ];
    case 'share': {
      const card = await replies.sharedCard(paperId, CONSOLE_CONTEXT.user, CONSOLE_WHERE);
      if (!card) return [noticeMessage(':warning: That paper is no longer in the corpus.')];
      const ts = consoleTs();
      await options.discussions?.record([
        Sighting.parse({
          ...CONSOLE_WHERE,
          ts,
          threadTs: ts,
          paperId,
          kind: 'share',
          user: CONSOLE_CONTEXT.user,
          at: (options.now ?? (() => new Date()))().toISOString(),
        }),
      ]);
      // The shared card goes to the channel; the buttons stay those of the list it came from.
      return [{ ...card, shared: true }, noticeMessage(':white_check_mark: Shared to the channel.')];
    }
  }
}

async function repliesTo(replies: Replies, line: string) {
  const command = /^\/paper(?:\s+|$)(.*)$/is.exec(line);
  if (command) return replies.toCommand(command[1] ?? '', CONSOLE_CONTEXT);
  // A pasted paper link (or arXiv id) is answered with the paper, as Slack previews a link.
  if (arxivIdOf(line)) return replies.toCommand(line, CONSOLE_CONTEXT);
  const mention = /^@paperbot\b(.*)$/is.exec(line);
  if (mention) {
    return replies.toMention(mention[1] ?? '', {
      inThread: false,
      threadParentText: async () => undefined,
      ...(CONSOLE_CONTEXT.audience ? { audience: CONSOLE_CONTEXT.audience } : {}),
    });
  }
  return undefined;
}

/** Prints digests due in the console's channel, as the Slack channel would show them. */
export class ConsoleDigestPoster implements DigestPoster {
  constructor(
    private readonly output: Writable,
    private readonly style: { color: boolean },
    /** The console's buttons: `up 2` after a digest votes on its card 2. */
    private readonly buttons?: ConsoleButtons,
  ) {}

  async post(target: DigestTarget, digest: OutgoingDigest): Promise<PostResult> {
    const message = renderDigest(digest, target.channel);
    const ts = consoleTs();
    this.buttons?.remember(message);
    this.output.write(
      `\n[digest in #${target.channel}, ${ts}]\n${renderText(message, { ...this.style, buttons: Boolean(this.buttons) })}\n`,
    );
    // A ts of its own, as Slack gives one: the digest is remembered, and its papers' news printed under it.
    return { ok: true, ts };
  }

  /** Printing cannot half-succeed: an unconfirmed digest was never printed. */
  async alreadyPosted(): Promise<boolean> {
    return false;
  }
}

let lastTs = 0;
/** A message ts like Slack's ("1700000000.000100"), unique and increasing in this process. */
function consoleTs(): string {
  lastTs = Math.max(lastTs + 1, Date.now() * 1000);
  return `${Math.floor(lastTs / 1e6)}.${String(lastTs % 1e6).padStart(6, '0')}`;
}

/** Prints follow-ups of the console's digests, as replies in their threads would show them. */
export class ConsoleFollowUpPoster implements FollowUpPoster {
  constructor(
    private readonly output: Writable,
    private readonly style: { color: boolean },
  ) {}

  async isArchived(): Promise<boolean> {
    return false;
  }

  async post(target: ThreadTarget, followUp: OutgoingFollowUp): Promise<PostResult> {
    const message = followUpMessage(followUp.paper, followUp.news, followUp.citing);
    this.output.write(
      `\n[reply in the thread of ${target.threadTs} in #${target.channel}]\n${renderText(message, this.style)}\n`,
    );
    return { ok: true };
  }

  /** Printing cannot half-succeed: an unconfirmed follow-up was never printed. */
  async alreadyPosted(): Promise<boolean> {
    return false;
  }
}
