import { afterEach, expect, test } from '@jest/globals';
import { exitGracefullyOnSignals } from '../src/shutdown.js';

const lines: string[] = [];
const logger = {
  debug() {},
  info: (...m: unknown[]) => lines.push(`info ${m.join(' ')}`),
  warn: (...m: unknown[]) => lines.push(`warn ${m.join(' ')}`),
  error: (...m: unknown[]) => lines.push(`error ${m.join(' ')}`),
};
let dispose: (() => void) | undefined;
afterEach(() => {
  dispose?.();
  lines.length = 0;
});

/** Installs the handlers with these steps; resolves the exit code once exit() is called. */
function install(steps: { drain: () => Promise<unknown>; flush?: () => Promise<unknown> }, boundMs = 50) {
  const order: string[] = [];
  let exited: (code: number) => void = () => {};
  const exit = new Promise<number>((resolve) => {
    exited = resolve;
  });
  dispose = exitGracefullyOnSignals(
    {
      stopIntake: () => order.push('stop intake'),
      drain: () => {
        order.push('drain');
        return steps.drain();
      },
      flush: async () => {
        order.push('flush');
        await steps.flush?.();
      },
    },
    logger,
    {
      boundMs,
      exit: (code) => {
        order.push(`exit ${code}`);
        exited(code);
      },
    },
  );
  return { order, exit };
}

// process.emit runs the handlers as a signal would, without sending one to the test's process.
test('stop intake, drain, flush, exit 0', async () => {
  const { order, exit } = install({ drain: async () => {} });
  process.emit('SIGTERM', 'SIGTERM');
  expect(await exit).toBe(0);
  expect(order).toEqual(['stop intake', 'drain', 'flush', 'exit 0']);
  expect(lines[0]).toBe('info SIGTERM: shutting down; finishing the work under way (at most 0.05 s).');
});

test('work that outlasts the bound is left: the stores are flushed and it exits 0 anyway', async () => {
  const { order, exit } = install({ drain: () => new Promise(() => {}) });
  process.emit('SIGINT', 'SIGINT');
  expect(await exit).toBe(0);
  expect(order).toEqual(['stop intake', 'drain', 'flush', 'exit 0']);
  expect(lines).toContain(
    'warn Work was still under way after 0.05 s; stopping anyway (unconfirmed digests are checked at the next start).',
  );
});

test('a second signal exits at once with 1; a failed flush exits 1', async () => {
  const first = install({ drain: () => new Promise(() => {}) }, 60_000);
  process.emit('SIGTERM', 'SIGTERM');
  process.emit('SIGINT', 'SIGINT');
  expect(await first.exit).toBe(1);
  expect(first.order).toEqual(['stop intake', 'drain', 'exit 1']);
  dispose?.();
  const failing = install({
    drain: async () => {},
    flush: async () => {
      throw new Error('disk full');
    },
  });
  process.emit('SIGTERM', 'SIGTERM');
  expect(await failing.exit).toBe(1);
  expect(lines.some((line) => line.startsWith('error Shutting down failed:'))).toBe(true);
});
