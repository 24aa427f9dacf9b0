import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { followUpMessage } from '../blocks/discussions.js';
import { BUSY } from '../blocks/messages.js';
import { renderDigest } from '../blocks/subscriptions.js';
import type { Replies } from '../bot/replies.js';
import type { CommandContext } from '../bot/subscriptionReplies.js';
import type { FollowUpPoster, OutgoingFollowUp, ThreadTarget } from '../discussions/followUps.js';
import { SearchBusy } from '../search/paperSearch.js';
import type { DigestPoster, DigestTarget, OutgoingDigest, PostResult } from '../subscriptions/scheduler.js';
import { renderText } from './renderText.js';

/** Streams and styling of a console session. */
export interface ConsoleOptions {
  input: Readable;
  output: Writable;
  /** Interactive: show a prompt and ANSI styles. Piped input gets plain text and no prompt. */
  interactive: boolean;
}

/** The console is one channel, `console`, of its own workspace; its user's time zone is this machine's. */
export const CONSOLE_CHANNEL = 'console';
/** The console's workspace: subscriptions made in the console are filed under it. */
export const CONSOLE_TEAM = 'console';

const CONSOLE_CONTEXT: CommandContext = {
  team: CONSOLE_TEAM,
  channel: CONSOLE_CHANNEL,
  user: 'console-user',
  userTimezone: async () => Intl.DateTimeFormat().resolvedOptions().timeZone,
  // The console user sees the answer already; a second "channel" notice would only repeat it.
  announce: async () => ({ ok: true }),
  // One channel: what was discussed in it is "here"; there is nowhere else.
  audience: { team: CONSOLE_TEAM, channel: CONSOLE_CHANNEL, canSee: async () => false },
};

const USAGE =
  'Type /paper <words> to search (e.g. /paper reward model ensembles), @paperbot <question> to ask, /paper help, or exit.';

/**
 * The local console: each line is handled like the same text sent from Slack (`/paper ...` as the
 * slash command, `@paperbot ...` as a mention), and the answer is printed as text. Resolves when
 * the input ends or the user types `exit`.
 */
export async function runConsole(replies: Replies, options: ConsoleOptions): Promise<void> {
  const { input, output, interactive } = options;
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY, terminal: false });
  const prompt = () => interactive && output.write('paperbot> ');
  const print = (text: string) => output.write(`${text}\n`);
  if (interactive) print(USAGE);
  prompt();
  for await (const rawLine of lines) {
    const line = rawLine.trim();
    if (line === 'exit' || line === 'quit') break;
    if (line) {
      const message = await answerLine(replies, line);
      print(message === undefined ? USAGE : renderText(message, { color: interactive }));
      if (!interactive) print('');
    }
    prompt();
  }
  lines.close();
}

async function answerLine(replies: Replies, line: string) {
  try {
    return await repliesTo(replies, line);
  } catch (error) {
    // Digests queued in the index (patient searches) can make it refuse a person's search as busy.
    if (error instanceof SearchBusy) return BUSY;
    throw error;
  }
}

async function repliesTo(replies: Replies, line: string) {
  const command = /^\/paper(?:\s+|$)(.*)$/is.exec(line);
  if (command) return replies.toCommand(command[1] ?? '', CONSOLE_CONTEXT);
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
  ) {}

  async post(target: DigestTarget, digest: OutgoingDigest): Promise<PostResult> {
    const message = renderDigest(digest, target.channel);
    const ts = consoleTs();
    this.output.write(`\n[digest in #${target.channel}, ${ts}]\n${renderText(message, this.style)}\n`);
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
