import type { Server } from 'node:http';
import type { AddressInfo, ListenOptions } from 'node:net';
import { Worker } from 'node:worker_threads';
import {
  type App,
  AuthorizationError,
  type HTTPReceiverOptions,
  type Receiver,
  type ReceiverEvent,
} from '@slack/bolt';
import type { SlackMessage } from '../blocks/message.js';
import { SlackHttpReceiver } from './receiver.js';
import type {
  FromReceiverThread,
  HandedOver,
  ReceiverThreadOptions,
  ToReceiverThread,
} from './receiverThread.js';
import { TAKEN } from './receiverThread.js';

/** Bolt's default limit of a request body. */
const BODY_LIMIT = 4 * 1024 * 1024;
/** Requests that may be waiting at once for the main thread to claim them (a ring of slots). */
const CLAIM_SLOTS = 1 << 16;
/** How long an ack that carries content may take (Bolt's: just past Slack's 3 s). */
const ACK_TIMEOUT_MS = 3001;

/** The receiver's options: Bolt's HTTP receiver's, and what a shed request is told. */
export interface WorkerHttpReceiverOptions extends HTTPReceiverOptions {
  /** What a request is answered through its response_url when the main thread is too far behind. */
  busyMessage: SlackMessage;
  /** How long a request with a response_url may wait for the main thread before it is shed. */
  shedAfterMs: number;
}

/** Where the receiver listens (what `app.start()` resolves to, as Bolt's HTTP server would). */
export interface ListeningReceiver {
  address(): AddressInfo;
}

/**
 * Bolt's HTTP receiver split over two threads, so that a busy main thread never delays an ack.
 * A worker thread (receiverThread.ts) owns the port: it reads each request to /slack/events,
 * verifies its signature (401 otherwise), acks it at once with an empty 200 and hands the parsed
 * body here, where Bolt processes it (`app.processEvent`) as it would any receiver's; the
 * listeners' `ack()` then has nothing left to send. Requests whose ack carries content (modal
 * submissions, menu options) wait for the listener's ack, as with Bolt's own receiver. A request
 * with a response_url that this thread has not taken within `shedAfterMs` is answered "busy" by
 * the worker instead (a claim in shared memory decides who answers, so never both). Every other
 * path (OAuth's install pages, health and metrics) is served by Bolt's own receiver on a loopback
 * port, where the worker passes it through.
 */
export class WorkerHttpReceiver implements Receiver {
  private readonly routes: SlackHttpReceiver;
  private readonly claims = new Int32Array(new SharedArrayBuffer(4 * CLAIM_SLOTS));
  private app: App | undefined;
  private worker: Worker | undefined;

  constructor(private readonly options: WorkerHttpReceiverOptions) {
    const { busyMessage: _busy, shedAfterMs: _shed, ...bolt } = options;
    this.routes = new SlackHttpReceiver(bolt);
  }

  /** Bolt's OAuth installer, when installs are served: the app authorizes each request with it. */
  get installer(): SlackHttpReceiver['installer'] {
    return this.routes.installer;
  }

  init(app: App): void {
    this.app = app;
    this.routes.init(app);
  }

