import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { quantile } from './stats.js';

// A server that does nothing but ack, and answer each request's response_url with one short text.
const TRIVIAL_SERVER = `
const { createServer, request } = require('node:http');
const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    res.writeHead(200).end();
    const url = new URLSearchParams(Buffer.concat(chunks).toString()).get('response_url');
    if (url) request(url, { method: 'POST', headers: { 'content-type': 'application/json' } }).on('error', () => {}).end('{"text":"ok"}');
  });
});
server.listen(0, '127.0.0.1', () => process.send(server.address().port));
`;

/**
 * The floor under {@link benchSlashAtRate}'s acks on this machine now: the same load generator
 * at the same rate against a server, in a process of its own, that only acks (and answers each
 * response_url). What it measures is the machine and the client, not paperbot: on a busy machine
 * it says how much of the app's figure is the machine's.
 */
export async function benchAckFloor(rate: number, seconds: number): Promise<{ p50: number; p99: number }> {
  const server = spawn(process.execPath, ['-e', TRIVIAL_SERVER], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  try {
    const [serverPort] = (await once(server, 'message')) as [number];
    const worker = new Worker(new URL('./loadGenerator.mjs', import.meta.url));
    const [{ port }] = (await once(worker, 'message')) as [{ port: number }];
    const requests = Array.from({ length: Math.round(rate * seconds) }, (_, i) => ({
      body: new URLSearchParams({
        command: '/paper',
        text: 'x',
        response_url: `http://127.0.0.1:${port}/respond/floor-${i}`,
      }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    }));
    worker.postMessage({ url: `http://127.0.0.1:${serverPort}/slack/events`, requests, rate, busyText: '' });
    const [{ sent }] = (await once(worker, 'message')) as [{ sent: Array<{ ackMs?: number }> }];
    await worker.terminate();
    const acks = sent.flatMap((request) => (request.ackMs === undefined ? [] : [request.ackMs]));
    const ms = (q: number) => Math.round(quantile(acks, q) * 100) / 100;
    return { p50: ms(0.5), p99: ms(0.99) };
  } finally {
    server.kill();
  }
}
