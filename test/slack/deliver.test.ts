import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, test } from '@jest/globals';
import { BUSY, noticeMessage } from '../../src/blocks/messages.js';
import { silentLogger } from '../../src/logger.js';
import { answerWith } from '../../src/slack/deliver.js';

/** Keeps the thread busy, like a search over a large corpus. */
function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // spin
  }
}

describe('answerWith takes turns', () => {
  test('answers are built in arrival order', async () => {
    const built: number[] = [];
    await Promise.all(
      [0, 1, 2, 3].map((i) =>
        answerWith(
          silentLogger,
          'test',
          () => {
            built.push(i);
            return noticeMessage(`answer ${i}`);
          },
          async () => {},
        ),
      ),
    );
    expect(built).toEqual([0, 1, 2, 3]);
  });

  test('a request arriving while answers are queued is served before they are all built', async () => {
    // Without turns, all eight 25 ms answers would be built before the server reads the request.
    const events: string[] = [];
    const server = createServer((_request, response) => {
      events.push('request served');
      response.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const fetched = fetch(`http://127.0.0.1:${port}/`).then((response) => response.text());
      const answers = Array.from({ length: 8 }, (_, i) =>
        answerWith(
          silentLogger,
          'test',
          () => {
            busy(25);
            events.push(`answer ${i}`);
            return noticeMessage(`answer ${i}`);
          },
          async () => {},
        ),
      );
      await Promise.all([fetched, ...answers]);
      expect(events.indexOf('request served')).toBeGreaterThanOrEqual(0);
      expect(events.indexOf('request served')).toBeLessThan(events.indexOf('answer 7'));
    } finally {
      server.close();
    }
  });

  test('an answer whose turn comes too late is the busy sentence, not built; one in time is built', async () => {
    const built: string[] = [];
    const delivered: string[] = [];
    const answer = (name: string) =>
      answerWith(
        silentLogger,
        'test',
        () => {
          built.push(name);
          return noticeMessage(name);
        },
        async (message) => void delivered.push(message.text),
        50,
      );
    const late = answer('late');
    busy(80); // the thread was held past the answer's 50 ms before its turn came
    await late;
    await answer('in time');
    expect(built).toEqual(['in time']);
    expect(delivered).toEqual([BUSY.text, 'in time']);
  });
});