  async start(portOrOptions?: number | string | ListenOptions): Promise<ListeningReceiver> {
    if (this.worker) throw new Error('The receiver was started already.');
    const routes = (await this.routes.start({ port: 0, host: '127.0.0.1' })) as Server;
    const listen =
      portOrOptions === undefined
        ? (this.options.port ?? 3000)
        : typeof portOrOptions === 'string'
          ? Number(portOrOptions)
          : portOrOptions;
    const options: ReceiverThreadOptions = {
      signingSecret: this.options.signingSecret,
      listen,
      endpoints: [this.options.endpoints ?? '/slack/events'].flat(),
      routesPort: (routes.address() as AddressInfo).port,
      bodyLimit: typeof this.options.bodyLimit === 'number' ? this.options.bodyLimit : BODY_LIMIT,
      busyMessage: { ...this.options.busyMessage },
      shedAfterMs: this.options.shedAfterMs,
      ackTimeoutMs: ACK_TIMEOUT_MS,
      claims: this.claims.buffer as SharedArrayBuffer,
    };
    const worker = new Worker(threadEntry(), { workerData: { receiverThread: options } });
    this.worker = worker;
    try {
      const address = await new Promise<AddressInfo>((resolve, reject) => {
        worker.once('error', reject);
        worker.once('exit', (code) =>
          reject(new Error(`The receiver thread exited (${code}) before listening.`)),
        );
        worker.on('message', (message: FromReceiverThread) => {
          if (message.type === 'listening') resolve(message.address);
          else this.fromThread(message);
        });
      });
      worker.removeAllListeners('error');
      worker.removeAllListeners('exit');
      worker.on('error', (error) => this.options.logger?.error('The receiver thread failed:', error));
      return { address: () => address };
    } catch (error) {
      this.worker = undefined;
      await worker.terminate();
      await this.routes.stop();
      throw error;
    }
  }

  /** Stops listening; the requests handed over before are still processed. */
  async stop(): Promise<void> {
    const worker = this.worker;
    if (!worker) throw new Error('The receiver cannot be stopped because it was not started.');
    this.worker = undefined;
    // Every request the thread handed over comes before its `stopped` (one port, in order).
    const stopped = new Promise<void>((resolve) => {
      worker.on('message', (message: FromReceiverThread) => message.type === 'stopped' && resolve());
      worker.once('exit', () => resolve());
    });
    this.post(worker, { type: 'stop' });
    await stopped;
    await worker.terminate();
    await this.routes.stop();
  }

  private fromThread(message: FromReceiverThread): void {
    if (message.type === 'request') this.take(message);
    else if (message.type === 'log') this.options.logger?.[message.level](message.message);
  }

  /** Hands a request to Bolt, unless it waited so long that the thread answered "busy" already. */
  private take(request: HandedOver): void {
    const { seq } = request;
    const slot = seq % CLAIM_SLOTS;
    if (request.claim && Atomics.compareExchange(this.claims, slot, seq, TAKEN) !== seq) return;
    const worker = this.worker;
    let acked = request.acked;
    const ack = async (response?: unknown) => {
      if (acked) {
        if (response !== undefined && request.acked)
          this.options.logger?.warn(
            'An ack with content for a request acked already: its content is dropped.',
          );
        return;
      }
      acked = true;
      if (worker) this.post(worker, { type: 'ack', seq, status: 200, body: response });
    };
    const event: ReceiverEvent = {
      body: request.body,
      ack,
      ...(request.retryNum === undefined ? {} : { retryNum: request.retryNum }),
      ...(request.retryReason === undefined ? {} : { retryReason: request.retryReason }),
      customProperties: { receivedAt: request.receivedAt },
    };
    this.app?.processEvent(event).catch((error: unknown) => {
      if (acked) {
        this.options.logger?.error('An unhandled error occurred after ack() called in a listener', error);
        return;
      }
      acked = true;
      const status = error instanceof AuthorizationError ? 401 : 500;
      if (status === 500)
        this.options.logger?.error('An unhandled error occurred while Bolt processed an event', error);
      if (worker) this.post(worker, { type: 'ack', seq, status });
    });
  }

  private post(worker: Worker, message: ToReceiverThread): void {
    worker.postMessage(message);
  }
}

/**
 * The thread's script: the compiled receiverThread.js beside this module. Under jest this module
 * is the TypeScript source, and Node cannot start a worker from TypeScript, so tests use the build
 * in dist/ (`npm test` builds first).
 */
function threadEntry(): URL {
  return import.meta.url.endsWith('.ts')
    ? new URL('../../dist/slack/receiverThread.js', import.meta.url)
    : new URL('./receiverThread.js', import.meta.url);
}
