import type { Server } from 'node:http';
import type { AddressInfo, ListenOptions } from 'node:net';
import { Worker } from 'node:worker_threads';
import {
  type App,
  AuthorizationError,
  type HTTPReceiverOptions,
  type Logger,
  type Receiver,
  type ReceiverEvent,
} from '@slack/bolt';
import type { SlackMessage } from '../blocks/message.js';
import {
  type FromReceivingThread,
  type HandedOver,
  type HandOffOptions,
  TAKEN,
  type ToReceivingThread,
} from './handOff.js';
import { SlackHttpReceiver } from './receiver.js';
import type { ReceiverThreadOptions } from './receiverThread.js';
import type { SocketThreadOptions } from './socketThread.js';

/** Bolt's default limit of a request body. */
const BODY_LIMIT = 4 * 1024 * 1024;
/** Requests that may be waiting at once for the main thread to claim them (a ring of slots). */
const CLAIM_SLOTS = 1 << 16;
/** How long an ack that carries content may take (Bolt's: just past Slack's 3 s). */
const ACK_TIMEOUT_MS = 3001;

/** What a request is told when the main thread is too far behind, and when that is. */
export interface Shedding {
  /** What a request is answered through its response_url when the main thread is too far behind. */
  busyMessage: SlackMessage;
  /** How long a request with a response_url may wait for the main thread before it is shed. */
  shedAfterMs: number;
  /**
   * Called when the receiving thread stops on its own after it started: the app no longer hears
   * Slack (over Socket Mode not even a probe would notice), so the process should exit.
   */
  onThreadExit?: (code: number) => void;
}

/** The HTTP receiver's options: Bolt's HTTP receiver's, and what a shed request is told. */
export type WorkerHttpReceiverOptions = HTTPReceiverOptions & Shedding;

/** Where the receiver listens (what `app.start()` resolves to, as Bolt's HTTP server would). */
export interface ListeningReceiver {
  address(): AddressInfo;
}

/**
 * The main thread's side of a receiver whose transport runs in a worker thread (handOff.ts):
 * each request handed over is processed by Bolt (`app.processEvent`) as any receiver's would be,
 * with an `ack()` that has nothing left to send, or, for acks that carry content, that sends the
 * content back to the thread. A request that waited too long was answered "busy" by the thread
 * already: the claim in shared memory says so, and it is dropped here.
 */
abstract class ThreadReceiver implements Receiver {
  private readonly claims = new Int32Array(new SharedArrayBuffer(4 * CLAIM_SLOTS));
  protected app: App | undefined;
  private worker: Worker | undefined;
  /** Whether the thread stopped on its own after it started. */
  private threadExited = false;
  /** Requests handed over and not taken yet, in their order. */
  private readonly arrived: HandedOver[] = [];
  private readonly taken: (() => void)[] = [];

  constructor(
    protected readonly logger: Logger | undefined,
    private readonly shedding: Shedding,
  ) {}

  init(app: App): void {
    this.app = app;
  }

  abstract start(...args: unknown[]): Promise<unknown>;
  abstract stop(): Promise<void>;

  /** Starts the thread; resolves once it listens (with its address, for HTTP). */
  protected async startThread(
    entry: string,
    data: Record<
      string,
      Omit<ReceiverThreadOptions, keyof HandOffOptions> | Omit<SocketThreadOptions, keyof HandOffOptions>
    >,
  ): Promise<AddressInfo | undefined> {
    if (this.worker) throw new Error('The receiver was started already.');
    const handOff: HandOffOptions = {
      busyMessage: { ...this.shedding.busyMessage },
      shedAfterMs: this.shedding.shedAfterMs,
      ackTimeoutMs: ACK_TIMEOUT_MS,
      claims: this.claims.buffer as SharedArrayBuffer,
    };
    const workerData = Object.fromEntries(
      Object.entries(data).map(([key, value]) => [key, { ...value, ...handOff }]),
    );
    const worker = new Worker(threadEntry(entry), { workerData });
    this.worker = worker;
    try {
      const listening = await new Promise<AddressInfo | undefined>((resolve, reject) => {
        worker.once('error', reject);
        worker.once('exit', (code) =>
          reject(new Error(`The receiving thread exited (${code}) before it listened.`)),
        );
        worker.on('message', (message: FromReceivingThread) => {
          if (message.type === 'listening') resolve(message.address as AddressInfo | undefined);
          else if (message.type === 'failed') reject(new Error(message.message));
          else this.fromThread(message);
        });
      });
      worker.removeAllListeners('error');
      worker.removeAllListeners('exit');
      worker.on('error', (error) => this.logger?.error('The receiving thread failed:', error));
      worker.on('exit', (code) => {
        if (this.worker !== worker) return; // stopped by stopThread()
        this.worker = undefined;
        this.threadExited = true;
        this.logger?.error(`The receiving thread stopped (exit code ${code}): Slack's requests go unheard.`);
        this.shedding.onThreadExit?.(code);
      });
      return listening;
    } catch (error) {
      this.worker = undefined;
      await worker.terminate();
      throw error;
    }
  }

