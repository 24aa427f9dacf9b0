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
import { postToResponseUrl } from './responseUrl.js';
import { signatureProblem } from './signature.js';

/** What the receiver thread is started with (its workerData). */
export interface ReceiverThreadOptions {
  signingSecret: string;
  /** Where to listen (a port, or Node's listen options). */
  listen: number | ListenOptions;
  /** Paths of Slack's requests (`/slack/events`). */
  endpoints: string[];
  /** The main thread's server for every other path, on loopback. */
  routesPort: number;
  bodyLimit: number;
  /** The message a shed request gets through its response_url. */
  busyMessage: Record<string, unknown>;
  /** How long a request with a response_url may wait for the main thread before it is shed. */
  shedAfterMs: number;
  /** How long an ack that carries content may take before the request is answered 404 (Bolt's 3,001 ms). */
  ackTimeoutMs: number;
  /** One Int32 per request slot: a request's number while it waits, {@link TAKEN} or {@link SHED} after. */
  claims: SharedArrayBuffer;
}

/** A slot's value once the main thread took its request. */
export const TAKEN = 0;
/** A slot's value once this thread answered its request "busy". */
export const SHED = -1;

/** A request handed to the main thread. */
export interface HandedOver {
  type: 'request';
  /** The request's number (1 … 2^31 - 1, wrapping); its claim slot is `seq % slots`. */
  seq: number;
  body: Record<string, unknown>;
  retryNum?: number;
  retryReason?: string;
  /** When the request arrived, in ms since the epoch (performance.timeOrigin + performance.now()). */
  receivedAt: number;
  /** The ack was sent already; otherwise the main thread answers with an {@link AckMessage}. */
  acked: boolean;
  /** The main thread must claim the request (it may be shed if it waits too long). */
  claim: boolean;
}

/** The main thread's ack of a request that waits for it. */
export interface AckMessage {
  type: 'ack';
  seq: number;
  status: number;
  body?: unknown;
}

/** What the thread tells the main thread. */
export type FromReceiverThread =
  | HandedOver
  | { type: 'listening'; address: AddressInfo }
  | { type: 'log'; level: 'debug' | 'warn' | 'error'; message: string }
  | { type: 'stopped' };

/** What the main thread tells the thread. */
export type ToReceiverThread = AckMessage | { type: 'stop' };

/**
 * Interactions whose ack may carry content, so that their response waits for the listener:
 * modal submissions (`response_action`), menus' options, legacy attachments and dialogs.
 */
const ACK_CARRIES_CONTENT = new Set([
  'view_submission',
  'block_suggestion',
  'interactive_message',
  'dialog_submission',
  'dialog_suggestion',
]);

const now = () => performance.timeOrigin + performance.now();

function startReceiverThread(port: MessagePort, options: ReceiverThreadOptions): void {
  const claims = new Int32Array(options.claims);
  const waiting = new Map<number, { res: ServerResponse; timer: NodeJS.Timeout }>();
  let seq = 0;
  const log = (level: 'debug' | 'warn' | 'error', message: string) =>
    port.postMessage({ type: 'log', level, message } satisfies FromReceiverThread);

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (req.method === 'POST' && options.endpoints.includes(path)) receive(req, res);
    else passThrough(req, res);
  });

  function receive(req: IncomingMessage, res: ServerResponse): void {
    const receivedAt = now();
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
    seq = seq >= 0x7fffffff ? 1 : seq + 1;
    const acked = !ACK_CARRIES_CONTENT.has(String(body.type));
    const responseUrl = typeof body.response_url === 'string' ? body.response_url : undefined;
    // Only a request that can be told "busy" may be shed; the rest wait their turn (events are not
    // answered to a person within seconds, and Slack would only retry them).
    const claim = acked && responseUrl !== undefined;
    const retryNum = Number.parseInt(header(req, 'x-slack-retry-num') ?? '', 10);
    const retryReason = header(req, 'x-slack-retry-reason');
    const message: HandedOver = {
      type: 'request',
      seq,
      body,
      ...(Number.isNaN(retryNum) ? {} : { retryNum }),
      ...(retryReason === undefined ? {} : { retryReason }),
      receivedAt,
      acked,
      claim,
    };
    if (acked) {
      res.writeHead(200).end();
    } else {
      const number = seq;
      const timer = setTimeout(() => {
        waiting.delete(number);
        log('error', 'An incoming request was not acknowledged within 3 seconds.');
        if (!res.headersSent) res.writeHead(404).end();
      }, options.ackTimeoutMs);
      waiting.set(number, { res, timer });
    }
    if (claim && responseUrl) {
      const slot = seq % claims.length;
      const number = seq;
      Atomics.store(claims, slot, number);
      setTimeout(() => {
        if (Atomics.compareExchange(claims, slot, number, SHED) === number) void tellBusy(responseUrl);
      }, options.shedAfterMs);
    }
    port.postMessage(message);
  }

  async function tellBusy(responseUrl: string): Promise<void> {
    try {
      const response = await postToResponseUrl(
        responseUrl,
        { response_type: 'ephemeral', replace_original: false, ...options.busyMessage },
        10_000,
      );
      log('debug', `The main thread is behind: a request was answered busy (${response.status}).`);
    } catch (error) {
      log('error', `The busy answer failed: ${(error as Error).message}`);
    }
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

  port.on('message', (message: ToReceiverThread) => {
    if (message.type === 'ack') {
      const pending = waiting.get(message.seq);
      if (!pending) return;
      waiting.delete(message.seq);
      clearTimeout(pending.timer);
      const { res } = pending;
      if (message.body === undefined || message.body === '') res.writeHead(message.status).end();
      else if (typeof message.body === 'string') res.writeHead(message.status).end(message.body);
      else {
        res.writeHead(message.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(message.body));
      }
    } else if (message.type === 'stop') {
      server.close(() => {
        for (const { res, timer } of waiting.values()) {
          clearTimeout(timer);
          if (!res.headersSent) res.writeHead(503).end();
        }
        port.postMessage({ type: 'stopped' } satisfies FromReceiverThread);
        port.close();
      });
      server.closeIdleConnections();
    }
  });

  server.on('error', (error) => {
    throw error;
  });
  server.listen(options.listen, () =>
    port.postMessage({
      type: 'listening',
      address: server.address() as AddressInfo,
    } satisfies FromReceiverThread),
  );
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Slack's bodies: JSON (events), a form (commands), or a form whose `payload` is JSON (interactions). */
function parseBody(raw: string, fields: ParsedUrlQuery | undefined): Record<string, unknown> {
  if (!fields) return JSON.parse(raw) as Record<string, unknown>;
  if (typeof fields.payload === 'string') return JSON.parse(fields.payload) as Record<string, unknown>;
  return { ...fields };
}

if (parentPort && workerData?.receiverThread)
  startReceiverThread(parentPort, workerData.receiverThread as ReceiverThreadOptions);
