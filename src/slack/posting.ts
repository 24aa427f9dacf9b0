import { randomUUID } from 'node:crypto';
import { webApi } from '@slack/bolt';
import type { SlackMessage } from '../blocks/message.js';
import { renderDigest } from '../blocks/subscriptions.js';
import type { SlackConnection } from '../config.js';
import type { Logger } from '../logger.js';
import type { DigestPoster, DigestTarget, OutgoingDigest, PostResult } from '../subscriptions/scheduler.js';
import { describeSlackError, SlackRefusal } from './deliver.js';
import { READ_LIMIT, type ReadBudget, type ReadMethod } from './readBudget.js';

/** The Slack message metadata type that marks paperbot's digests (and carries their run key). */
export const DIGEST_EVENT = 'paperbot_digest';
/** The metadata type of paperbot's other posts in channels: answers to mentions, shared cards, notices. */
export const POST_EVENT = 'paperbot_post';

/** What a failed Web API call says about whether Slack acted on it. */
export type CallFailure =
  /** Slack answered and refused: nothing happened, and the same call would be refused again. */
  | { kind: 'refused'; error: string }
  /** Slack did not act and says to try later: a 429 (with its Retry-After), or a transient error. */
  | { kind: 'later'; error: string; retryAfterMs?: number }
  /** The request never reached Slack (connection refused, host not found). */
  | { kind: 'not-sent'; error: string }
  /** No answer (timeout, dropped connection) or a 5xx: Slack may have acted. */
  | { kind: 'unknown'; error: string };

// Slack documents these as "It's possible some aspect of the operation succeeded".
const MAY_HAVE_ACTED = new Set(['internal_error', 'fatal_error']);
const TRY_LATER = new Set(['service_unavailable', 'request_timeout', 'ratelimited', 'team_added_to_org']);
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);

/** Classifies an error thrown by a WebClient call. */
export function callFailure(error: unknown): CallFailure {
  const e = error as { code?: string; data?: { error?: string }; retryAfter?: number; statusCode?: number };
  switch (e.code) {
    case webApi.ErrorCode.PlatformError: {
      const code = e.data?.error ?? 'unknown_error';
      if (MAY_HAVE_ACTED.has(code)) return { kind: 'unknown', error: code };
      if (TRY_LATER.has(code)) return { kind: 'later', error: code };
      return { kind: 'refused', error: code };
    }
    case webApi.ErrorCode.RateLimitedError:
      return { kind: 'later', error: 'ratelimited', retryAfterMs: (e.retryAfter ?? 1) * 1000 };
    case webApi.ErrorCode.HTTPError:
      return (e.statusCode ?? 500) >= 500
        ? { kind: 'unknown', error: `http_${e.statusCode}` }
        : { kind: 'refused', error: `http_${e.statusCode}` };
    case webApi.ErrorCode.RequestError:
      return NEVER_SENT.has(systemCode(error) ?? '')
        ? { kind: 'not-sent', error: describeSlackError(error) }
        : { kind: 'unknown', error: describeSlackError(error) };
    default:
      return { kind: 'unknown', error: describeSlackError(error) };
  }
}

/** The system error code (ECONNREFUSED...) somewhere down an error's `original`/`cause` chain. */
function systemCode(error: unknown): string | undefined {
  for (
    let e = error as { code?: unknown; original?: unknown; cause?: unknown } | undefined, depth = 0;
    e && depth < 5;
    depth++
  ) {
    if (typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code)) return e.code;
    e = (e.original ?? e.cause) as typeof e;
  }
  return undefined;
}

/**
 * Slack errors after which posting to the channel cannot succeed until someone acts; digests to
 * it pause with this reason (shown in `/paper subscriptions`) instead of failing every tick.
 */
const PAUSING_ERRORS: Record<string, string> = {
  not_in_channel: 'I am not in this channel (not_in_channel): invite me with /invite @paperbot',
  channel_not_found: 'the channel was not found (channel_not_found): it may be private or deleted',
  is_archived: 'the channel is archived (is_archived)',
  // The workspace's token no longer works: the app was uninstalled, or its token revoked.
  token_revoked: 'paperbot was removed from this workspace (token_revoked): reinstall it, then /paper resume',
  invalid_auth: 'paperbot was removed from this workspace (invalid_auth): reinstall it, then /paper resume',
  account_inactive:
    'paperbot was removed from this workspace (account_inactive): reinstall it, then /paper resume',
};

