import { PassThrough, Readable, Writable } from 'node:stream';
import { runCommandLine } from '../../src/cli.js';
import { main, run } from '../../src/main.js';
import { cleanUpAfter } from './cleanup.js';

/** What a program run in the test's process printed, and its exit status. */
export interface ProgramRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** A stream that keeps what is written to it. */
function collector(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

/**
 * `node dist/main.js` run in this process (the same composition root, on these settings only, not
 * the test's environment), `input` piped to its console: its exit status and output once the
 * console reached the end of its input, or start-up failed.
 */
export async function runMain(env: Record<string, string>, input = ''): Promise<ProgramRun> {
  const stdout = collector();
  const stderr = collector();
  // Asked for by the console only when its search workers all stopped (a process exits at once).
  let exitedWith: number | undefined;
  const code = await run({
    env,
    stdin: Readable.from(input ? [input] : []),
    stdout: stdout.stream,
    stderr: stderr.stream,
    exit: (status) => {
      exitedWith ??= status;
    },
  });
  return { code: exitedWith ?? code, stdout: stdout.text(), stderr: stderr.text() };
}

/** The modules main.ts loads when it connects to Slack. */
const SLACK_SIDE = [
  () => import('../../src/slack/app.js'),
  () => import('../../src/slack/followUps.js'),
  () => import('../../src/slack/identity.js'),
  () => import('../../src/metrics.js'),
  () => import('../../src/slack/posting.js'),
];

/** A bot started in this process by {@link startMainBot}. */
export interface InProcessBot {
  /** Its log so far. */
  log(): string;
  /** Sends it a SIGTERM or SIGINT as the process would get one: it shuts down and exits. */
  signal(name: 'SIGTERM' | 'SIGINT'): void;
  /** Resolves with the exit status it asked for. */
  exited: Promise<number>;
}

/**
 * `node dist/main.js` connected to Slack (`env` has its tokens), started in this process: resolves
 * once it listens (or rejects with its log when start-up failed). Its shutdown handlers are the
 * process's, so only one runs at a time; a bot not stopped by the test is stopped when it is done.
 */
export async function startMainBot(env: Record<string, string>): Promise<InProcessBot> {
  const stderr = collector();
  let exited: (code: number) => void = () => {};
  const exit = new Promise<number>((resolve) => {
    exited = resolve;
  });
  let running = false;
  const bot: InProcessBot = {
    log: stderr.text,
    // process.emit runs the handlers as a signal would, without sending one to the test's process.
    signal: (name) => process.emit(name, name),
    exited: exit,
  };
  cleanUpAfter(async () => {
    if (!running) return;
    bot.signal('SIGTERM');
    await exit;
  });
  // main() loads the Slack side with concurrent dynamic imports, which jest's ESM loader can fail
  // at the first time ("request for 'node:crypto' is not in cache"): loaded one by one here first.
  for (const load of SLACK_SIDE) await load();
  try {
    await main({
      env,
      stdin: Readable.from([]),
      stdout: collector().stream,
      stderr: stderr.stream,
      exit: (code) => {
        running = false;
        exited(code);
      },
    });
  } catch (error) {
    throw new Error(`The bot did not start (${(error as Error).message}):\n${stderr.text()}`);
  }
  running = true;
  return bot;
}

/** `npx paperbot <args>` run in this process, on these settings only: its exit status and output. */
export async function runPaperbot(
  args: string[],
  env: Record<string, string>,
  input = '',
): Promise<ProgramRun> {
  const stdout = collector();
  const stderr = collector();
  const code = await runCommandLine(args, {
    env,
    stdin: Readable.from(input ? [input] : []),
    stdout: stdout.stream,
    stderr: stderr.stream,
  });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/** A console started in this process by {@link startMainConsole}, its input left open. */
export interface InProcessConsole {
  readonly stdout: string;
  readonly stderr: string;
  /** Types a line and resolves with the first match of `answer` in what is printed after it. */
  type(line: string, answer: RegExp): Promise<RegExpExecArray>;
  /** Ends the input (as at the end of a piped file): resolves with the exit status. */
  end(): Promise<number>;
}

/**
 * `node dist/main.js` without Slack tokens, its console started in this process with its input
 * open: lines are typed into it one at a time. Ended when the test is done if the test did not.
 */
export function startMainConsole(env: Record<string, string>): InProcessConsole {
  const stdin = new PassThrough();
  const stdout = collector();
  const stderr = collector();
  const waiters: Array<() => void> = [];
  const printed = new Writable({
    write(chunk: Buffer | string, encoding, done) {
      stdout.stream.write(chunk, encoding as BufferEncoding, done);
      for (const waiter of waiters.splice(0)) waiter();
    },
  });
  let exitedWith: number | undefined;
  const exited = run({
    env,
    stdin,
    stdout: printed,
    stderr: stderr.stream,
    exit: (status) => {
      exitedWith ??= status;
    },
  }).then((code) => exitedWith ?? code);
  // A failed start ends the session too: whoever waits for an answer is told.
  let done = false;
  void exited.then(() => {
    done = true;
    for (const waiter of waiters.splice(0)) waiter();
  });
  cleanUpAfter(() => {
    stdin.end();
    return exited;
  });
  return {
    get stdout() {
      return stdout.text();
    },
    get stderr() {
      return stderr.text();
    },
    async type(line, answer) {
      const from = stdout.text().length;
      stdin.write(`${line}\n`);
      for (;;) {
        const match = answer.exec(stdout.text().slice(from));
        if (match) return match;
        if (done) throw new Error(`The console ended without answering ${line}:\n${stderr.text()}`);
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
    end() {
      stdin.end();
      return exited;
    },
  };
}