  /** Stops the thread's transport; the requests it handed over before are still processed. */
  protected async stopThread(): Promise<void> {
    const worker = this.worker;
    // A thread that stopped on its own has nothing left to stop (the rest of the receiver has).
    if (!worker && this.threadExited) return;
    if (!worker) throw new Error('The receiver cannot be stopped because it was not started.');
    this.worker = undefined;
    // Every request the thread handed over comes before its `stopped` (one port, in order).
    const stopped = new Promise<void>((resolve) => {
      worker.on('message', (message: FromReceivingThread) => message.type === 'stopped' && resolve());
      worker.once('exit', () => resolve());
    });
    worker.postMessage({ type: 'stop' } satisfies ToReceivingThread);
    await stopped;
    await worker.terminate();
    await this.allTaken(); // so that a shutdown's drain sees them in flight
  }

  private fromThread(message: FromReceivingThread): void {
    if (message.type === 'request') {
      this.arrived.push(message);
      if (this.arrived.length === 1) setImmediate(this.takeNext);
    } else if (message.type === 'log') this.logger?.[message.level](message.message);
  }

  /**
   * Takes the requests one per turn of the event loop. Node delivers every message waiting on the
   * port in one go: taking them all there would hold this thread for as long as Bolt takes over
   * all of them (seconds, after a stall), and claim requests that the thread could still shed.
   * One per turn, the answers being built take their turns in between, and a request that waits
   * here past `shedAfterMs` is the receiving thread's to answer "busy", at no cost to this one.
   */
  private readonly takeNext = (): void => {
    const request = this.arrived.shift();
    if (request) this.take(request);
    if (this.arrived.length > 0) setImmediate(this.takeNext);
    else for (const resolve of this.taken.splice(0)) resolve();
  };

  /** Resolves once every request handed over so far was taken (or found shed). */
  private allTaken(): Promise<void> {
    return this.arrived.length === 0 ? Promise.resolve() : new Promise((resolve) => this.taken.push(resolve));
  }

  /** Hands a request to Bolt, unless it waited so long that the thread answered "busy" already. */
  private take(request: HandedOver): void {
    const { seq } = request;
    if (request.claim && Atomics.compareExchange(this.claims, seq % CLAIM_SLOTS, seq, TAKEN) !== seq) return;
    const worker = this.worker;
    let acked = request.acked;
    const answer = (status: number, body?: unknown) =>
      worker?.postMessage({ type: 'ack', seq, status, body } satisfies ToReceivingThread);
    const ack = async (response?: unknown) => {
      if (acked) {
        if (response !== undefined && request.acked)
          this.logger?.warn('An ack with content for a request acked already: its content is dropped.');
        return;
      }
      acked = true;
      answer(200, response);
    };
    const event: ReceiverEvent = {
      body: request.body,
      ack,
      ...(request.retryNum === undefined ? {} : { retryNum: request.retryNum }),
      ...(request.retryReason === undefined ? {} : { retryReason: request.retryReason }),
      customProperties: {
        receivedAt: request.receivedAt,
        ...(request.ackedAt === undefined ? {} : { ackedAt: request.ackedAt }),
      },
    };
    this.app?.processEvent(event).catch((error: unknown) => {
      if (acked) {
        this.logger?.error('An unhandled error occurred after ack() called in a listener', error);
        return;
      }
      acked = true;
      if (error instanceof AuthorizationError) return answer(401);
      this.logger?.error('An unhandled error occurred while Bolt processed an event', error);
      answer(500);
    });
  }
}

