/**
 * Handing Slack's requests from a receiving thread (HTTP: receiverThread.ts, Socket Mode:
 * socketThread.ts) to the main thread, where Bolt runs the listeners: the messages between the
 * two, and the receiving side's part (ack at once, or wait for the listener's ack; shed a request
 * the main thread does not take in time). The main thread's part is workerReceiver.ts.
 */
import type { MessagePort } from 'node:worker_threads';
import { postToResponseUrl } from './responseUrl.js';

/** What every receiving thread is started with, besides its transport's own options. */
export interface HandOffOptions {
  /** The message a shed request gets through its response_url. */
  busyMessage: Record<string, unknown>;
  /** How long a request with a response_url may wait for the main thread before it is shed. */
  shedAfterMs: number;
  /** How long an ack that carries content may take (Bolt's 3,001 ms); then it is answered 404. */
  ackTimeoutMs: number;
  /** One Int32 per request slot: a request's number while it waits, {@link TAKEN} or {@link SHED} after. */
  claims: SharedArrayBuffer;
}

/** A slot's value once the main thread took its request. */
export const TAKEN = 0;
/** A slot's value once the receiving thread answered its request "busy". */
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
  /** When it was sent, if it was (ms since the epoch). */
  ackedAt?: number;
  /** The main thread must claim the request (it may be shed if it waits too long). */
  claim: boolean;
}

/** The main thread's ack of a request that waits for it. */
export interface AckMessage {
  type: 'ack';
  seq: number;
  /** HTTP's status (Socket Mode has none: only `body` is sent). */
  status: number;
  body?: unknown;
}

/** What a receiving thread tells the main thread. */
export type FromReceivingThread =
  | HandedOver
  | { type: 'listening'; address?: { address: string; family: string; port: number } }
  | { type: 'log'; level: 'debug' | 'info' | 'warn' | 'error'; message: string }
  | { type: 'failed'; message: string }
  | { type: 'stopped' };

/** What the main thread tells a receiving thread. */
export type ToReceivingThread = AckMessage | { type: 'stop' };

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

/** Answers one request on its transport: the ack (status 200), or a failure (its HTTP status). */
export type Reply = (status: number, body?: unknown) => void;

/** The receiving thread's side of the hand-off. */
export class HandOff {
  private seq = 0;
  private readonly claims: Int32Array;
  private readonly waiting = new Map<number, { reply: Reply; timer: NodeJS.Timeout }>();

  constructor(
    private readonly port: MessagePort,
    private readonly options: HandOffOptions,
  ) {
    this.claims = new Int32Array(options.claims);
    port.on('message', (message: ToReceivingThread) => {
      if (message.type !== 'ack') return;
      const pending = this.waiting.get(message.seq);
      if (!pending) return;
      this.waiting.delete(message.seq);
      clearTimeout(pending.timer);
      pending.reply(message.status, message.body);
    });
  }

  /** Logs on the main thread. */
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void {
    this.port.postMessage({ type: 'log', level, message } satisfies FromReceivingThread);
  }

  /**
   * Acks a verified request at once (through `reply`) unless its ack carries content, and hands
   * it to the main thread; a request with a response_url that the main thread has not taken
   * within `shedAfterMs` is answered "busy" from here.
   */
  handOver(
    body: Record<string, unknown>,
    meta: { receivedAt: number; retryNum?: number | undefined; retryReason?: string | undefined },
    reply: Reply,
  ): void {
    this.seq = this.seq >= 0x7fffffff ? 1 : this.seq + 1;
    const seq = this.seq;
    const acked = !ACK_CARRIES_CONTENT.has(String(body.type));
    const responseUrl = typeof body.response_url === 'string' ? body.response_url : undefined;
    // Only a request that can be told "busy" may be shed; the rest wait their turn (events are not
    // answered to a person within seconds, and Slack would only retry them).
    const claim = acked && responseUrl !== undefined;
    const message: HandedOver = {
      type: 'request',
      seq,
      body,
      ...(meta.retryNum === undefined || Number.isNaN(meta.retryNum) ? {} : { retryNum: meta.retryNum }),
      ...(meta.retryReason === undefined ? {} : { retryReason: meta.retryReason }),
      receivedAt: meta.receivedAt,
      acked,
      claim,
    };
    if (acked) {
      reply(200);
      message.ackedAt = epochNow();
    } else {
      const timer = setTimeout(() => {
        this.waiting.delete(seq);
        this.log('error', 'An incoming request was not acknowledged within 3 seconds.');
        reply(404); // Bolt's answer then
      }, this.options.ackTimeoutMs);
      this.waiting.set(seq, { reply, timer });
    }
    if (claim && responseUrl) {
      const slot = seq % this.claims.length;
      Atomics.store(this.claims, slot, seq);
      setTimeout(() => {
        if (Atomics.compareExchange(this.claims, slot, seq, SHED) === seq) void this.tellBusy(responseUrl);
      }, this.options.shedAfterMs);
    }
    this.port.postMessage(message);
  }

  /** Answers the requests still waiting for an ack with `status` (the receiver is stopping). */
  close(status: number): void {
    for (const { reply, timer } of this.waiting.values()) {
      clearTimeout(timer);
      reply(status);
    }
    this.waiting.clear();
  }

  private async tellBusy(responseUrl: string): Promise<void> {
    try {
      const response = await postToResponseUrl(
        responseUrl,
        { response_type: 'ephemeral', replace_original: false, ...this.options.busyMessage },
        10_000,
      );
      this.log('debug', `The main thread is behind: a request was answered busy (${response.status}).`);
    } catch (error) {
      this.log('error', `The busy answer failed: ${(error as Error).message}`);
    }
  }
}

/** Now, in ms since the epoch, comparable across threads. */
export const epochNow = (): number => performance.timeOrigin + performance.now();