/** Why digests to a workspace without an installation pause (it was uninstalled, or never installed). */
export const NOT_INSTALLED =
  'paperbot is not installed in this workspace (it was uninstalled): reinstall it, then /paper resume';

function refusal(code: string): PostResult {
  const pauseReason = Object.hasOwn(PAUSING_ERRORS, code) ? PAUSING_ERRORS[code] : undefined;
  return pauseReason ? { ok: false, error: code, pauseReason } : { ok: false, error: code, refused: true };
}

/** How long to wait before trying again: Slack's Retry-After when it gave one. */
function retryWait(failure: CallFailure, backoff: number): number {
  return failure.kind === 'later' && failure.retryAfterMs !== undefined ? failure.retryAfterMs : backoff;
}

/** How patient a post is. */
export interface PostPolicy {
  /** Attempts in all, counting the first. */
  attempts: number;
  /** Wait before retrying a post that failed without a Retry-After: this times the attempt number. */
  backoffMs: number;
  /** The longest Retry-After worth waiting for: an answer to a person is not worth a minute's wait. */
  maxRetryAfterMs: number;
  sleep?: (ms: number) => Promise<void>;
}

/** Answers to people: a few quick tries within seconds, then give up and say so in the log. */
export const ANSWER_POLICY: PostPolicy = { attempts: 3, backoffMs: 500, maxRetryAfterMs: 5000 };
/** Digests: patient, since nobody is waiting for them. */
export const DIGEST_POLICY: PostPolicy = { attempts: 6, backoffMs: 2000, maxRetryAfterMs: 120_000 };

/** A message for a channel, or (with `thread_ts`) for a thread in it. */
export type ChannelPost = SlackMessage & { channel: string; thread_ts?: string };

/** How far Slack's clock may be from ours when a lost post is looked for in the conversation. */
const CLOCK_SKEW_MS = 60 * 1000;

/**
 * Whose conversations a poster posts in, and what it may read there: the workspace (its team id,
 * for the read budget), its bot token (one client serves every workspace; without it, the
 * client's own), and the budget shared by every feature and replica.
 */
export interface PosterWorkspace extends Reads {
  team: string;
  token?: string;
}

/** The read budget every poster of a process shares, and its clock (tests pass a fake one). */
export interface Reads {
  budget: ReadBudget;
  now?: () => Date;
}

/**
 * Where the look for each lost post got to: the part of the conversation not read yet
 * (`oldest`..`latest`, Slack timestamps, exclusive), so that the next look, a minute or a tick
 * later, reads on from there instead of from the start. In this process's memory: after a
 * restart a look starts over, which costs minutes, never a second post.
 */
const lookouts = new Map<string, { oldest: string; latest: string }>();
/** Looks remembered at most (a lost post is rare; the oldest are forgotten first). */
const MAX_LOOKOUTS = 1000;

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Posts messages so that none is ever posted twice. Each post carries a key in its Slack message
 * metadata. A 429 waits for its Retry-After and a request Slack certainly did not act on is tried
 * again; a post whose answer was lost (timeout, dropped connection, 5xx: it may have landed) is
 * first looked for in its conversation, from just before the first attempt, and tried again only
 * when it is certainly not there. Never throws: the outcome is a {@link PostResult}.
 */
export class ChannelPoster {
  private readonly token: string | undefined;

  constructor(
    private readonly client: webApi.WebClient,
    private readonly policy: PostPolicy,
    private readonly workspace: PosterWorkspace,
  ) {
    this.token = workspace.token;
  }

  async post(
    message: ChannelPost,
    options: { key?: string; eventType?: string; beforeAttempt?: () => Promise<void> } = {},
  ): Promise<PostResult> {
    const { key = randomUUID(), eventType = POST_EVENT, beforeAttempt } = options;
    const since = new Date();
    const payload = {
      unfurl_links: false,
      unfurl_media: false,
      ...message,
      metadata: { event_type: eventType, event_payload: { run: key } },
      ...this.auth(),
    };
    const where = { channel: message.channel, ...(message.thread_ts ? { threadTs: message.thread_ts } : {}) };
    return this.attempts(
      async () => {
        await beforeAttempt?.();
        return (await this.client.chat.postMessage(payload)).ts;
      },
      () => this.find(where, key, since, eventType),
    );
  }