/**
 * Bolt's HTTP receiver split over two threads, so that a busy main thread never delays an ack.
 * A worker thread (receiverThread.ts) owns the port: it reads each request to /slack/events,
 * verifies its signature (401 otherwise), acks it at once with an empty 200 and hands the parsed
 * body here, where Bolt processes it as it would any receiver's; the listeners' `ack()` then has
 * nothing left to send. Requests whose ack carries content (modal submissions, menu options) wait
 * for the listener's ack, as with Bolt's own receiver. A request with a response_url that this
 * thread has not taken within `shedAfterMs` is answered "busy" by the worker instead (a claim in
 * shared memory decides who answers, so never both). Every other path (OAuth's install pages,
 * health and metrics) is served by Bolt's own receiver on a loopback port, where the worker
 * passes it through.
 */
export class WorkerHttpReceiver extends ThreadReceiver {
  private readonly routes: SlackHttpReceiver;

  constructor(private readonly options: WorkerHttpReceiverOptions) {
    const { busyMessage, shedAfterMs, onThreadExit, ...bolt } = options;
    super(options.logger, { busyMessage, shedAfterMs, ...(onThreadExit ? { onThreadExit } : {}) });
    this.routes = new SlackHttpReceiver(bolt);
  }

  /** Bolt's OAuth installer, when installs are served: the app authorizes each request with it. */
  get installer(): SlackHttpReceiver['installer'] {
    return this.routes.installer;
  }

  override init(app: App): void {
    super.init(app);
    this.routes.init(app);
  }

  async start(portOrOptions?: number | string | ListenOptions): Promise<ListeningReceiver> {
    const routes = (await this.routes.start({ port: 0, host: '127.0.0.1' })) as Server;
    const listen =
      portOrOptions === undefined
        ? (this.options.port ?? 3000)
        : typeof portOrOptions === 'string'
          ? Number(portOrOptions)
          : portOrOptions;
    const options: Omit<ReceiverThreadOptions, keyof HandOffOptions> = {
      signingSecret: this.options.signingSecret,
      listen,
      endpoints: [this.options.endpoints ?? '/slack/events'].flat(),
      routesPort: (routes.address() as AddressInfo).port,
      bodyLimit: typeof this.options.bodyLimit === 'number' ? this.options.bodyLimit : BODY_LIMIT,
    };
    try {
      const address = (await this.startThread('receiverThread.js', {
        receiverThread: options,
      })) as AddressInfo;
      return { address: () => address };
    } catch (error) {
      await this.routes.stop();
      throw error;
    }
  }

  /** Stops listening; the requests handed over before are still processed. */
  async stop(): Promise<void> {
    await this.stopThread();
    await this.routes.stop();
  }
}

/** The Socket Mode receiver's options. */
export interface WorkerSocketModeReceiverOptions extends Shedding {
  appToken: string;
  logger?: Logger;
  /** Slack's Web API base (apps.connections.open). */
  slackApiUrl?: string;
}

/**
 * Bolt's Socket Mode receiver in a worker thread (socketThread.ts): the WebSocket lives there,
 * each envelope is acked on it at once and its payload processed here by Bolt, as with
 * {@link WorkerHttpReceiver}.
 */
export class WorkerSocketModeReceiver extends ThreadReceiver {
  constructor(private readonly options: WorkerSocketModeReceiverOptions) {
    super(options.logger, options);
  }

  async start(): Promise<void> {
    const { appToken, slackApiUrl } = this.options;
    await this.startThread('socketThread.js', {
      socketThread: { appToken, ...(slackApiUrl ? { slackApiUrl } : {}) },
    });
  }

  async stop(): Promise<void> {
    await this.stopThread();
  }
}

/**
 * A thread's script: the compiled file beside this module. Under jest this module is the
 * TypeScript source, and Node cannot start a worker from TypeScript, so tests use the build in
 * dist/ (`npm test` builds first).
 */
function threadEntry(file: string): URL {
  return import.meta.url.endsWith('.ts')
    ? new URL(`../../dist/slack/${file}`, import.meta.url)
    : new URL(`./${file}`, import.meta.url);
}
