import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import { inspect } from 'node:util';
import type Pino from 'pino';
import type PinoPretty from 'pino-pretty';
import { currentRequest, type RequestContext } from './requestContext.js';

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

/** How the bot's logger writes. */
export interface LoggerOptions {
  level: LogLevel;
  /** `json`: one JSON object a line (production); `pretty`: coloured, readable lines (a terminal). */
  format: 'json' | 'pretty';
  /** Values that must never be written (the configured tokens and secrets), whatever logs them. */
  secrets?: readonly string[];
  /** Where lines go (default: stderr, written synchronously). */
  stream?: { write(text: string): unknown };
}

/** Shapes of Slack tokens (bot, user, app-level, refresh…), found wherever they appear in a line. */
const TOKEN_PATTERN = /\b(xox[a-z]|xapp)-[A-Za-z0-9-]+/g;
/** The password of a database URL. */
const URL_PASSWORD = /(postgres(?:ql)?:\/\/[^:/@\s"]*:)[^@\s"]+@/g;
const REDACTED = '[redacted]';
/** Loads CommonJS packages synchronously, when first needed. */
const require = createRequire(import.meta.url);

/**
 * The bot's logger, on pino: JSON lines (`{"level":"info","time":"…","msg":"…"}`) for a log
 * collector, or pino-pretty's readable lines for a person at a terminal. Both are written
 * synchronously in this thread (pino-pretty as a stream, not pino's worker-thread transport), so
 * that lines keep their order with the console's own output, none is lost when the process exits
 * right after a shutdown, and no extra thread competes with the index for the CPU.
 *
 * The domain keeps calling `logger.warn('text', value…)`: strings make the message, an Error goes
 * under `err` (stack, own fields, `cause` chain), other values under `data`. Inside a Slack
 * request (see requestContext.ts) every line goes through a child logger carrying the request's
 * fields (team, channel, command or event id). Every line is scrubbed before it is written: the
 * configured secrets, anything shaped like a Slack token and database passwords become
 * `[redacted]`, whoever logged them (Bolt's debug output included).
 */
export function createLogger(options: LoggerOptions): Logger {
  // Loaded here: the command line's stderr logger (createStderrLogger) never needs pino.
  const pino = require('pino') as typeof Pino;
  const secrets = (options.secrets ?? [])
    .filter((secret) => secret.length >= 6)
    // As they appear inside a JSON string.
    .map((secret) => JSON.stringify(secret).slice(1, -1));
  const scrub = (line: string) => {
    let clean = line.replace(TOKEN_PATTERN, REDACTED).replace(URL_PASSWORD, `$1${REDACTED}@`);
    for (const secret of secrets) clean = clean.split(secret).join(REDACTED);
    return clean;
  };
  const stream =
    options.format === 'pretty'
      ? // pino-pretty (and its dependencies) load with the first line, not with the process.
        openedOnFirstWrite(() =>
          (require('pino-pretty') as typeof PinoPretty)({
            sync: true,
            colorize: !options.stream,
            translateTime: 'SYS:HH:MM:ss.l',
            ignore: 'pid,hostname',
            destination: options.stream ? writableOf(options.stream) : 2,
          }),
        )
      : (options.stream ?? pino.destination({ dest: 2, sync: true }));
  const root = pino(
    {
      level: options.level,
      // pid and hostname (pino's default): which replica wrote the line.
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: pino.stdSerializers.errWithCause },
      hooks: { streamWrite: scrub },
    },
    stream as Pino.DestinationStream,
  );
  const children = new WeakMap<RequestContext, Pino.Logger>();
  const target = (): Pino.Logger => {
    const request = currentRequest();
    if (!request) return root;
    let child = children.get(request);
    if (!child) {
      child = root.child(request.fields);
      children.set(request, child);
    }
    return child;
  };
  const write =
    (name: LogLevel) =>
    (...messages: unknown[]) => {
      const logger = target();
      if (!logger.isLevelEnabled(name)) return;
      const { fields, message } = structured(messages);
      logger[name](fields, message);
    };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

/** A sink that `open`s the stream it writes to when the first line comes. */
function openedOnFirstWrite(open: () => { write(text: string): unknown }): { write(text: string): void } {
  let stream: { write(text: string): unknown } | undefined;
  return {
    write(text) {
      stream ??= open();
      stream.write(text);
    },
  };
}

/** A `write(text)` sink as the Node stream that pino-pretty writes to. */
function writableOf(sink: { write(text: string): unknown }): Writable {
  return new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      sink.write(chunk.toString());
      done();
    },
  });
}

/** A log call's arguments as pino's fields and message. */
function structured(messages: readonly unknown[]): { fields: Record<string, unknown>; message: string } {
  const words: string[] = [];
  const data: unknown[] = [];
  let err: Error | undefined;
  for (const value of messages) {
    if (typeof value === 'string') words.push(value);
    else if (value instanceof Error && !err) err = value;
    else if (value === null || value === undefined || typeof value !== 'object') words.push(String(value));
    else data.push(value);
  }
  const fields: Record<string, unknown> = {};
  if (err) fields.err = err;
  if (data.length > 0) fields.data = data.length === 1 ? data[0] : data;
  // Without a message pino would show the error's own; keep "what failed:" as the message.
  return { fields, message: words.join(' ') || (err ? err.message : '') };
}

/** The log format for where stderr goes: readable on a terminal, JSON lines anywhere else. */
export function defaultLogFormat(stderr: { isTTY?: boolean } = process.stderr): 'json' | 'pretty' {
  return stderr.isTTY ? 'pretty' : 'json';
}

/** A logger that drops everything (tests). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
