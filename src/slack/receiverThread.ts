/**
 * The HTTP side of {@link WorkerHttpReceiver}, in a worker thread of its own: it reads each Slack
 * request, verifies its signature, acknowledges it, and hands the parsed body over to the main
 * thread, where Bolt runs the listeners. Acks then never wait behind the main thread's work
 * (answers being built and rendered, a collection). Requests whose ack carries content (a modal's
 * errors, a menu's options) wait for the main thread's ack; a request the main thread has not
 * taken within `shedAfterMs` is answered "busy" through its response_url, here. Every other path
 * (OAuth install pages, health and metrics) is passed through to the main thread's own server.
 */
import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo, ListenOptions } from 'node:net';
import { type ParsedUrlQuery, parse as parseQuery } from 'node:querystring';
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { epochNow, type FromReceivingThread, HandOff, type HandOffOptions } from './handOff.js';
import { signatureProblem } from './signature.js';

/** What the receiver thread is started with (its workerData's `receiverThread`). */
export interface ReceiverThreadOptions extends HandOffOptions {
  signingSecret: string;
  /** Where to listen (a port, or Node's listen options). */
  listen: number | ListenOptions;
  /** Paths of Slack's requests (`/slack/events`). */
  endpoints: string[];
  /** The main thread's server for every other path, on loopback. */
  routesPort: number;
  bodyLimit: number;
}

function startReceiverThread(port: MessagePort, options: ReceiverThreadOptions): void {
  const handOff = new HandOff(port, options);
  const log = handOff.log.bind(handOff);

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (req.method === 'POST' && options.endpoints.includes(path)) receive(req, res);
    else passThrough(req, res);
  });

  function receive(req: IncomingMessage, res: ServerResponse): void {
    const receivedAt = epochNow();
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      if (tooLarge) return;
      size += chunk.length;
      if (size > options.bodyLimit) {
        tooLarge = true;
        log('warn', `Request body exceeded the maximum allowed size (limit: ${options.bodyLimit} bytes)`);
        res.writeHead(413, { connection: 'close' }).end();
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', () => res.destroy());
    req.on('end', () => {
      if (tooLarge) return;
      const raw = Buffer.concat(chunks).toString();
      const fields =
        header(req, 'content-type') === 'application/x-www-form-urlencoded' ? parseQuery(raw) : undefined;
      // Slack checks certificates with an unsigned `ssl_check=1`: nothing of its body is used.
      if (fields?.ssl_check === '1') return void res.writeHead(200).end();
      const problem = signatureProblem(
        options.signingSecret,
        raw,
        header(req, 'x-slack-request-timestamp'),
        header(req, 'x-slack-signature'),
        Date.now(),
      );
      if (problem) {
        log('warn', `Refused a request that is not Slack's: ${problem}.`);
        return void res.writeHead(401).end();
      }
      let body: Record<string, unknown>;
      try {
        body = parseBody(raw, fields);
      } catch (error) {
        log('warn', `Malformed request body: ${(error as Error).message}`);
        return void res.writeHead(400).end();
      }
      if (body.type === 'url_verification') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end(JSON.stringify({ challenge: body.challenge }));
      }
      handOver(req, res, body, receivedAt);
    });
  }

  function handOver(
    req: IncomingMessage,
    res: ServerResponse,
    body: Record<string, unknown>,
    receivedAt: number,
  ): void {
    const retryNum = Number.parseInt(header(req, 'x-slack-retry-num') ?? '', 10);
    handOff.handOver(
      body,
      { receivedAt, retryNum, retryReason: header(req, 'x-slack-retry-reason') },
      (status, answer) => {
        if (res.headersSent) return;
        if (answer === undefined || answer === '') res.writeHead(status).end();
        else if (typeof answer === 'string') res.writeHead(status).end(answer);
        else res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
      },
    );
  }

  // Install pages, health and metrics: the main thread's own server answers them.
  function passThrough(req: IncomingMessage, res: ServerResponse): void {
    const forwarded = request(
      {
        host: '127.0.0.1',
        port: options.routesPort,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forwarded.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(forwarded);
  }

  port.on('message', (message: { type: string }) => {
    if (message.type !== 'stop') return;
    server.close(() => {
      handOff.close(503);
      port.postMessage({ type: 'stopped' } satisfies FromReceivingThread);
      port.close();
    });
    server.closeIdleConnections();
  });

  server.on('error', (error) => {
    port.postMessage({ type: 'failed', message: error.message } satisfies FromReceivingThread);
  });
  server.listen(options.listen, () =>
    port.postMessage({
      type: 'listening',
      address: server.address() as AddressInfo,
    } satisfies FromReceivingThread),
  );
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Slack's bodies: JSON (events), a form (commands), or a form whose `payload` is JSON (interactions). */
function parseBody(raw: string, fields: ParsedUrlQuery | undefined): Record<string, unknown> {
  if (!fields) return jsonObject(raw);
  if (typeof fields.payload === 'string') return jsonObject(fields.payload);
  return { ...fields };
}

/** JSON that must be an object (Slack's bodies and payloads are): `null`, a number or a list is malformed. */
function jsonObject(text: string): Record<string, unknown> {
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error('not a JSON object');
  return value as Record<string, unknown>;
}

if (parentPort && workerData?.receiverThread)
  startReceiverThread(parentPort, workerData.receiverThread as ReceiverThreadOptions);
