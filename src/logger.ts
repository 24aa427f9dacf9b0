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

/** A logger that writes `level message` lines to stderr, dropping those below `level`. */
export function createStderrLogger(level: LogLevel = 'info'): Logger {
  const threshold = LEVELS.indexOf(level);
  const write =
    (name: LogLevel) =>
    (...messages: unknown[]) => {
      if (LEVELS.indexOf(name) < threshold) return;
      process.stderr.write(`[${name}] ${messages.map(String).join(' ')}\n`);
    };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

/** A logger that drops everything (tests). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
