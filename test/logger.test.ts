import { hostname } from 'node:os';
import { describe, expect, test } from '@jest/globals';
import { createLogger, createStderrLogger } from '../src/logger.js';
import { inRequest } from '../src/requestContext.js';

function capture(level: 'info' | 'warn' = 'info') {
  const lines: string[] = [];
  return { lines, logger: createStderrLogger(level, { write: (text: string) => lines.push(text) }) };
}

test('an error is logged with its stack and its cause, not as "Error: message"', () => {
  const { lines, logger } = capture();
  const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:443'), { code: 'ECONNREFUSED' });
  logger.error('Publishing the Home tab failed:', new Error('request failed', { cause }));
  const [line] = lines;
  expect(line).toMatch(/^\[error\] Publishing the Home tab failed: Error: request failed\n\s+at /);
  expect(line).toContain('logger.test.ts'); // a frame of the stack
  expect(line).toContain('[cause]: Error: connect ECONNREFUSED 127.0.0.1:443');
  expect(line).toContain("code: 'ECONNREFUSED'");
});

test('values are shown as values, strings as written, and lower levels dropped', () => {
  const { lines, logger } = capture('warn');
  logger.info('not shown');
  logger.warn('a Slack answer:', { ok: false, error: 'invalid_blocks' });
  expect(lines).toEqual(["[warn] a Slack answer: { ok: false, error: 'invalid_blocks' }\n"]);
});

describe('the bot logger (pino)', () => {
  function json(options: { secrets?: string[]; level?: 'debug' | 'info' } = {}) {
    const lines: string[] = [];
    const logger = createLogger({
      level: options.level ?? 'info',
      format: 'json',
      ...(options.secrets ? { secrets: options.secrets } : {}),
      stream: { write: (text: string) => lines.push(text) },
    });
    return { lines, logger, parsed: () => lines.map((line) => JSON.parse(line)) };
  }

  test('writes one JSON object a line: level, time, message; values under data', () => {
    const { lines, logger, parsed } = json();
    logger.debug('not shown');
    logger.warn('a Slack answer:', { ok: false, error: 'invalid_blocks' });
    expect(lines).toHaveLength(1);
    expect(lines[0]?.endsWith('\n')).toBe(true);
    expect(parsed()[0]).toEqual({
      level: 'warn',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      pid: process.pid,
      hostname: hostname(),
      msg: 'a Slack answer:',
      data: { ok: false, error: 'invalid_blocks' },
    });
  });

  test('an error keeps its stack, its own fields and its cause chain', () => {
    const { logger, parsed } = json();
    const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:443'), { code: 'ECONNREFUSED' });
    logger.error('Publishing the Home tab failed:', new Error('request failed', { cause }));
    const [line] = parsed();
    expect(line.msg).toBe('Publishing the Home tab failed:');
    expect(line.err).toMatchObject({
      type: 'Error',
      message: 'request failed',
      stack: expect.stringMatching(/^Error: request failed\n\s+at .*logger\.test\.ts/),
      cause: { type: 'Error', message: 'connect ECONNREFUSED 127.0.0.1:443', code: 'ECONNREFUSED' },
    });
  });

  test('inside a request every line carries its fields', () => {
    const { logger, parsed } = json();
    inRequest({ fields: { team: 'T0TEST', channel: 'C0GENERAL', command: '/paper' }, startedAt: 0 }, () =>
      logger.info('answered'),
    );
    logger.info('outside');
    expect(parsed().map(({ msg, team, channel, command }) => ({ msg, team, channel, command }))).toEqual([
      { msg: 'answered', team: 'T0TEST', channel: 'C0GENERAL', command: '/paper' },
      { msg: 'outside', team: undefined, channel: undefined, command: undefined },
    ]);
  });

  test('never writes a token, a configured secret or a database password, wherever it appears', () => {
    const secret = 'signing-secret-8f3a"quoted';
    const { lines, logger } = json({ secrets: [secret], level: 'debug' });
    logger.debug(`token=xoxb-1234-5678-abcdef app xapp-1-A0-123-abc user xoxp-9-9`);
    logger.info('config', { signingSecret: secret, url: 'postgres://bot:hunter2@db:5432/paperbot' });
    logger.error('failed:', new Error(`auth failed for xoxb-1234-5678-abcdef`, { cause: new Error(secret) }));
    const all = lines.join('');
    for (const leaked of ['xoxb-1234', 'xapp-1-A0', 'xoxp-9', 'hunter2', 'signing-secret-8f3a'])
      expect(all).not.toContain(leaked);
    expect(all).toContain('[redacted]');
    expect(all).toContain('postgres://bot:[redacted]@db:5432/paperbot');
  });

  test('pretty: readable lines for a terminal, scrubbed too', () => {
    const lines: string[] = [];
    const logger = createLogger({
      level: 'info',
      format: 'pretty',
      stream: { write: (text: string) => lines.push(text) },
    });
    logger.warn('Backfill: 2026-11-20 could not be read (HTTP 500); token xoxb-1-2-3');
    expect(lines.join('')).toMatch(
      /^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: Backfill: 2026-11-20 could not be read \(HTTP 500\); token \[redacted\]\n$/,
    );
  });
});
