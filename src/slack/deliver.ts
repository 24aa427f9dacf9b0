import type { SlackMessage } from '../blocks/message.js';
import { BUSY, noticeMessage } from '../blocks/messages.js';
import type { Logger } from '../logger.js';
import { currentRequest } from '../requestContext.js';
import { SearchBusy } from '../search/paperSearch.js';
import { postToResponseUrl } from './responseUrl.js';

/** What a user sees when building the answer failed: one friendly sentence, nothing internal. */
export const SOMETHING_WENT_WRONG = noticeMessage(
  ':warning: Sorry, something went wrong while answering. Please try again in a moment.',
);

/** Slack refused a post (Web API or response_url); `code` is Slack's reason, e.g. `invalid_blocks`. */
export class SlackRefusal extends Error {
  constructor(
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(`Slack did not accept the message (${code})`, options);
    this.name = 'SlackRefusal';
  }
}

const RESPONSE_URL_TIMEOUT_MS = 10_000;

/**
 * Delivers an answer that only the user sees, through the interaction's response_url: a new
 * message, or (`replaceOriginal`) one that replaces the message the user clicked in. Slack
 * answers a refused post with an HTTP error whose text body is the reason (`invalid_blocks`);
 * Bolt's respond() keeps only the status, so this posts itself and throws a {@link SlackRefusal}
 * with the reason. Never retried: an ephemeral answer is in no history, so a lost one cannot be
 * checked for.
 */
export function ephemeralReply(responseUrl: string, replaceOriginal = false) {
  return async (message: SlackMessage): Promise<void> => {
    const response = await postToResponseUrl(
      responseUrl,
      { response_type: 'ephemeral', replace_original: replaceOriginal, ...message },
      RESPONSE_URL_TIMEOUT_MS,
    );
    if (response.ok) return;
    const reason = response.text.trim();
    throw new SlackRefusal(/^[a-z_]{1,60}$/.test(reason) ? reason : `http_${response.status}`);
  };
}

/**
 * How long an answer may wait for its turn before it is answered "busy" instead of built: past
 * this, the thread that acks is behind (more requests than it can answer), and an answer built now
 * would reach the person after Slack's few seconds, while the busy sentence costs almost nothing
 * and lets the backlog drain. With the search queue's own bound (WorkerSearcher), an answer or the
 * busy sentence arrives within about 3 s.
 */
export const ANSWER_MAX_WAIT_MS = 1000;

/**
 * The one listener shape, after `ack()`: build the answer, deliver it, and turn any failure into a
 * logged error plus (where possible) the friendly sentence above. An answer whose turn comes more
 * than `maxWaitMs` after the request arrived (or the call, outside a request) is answered with the busy sentence instead ({@link
 * ANSWER_MAX_WAIT_MS}). Never throws.
 */
export async function answerWith(
  logger: Logger,
  what: string,
  build: () => SlackMessage | Promise<SlackMessage>,
  deliver: (message: SlackMessage) => Promise<unknown>,
  maxWaitMs = ANSWER_MAX_WAIT_MS,
): Promise<void> {
  // The wait counts from the request's arrival: it may have waited for this thread before the listener ran.
  const called = currentRequest()?.startedAt ?? performance.now();
  let message: SlackMessage;
  try {
    await nextTurn();
    if (performance.now() - called > maxWaitMs) throw new SearchBusy();
    message = await build();
  } catch (error) {
    if (error instanceof SearchBusy) {
      logger.debug(`${what}: the search is busy; answered so.`);
      message = BUSY;
    } else {
      logger.error(`${what}: building the answer failed:`, error);
      message = SOMETHING_WENT_WRONG;
    }
  }
  try {
    await deliver(message);
    currentRequest()?.answered?.(what, true);
  } catch (error) {
    currentRequest()?.answered?.(what, false);
    const reason = describeSlackError(error);
    logger.error(`${what}: Slack did not accept the answer:`, reason);
    if (!REFUSED_CONTENT.has(reason)) return; // Slack or the network is down: a second try would fail too
    // Slack refused this message's content: a plain sentence still tells the user something happened.
    await deliver(refusedNotice(reason)).catch((second: unknown) =>
      logger.error(`${what}: the fallback answer failed too:`, describeSlackError(second)),
    );
  }
}

/**
 * Resolves in a later turn of the event loop, one waiter per turn in arrival order. Building an
 * answer (a search, its cards) is CPU work on the one thread that also reads new requests; taking
 * turns lets the poll phase between two answers read and ack the requests that came in meanwhile,
 * so an ack waits for at most one answer being built, not for every answer queued before it.
 */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => {
    waitingTurns.push(resolve);
    if (waitingTurns.length === 1) setImmediate(grantTurn);
  });
}

const waitingTurns: (() => void)[] = [];

/** Answers waiting for their turn to be built (a work queue, reported as a metric). */
export function answersWaiting(): number {
  return waitingTurns.length;
}

function grantTurn(): void {
  waitingTurns.shift()?.();
  // A setImmediate queued from the check phase runs in the next loop iteration, after its I/O.
  if (waitingTurns.length > 0) setImmediate(grantTurn);
}

/** Errors about a message's content, after which a simpler message can still get through. */
const REFUSED_CONTENT = new Set([
  'invalid_blocks',
  'invalid_blocks_format',
  'msg_too_long',
  'msg_blocks_too_long',
  'no_text',
  'invalid_payload',
  'too_many_attachments',
  'invalid_attachments',
]);

function refusedNotice(reason: string): SlackMessage {
  return noticeMessage(
    `:warning: Sorry, Slack did not accept my answer (\`${reason.replace(/[^a-z_]/g, '')}\`). Please try again, or try a shorter query.`,
  );
}

/** A short description of a Web API or HTTP error: Slack's error code where there is one. */
export function describeSlackError(error: unknown): string {
  if (error instanceof SlackRefusal) return error.code;
  const data = (error as { data?: { error?: string } }).data;
  if (data?.error) return data.error;
  return error instanceof Error ? error.message : String(error);
}
