import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cleanUpAfter } from './cleanup.js';

const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

/** The compiled bot (`npm start`, built by `npm test`) in a process of its own, started by {@link spawnBot}. */
export interface BotProcess {
  child: ChildProcess;
  pid: number;
  /** Its stderr so far (its log). */
  log(): string;
  /**
   * Resolves once its log holds `text`, checked as each chunk arrives; rejects with the log when
   * it exits first or `ms` pass (a deadline on a loaded machine, not a measure).
   */
  logged(text: string | RegExp, ms?: number): Promise<void>;
  /** Resolves with its exit status (null when a signal ended it) and when it ended (performance.now()). */
  exited: Promise<{ code: number | null; at: number }>;
}

/**
 * Starts `node dist/main.js` on exactly these settings (and PATH), its stdin and stdout closed and
 * its stderr kept: for what only a process shows (a signal, a kill, its exit status, two replicas).
 * Killed with SIGKILL when the test is done if it is still running.
 */
export function spawnBot(env: Record<string, string>): BotProcess {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const waiters = new Set<() => void>();
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk;
    for (const waiter of waiters) waiter();
  });
  const exited = new Promise<{ code: number | null; at: number }>((resolve) =>
    child.once('exit', (code) => resolve({ code, at: performance.now() })),
  );
  // Its stderr is read to the end only once it closed, after the exit.
  let ended = false;
  const closed = new Promise<void>((resolve) =>
    child.once('close', () => {
      ended = true;
      for (const waiter of waiters) waiter();
      resolve();
    }),
  );
  // Awaited: no process or pipe of it outlives the test.
  cleanUpAfter(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await closed;
  });
  const holds = (text: string | RegExp) =>
    typeof text === 'string' ? stderr.includes(text) : text.test(stderr);
  return {
    child,
    pid: child.pid as number,
    log: () => stderr,
    exited,
    logged: (text, ms = 30_000) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (holds(text)) done(resolve);
          else if (ended) done(() => reject(new Error(`The bot exited before logging ${text}:\n${stderr}`)));
        };
        const timer = setTimeout(
          () => done(() => reject(new Error(`The bot did not log ${text} within ${ms} ms:\n${stderr}`))),
          ms,
        );
        const done = (settle: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          settle();
        };
        waiters.add(check);
        check();
      }),
  };
}