  /**
   * chat.postEphemeral, tried again only when Slack certainly did not show it: an ephemeral
   * message is in no history, so a lost one cannot be looked for.
   */
  postEphemeral(message: SlackMessage & { channel: string; user: string }): Promise<PostResult> {
    return this.attempts(
      async () => {
        await this.client.chat.postEphemeral({ ...message, ...this.auth() });
        return undefined; // an ephemeral message has no ts of its own to remember
      },
      async () => undefined,
    );
  }

  /**
   * Makes a post, trying again while Slack certainly did not act on it. After an answer that was
   * lost, `landed` says whether the post is there (undefined: cannot tell, so no second try).
   */
  private async attempts(
    post: () => Promise<string | undefined>,
    landed: () => Promise<boolean | undefined>,
  ): Promise<PostResult> {
    const { attempts, backoffMs, maxRetryAfterMs, sleep = sleepFor } = this.policy;
    for (let attempt = 1; ; attempt++) {
      let failure: CallFailure;
      try {
        const ts = await post();
        return typeof ts === 'string' ? { ok: true, ts } : { ok: true };
      } catch (error) {
        failure = callFailure(error);
      }
      if (failure.kind === 'refused') return refusal(failure.error);
      if (failure.kind === 'unknown') {
        const found = await landed();
        if (found) return { ok: true };
        if (found === undefined) return { ok: false, error: failure.error, ambiguous: true };
      }
      const wait = retryWait(failure, backoffMs * attempt);
      if (attempt >= attempts || wait > maxRetryAfterMs) return { ok: false, error: failure.error };
      await sleep(wait);
    }
  }

  /** The permalink of a message (chat.getPermalink, tried once: it only adds a link); undefined when Slack does not say. */
  async permalink(channel: string, ts: string): Promise<string | undefined> {
    try {
      const answer = await this.client.chat.getPermalink({ channel, message_ts: ts, ...this.auth() });
      return typeof answer.permalink === 'string' && /^https:\/\/[^\s<>|]+$/.test(answer.permalink)
        ? answer.permalink
        : undefined;
    } catch {
      return undefined;
    }
  }

  /** Delivers through {@link ChannelPoster.post}, throwing a {@link SlackRefusal} when it did not post. */
  deliverTo(where: { channel: string; thread_ts?: string }): (message: SlackMessage) => Promise<void> {
    return async (message) => {
      const posted = await this.post({ ...where, ...message });
      if (!posted.ok) throw new SlackRefusal(posted.error);
    };
  }

  /**
   * Whether a message tagged `key` is in the channel (or the thread `threadTs`) since `since`:
   * one read of at most 15 messages, made only when the workspace's budget for the method is free
   * (never waited for). True when found; false when the whole window since `since` was read and
   * it is not there; undefined when that cannot be told now (the budget is spent this minute, the
   * read failed, or more messages are left: the next look reads on from where this one stopped).
   */
  async find(
    where: { channel: string; threadTs?: string },
    key: string,
    since: Date,
    eventType: string,
  ): Promise<boolean | undefined> {
    const { team, budget, now = () => new Date() } = this.workspace;
    const method: ReadMethod = where.threadTs ? 'conversations.replies' : 'conversations.history';
    const lookout = `${team}\u0000${where.channel}\u0000${key}`;
    const window = lookouts.get(lookout) ?? {
      oldest: slackTs(since.getTime() - CLOCK_SKEW_MS),
      // The post was made before this first look: what comes later is not it. (Wall-clock time,
      // as Slack's timestamps are; `now` is the budget's clock, which tests play faster.)
      latest: slackTs(Date.now() + CLOCK_SKEW_MS),
    };
    try {
      if (!(await budget.take(team, method, now()))) return undefined;
    } catch {
      return undefined; // the budget's store is down: no read that might be one too many
    }
    let answer: webApi.ConversationsHistoryResponse | webApi.ConversationsRepliesResponse;
    try {
      const common = {
        channel: where.channel,
        ...window,
        limit: READ_LIMIT,
        include_all_metadata: true,
        ...this.auth(),
      };
      answer = where.threadTs
        ? await this.client.conversations.replies({ ...common, ts: where.threadTs })
        : await this.client.conversations.history(common);
    } catch (error) {
      const failure = callFailure(error);
      if (failure.kind === 'later' && failure.retryAfterMs !== undefined)
        await budget
          .holdUntil(team, method, new Date(now().getTime() + failure.retryAfterMs))
          .catch(() => {});
      // A channel the bot cannot read for a reason that pauses posting (removed from it, archived,
      // the token revoked) cannot be posted to either: "not there" lets the post be tried and
      // refused for that reason, which pauses a digest, instead of "cannot tell" every tick for ever.
      return failure.kind === 'refused' && failure.error in PAUSING_ERRORS ? false : undefined;
    }
    const messages = answer.messages ?? [];
    const found = messages.some(
      (m) =>
        m.metadata?.event_type === eventType &&
        (m.metadata.event_payload as { run?: unknown } | undefined)?.run === key,
    );
    lookouts.delete(lookout);
    if (found || !answer.has_more) return found;
    // History pages newest first, a thread's replies oldest first: narrow the window by what was read.
    const seen = messages.map((m) => m.ts).filter((ts): ts is string => typeof ts === 'string');
    const rest = where.threadTs
      ? { ...window, oldest: seen.reduce((a, b) => (Number(b) > Number(a) ? b : a), window.oldest) }
      : { ...window, latest: seen.reduce((a, b) => (Number(b) < Number(a) ? b : a), window.latest) };
    if (lookouts.size >= MAX_LOOKOUTS) lookouts.delete(lookouts.keys().next().value as string);
    lookouts.set(lookout, rest);
    return undefined;
  }

