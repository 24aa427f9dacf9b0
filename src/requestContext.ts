import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What is known about the Slack request being handled, wherever in its handling the code is: the
 * fields every log line of the request carries, and when it arrived (for the answer latency).
 * Carried by Node's AsyncLocalStorage, so that the listeners, the domain and the stores log with
 * it without a logger being handed down through every call.
 */
export interface RequestContext {
  /** `team`, `channel`, `command`, `event_id`…: added to every log line written meanwhile. */
  readonly fields: Readonly<Record<string, string>>;
  /** performance.now() when the request reached the app. */
  readonly startedAt: number;
  /** Called by the listener once the answer reached Slack (or failed to), with what it was. */
  answered?(what: string, ok: boolean): void;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** Runs `work` as part of a request: everything it calls, now or later, sees the context. */
export function inRequest<T>(context: RequestContext, work: () => T): T {
  return storage.run(context, work);
}

/** The request being handled, if any. */
export function currentRequest(): RequestContext | undefined {
  return storage.getStore();
}
