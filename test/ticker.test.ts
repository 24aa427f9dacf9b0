import { expect, jest, test } from '@jest/globals';
import { silentLogger } from '../src/logger.js';
import { Ticker } from '../src/ticker.js';

test('a tick during a tick joins it; the next one runs again', async () => {
  let runs = 0;
  let release: () => void = () => {};
  const ticker = new Ticker(
    () =>
      new Promise<number>((resolve) => {
        runs++;
        release = () => resolve(runs);
      }),
    'test',
    silentLogger,
  );
  const first = ticker.tick();
  const joined = ticker.tick();
  expect(joined).toBe(first);
  release();
  expect(await first).toBe(1);
  const second = ticker.tick();
  release();
  expect(await second).toBe(2);
});

test('started work that fails is logged, and stop waits for the running tick', async () => {
  const error = jest.fn();
  let finished = false;
  const ticker = new Ticker(
    async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      finished = true;
      throw new Error('boom');
    },
    'Test tick',
    { ...silentLogger, error },
  );
  ticker.start(60_000, true);
  await ticker.stop();
  expect(finished).toBe(true);
  await new Promise((resolve) => setImmediate(resolve));
  expect(error).toHaveBeenCalledWith('Test tick failed:', expect.objectContaining({ message: 'boom' }));
});