  private auth(): { token?: string } {
    return this.token === undefined ? {} : { token: this.token };
  }
}

/** A Slack timestamp ("1700000000.000100") for a time in milliseconds. */
function slackTs(ms: number): string {
  return (ms / 1000).toFixed(6);
}

/**
 * What the listeners call Slack with besides Bolt's own client, which retries and so is kept for
 * calls that are safe to repeat (reads, views.update/publish, chat.unfurl). One per request: it
 * carries the token of the request's workspace.
 */
export interface Posting {
  /** Posts to channels and threads, never twice. */
  answers: ChannelPoster;
  /** views.open, tried once: its trigger is good once, for 3 s. */
  openView(args: {
    trigger_id: string;
    view: webApi.ViewsOpenArguments['view'];
  }): Promise<ViewRef | undefined>;
  /** The user's time zone from their profile (users.info, tried once: it only refines a default). */
  userTimezone(user: string): Promise<string | undefined>;
  /**
   * The text of a thread's first message: one conversations.replies read, made only when the
   * workspace's minute for it is free and tried once (a 429 is not waited out); throws
   * {@link ReadLater} when the minute is spent, so that the answer says so at once.
   */
  threadStart(channel: string, threadTs: string): Promise<string | undefined>;
}

/** The workspace's read of a method was taken less than a minute ago: ask again later, or do without. */
export class ReadLater extends Error {
  constructor(method: ReadMethod) {
    super(`${method} was read in this workspace less than a minute ago`);
    this.name = 'ReadLater';
  }
}

/** What views.open answers that a later views.update needs. */
export interface ViewRef {
  id?: string;
  hash?: string;
}

/** The {@link Posting} of a request, with its workspace and token (Bolt's context has them). */
export type PostingFor = (context: { botToken?: string; teamId?: string; enterpriseId?: string }) => Posting;

/** A {@link Posting} over the single-shot client, for the request's workspace. */
export function postingWith(
  once: webApi.WebClient,
  context: { botToken?: string; teamId?: string; enterpriseId?: string },
  reads: Reads,
): Posting {
  const token = context.botToken;
  const auth = token === undefined ? {} : { token };
  const team = context.teamId ?? context.enterpriseId ?? '';
  return {
    answers: new ChannelPoster(once, ANSWER_POLICY, { ...reads, team, ...auth }),
    openView: async (args) => (await once.views.open({ ...args, ...auth })).view,
    userTimezone: async (user) => (await once.users.info({ user, ...auth })).user?.tz,
    threadStart: async (channel, threadTs) => {
      const { budget, now = () => new Date() } = reads;
      if (!(await budget.take(team, 'conversations.replies', now())))
        throw new ReadLater('conversations.replies');
      const thread = await once.conversations.replies({
        channel,
        ts: threadTs,
        limit: 1,
        inclusive: true,
        ...auth,
      });
      return thread.messages?.[0]?.text;
    },
  };
}

/** Where background posting finds each workspace's bot token. */
export interface WorkspaceTokens {
  /** The bot token for the workspace (and its Enterprise Grid org); undefined when it is not installed. */
  botToken(workspace: { team: string; enterprise?: string }): Promise<string | undefined>;
}

