import { inspect } from 'node:util';

/** The logging interface the domain uses; Bolt's logger satisfies it. */
export interface Logger {
  debug(...messages: unknown[]): void;
  info(...messages: unknown[]): void;
  warn(...messages: unknown[]): void;
  error(...messages: unknown[]): void;
}

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
/** A log level name. */
export type LogLevel = (typeof LEVELS)[number];

/**
 * A logger that writes `[level] message` lines to stderr, dropping those below `level`. Strings
 * are written as they are; anything else as Node's inspect shows it, so an Error keeps its stack,
 * its own fields (a Slack error's `code` and `data`) and its `cause` chain.
 */
export function createStderrLogger(
  level: LogLevel = 'info',
  stream: { write(text: string): unknown } = process.stderr,
): Logger {
  const threshold = LEVELS.indexOf(level);
  const write =
    (name: LogLevel) =>
    (...messages: unknown[]) => {
      if (LEVELS.indexOf(name) < threshold) return;
      const text = messages.map((m) =>
        typeof m === 'string' ? m : inspect(m, { depth: 6, breakLength: 120 }),
      );
      stream.write(`[${name}] ${text.join(' ')}\n`);
    };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

/** A logger that drops everything (tests). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
