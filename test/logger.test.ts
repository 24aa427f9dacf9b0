import { expect, test } from '@jest/globals';
import { createStderrLogger } from '../src/logger.js';

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