/** One workspace, one token (single-token mode and the tests). */
export function singleToken(token: string): WorkspaceTokens {
  return { botToken: async () => token };
}

/** How patient background posting is (tests shorten it). */
export interface PosterOptions {
  /** Minimum spacing of posts to one channel (Slack allows about one message per second per channel). */
  spacingMs?: number;
  /** Attempts per digest, counting the first. */
  attempts?: number;
  /** Wait before retrying a post: this times the attempt number. */
  backoffMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** Minimum spacing of posts to one channel: Slack allows about one message per second per channel. */
export const CHANNEL_SPACING_MS = 1100;

/**
 * Posts digests through the Web API, with each workspace's bot token, at most one message per
 * second per channel, and never twice (see {@link ChannelPoster}; the run key is the post's key).
 * A workspace without a token (uninstalled) is never posted to: its digests pause.
 */
export class SlackDigestPoster implements DigestPoster {
  private readonly nextSlot = new Map<string, number>();
  private readonly policy: PostPolicy;

  constructor(
    private readonly client: webApi.WebClient,
    private readonly tokens: WorkspaceTokens,
    private readonly reads: Reads,
    private readonly options: PosterOptions = {},
  ) {
    this.policy = {
      ...DIGEST_POLICY,
      ...(options.attempts !== undefined ? { attempts: options.attempts } : {}),
      ...(options.backoffMs !== undefined ? { backoffMs: options.backoffMs } : {}),
      ...(options.sleep ? { sleep: options.sleep } : {}),
    };
  }

  async post(target: DigestTarget, digest: OutgoingDigest, runKey: string): Promise<PostResult> {
    const token = await this.tokens.botToken(target);
    if (token === undefined) return { ok: false, error: 'not_installed', pauseReason: NOT_INSTALLED };
    const { channel } = target;
    const poster = new ChannelPoster(this.client, this.policy, { ...this.reads, team: target.team, token });
    const result = await poster.post(
      {
        channel,
        ...renderDigest(digest, channel),
      },
      { key: runKey, eventType: DIGEST_EVENT, beforeAttempt: () => this.waitForSlot(target) },
    );
    if (!result.ok || result.ts === undefined) return result;
    const permalink = await poster.permalink(channel, result.ts);
    return permalink ? { ...result, permalink } : result;
  }

  /** A public channel (conversations.info): everyone in the workspace can open it. Unknown: not visible. */
  async canSee(target: DigestTarget, channel: string): Promise<boolean> {
    const token = await this.tokens.botToken(target);
    if (token === undefined) return false;
    try {
      const answer = await this.client.conversations.info({ channel, token });
      const c = answer.channel;
      return Boolean(c?.is_channel && !c.is_private && !c.is_im && !c.is_mpim);
    } catch {
      return false;
    }
  }

  async alreadyPosted(target: DigestTarget, runKey: string, since: Date): Promise<boolean | undefined> {
    const token = await this.tokens.botToken(target);
    if (token === undefined) return undefined;
    return new ChannelPoster(this.client, this.policy, { ...this.reads, team: target.team, token }).find(
      { channel: target.channel },
      runKey,
      since,
      DIGEST_EVENT,
    );
  }

  private async waitForSlot(target: DigestTarget): Promise<void> {
    const { spacingMs = CHANNEL_SPACING_MS } = this.options;
    const key = `${target.team}/${target.channel}`;
    const now = Date.now();
    const slot = Math.max(now, this.nextSlot.get(key) ?? 0);
    this.nextSlot.set(key, slot + spacingMs);
    if (slot > now) await sleepFor(slot - now);
  }
}

/**
 * A Web API client that never retries by itself: a retried chat.postMessage whose first answer
 * was lost would post twice, so {@link ChannelPoster} decides (429s are handed back to it rather
 * than waited out here). Also for single-shot calls that should fail fast (views.open within its
 * trigger's 3 s; users.info, which only refines a default).
 */
export function createPostingClient(
  connection: SlackConnection,
  logger: Logger,
  options: webApi.WebClientOptions = {},
): webApi.WebClient {
  // With OAuth there is no token of the app's own: every call names its workspace's.
  return new webApi.WebClient('botToken' in connection ? connection.botToken : undefined, {
    slackApiUrl: connection.apiUrl,
    timeout: 15_000,
    logger: { ...logger, setLevel() {}, getLevel: () => webApi.LogLevel.INFO, setName() {} },
    ...options,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
  });
}
