import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Replies } from '../bot/replies.js';
import { renderText } from './renderText.js';

/** Streams and styling of a console session. */
export interface ConsoleOptions {
  input: Readable;
  output: Writable;
  /** Interactive: show a prompt and ANSI styles. Piped input gets plain text and no prompt. */
  interactive: boolean;
}

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
  const command = /^\/paper(?:\s+|$)(.*)$/is.exec(line);
  if (command) return replies.toCommand(command[1] ?? '');
  const mention = /^@paperbot\b(.*)$/is.exec(line);
  if (mention) {
    return replies.toMention(mention[1] ?? '', {
      inThread: false,
      threadParentText: async () => undefined,
    });
  }
  return undefined;
}
