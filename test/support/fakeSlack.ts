import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { blockKitViolations, viewViolations } from './blockKit.js';

/** One Web API call the bot made: method name and decoded arguments. */
export interface ApiCall {
  method: string;
  args: Record<string, unknown>;
  token: string | undefined;
  /** The HTTP status the fake answered (429: rate-limited), once it answered. */
  status?: number;
}

/** One POST to a `response_url` (what `respond()` sends), accepted or not. */
export interface ResponseUrlPost {
  id: string;
  body: Record<string, unknown>;
  /** performance.now() when the post arrived (benchmarks measure latency with it). */
  receivedAt: number;
  /** The HTTP status the fake answered: 200, or 400/404 when it refused the post. */
  status: number;
}

/** What the fake answers to a Web API call: a JSON body, and optionally a status and headers. */
export interface FakeReply {
  status?: number;
  headers?: Record<string, string>;
  body: Record<string, unknown>;
  /** Act on the call (a post is stored when `body.ok`) but hang up instead of answering: a lost answer. */
  hangUp?: boolean;
  /** Answer only after this long (to play a slow or timed-out Slack). */
  delayMs?: number;
}

/** What the fake answers to a response_url post: an HTTP status and a text body, as Slack does. */
export interface FakeResponseUrlReply {
  status: number;
  text: string;
}

type Handler = (args: Record<string, unknown>) => FakeReply | Promise<FakeReply>;

/** A message in the fake's channel history, as conversations.history returns it. */
export interface StoredMessage {
  type: 'message';
  ts: string;
  text?: string;
  blocks?: unknown;
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  thread_ts?: string;
  user?: string;
  bot_id?: string;
}

/** How strict and how fast the fake is; the defaults are Slack's documented behaviour. */
export interface FakeSlackOptions {
  /**
   * The clock of the per-channel posting rate (default: real time). A test that plays days of
   * digests in a second passes its fake clock, so the fake sees the days the scenario stands for.
   */
  now?: () => number;
  /** Posts one channel accepts at once before 429s; then one more per second (Slack: "short bursts"). */
  burst?: number;
}

/** A workspace the fake knows: its bot token(s) work there, and its channels are its own. */
export interface FakeWorkspace {
  team: string;
  name: string;
  enterprise?: string;
}

/**
 * A conversation the fake describes (conversations.info). Channels not declared are still
 * accepted for posting (as in earlier tests), but conversations.info does not know them.
 */
export interface FakeChannel {
  id: string;
  name: string;
  /** A private channel (is_private, is_group). */
  isPrivate?: boolean;
  /** Archived: posts answer `is_archived`. */
  isArchived?: boolean;
}

/** A user the fake knows more of than the id (users.info). */
export interface FakeUser {
  id: string;
  /** A multi-channel guest (is_restricted) or single-channel guest (is_ultra_restricted). */
  guest?: 'multi' | 'single';
}

/**
 * How the app is installed in a workspace, which decides its read limits
 * (https://docs.slack.dev/apis/web-api/rate-limits, "App types and rate limits"; changelog
 * https://docs.slack.dev/changelog/2025/05/29/rate-limit-changes-for-non-marketplace-apps):
 * `internal` (a customer-built app, or one approved for the Marketplace) keeps Tier 3 for
 * conversations.history and conversations.replies; `distributed` (commercially distributed, not
 * Marketplace-approved) gets 1 request a minute per method and workspace, `limit` at most 15.
 */
export type AppKind = 'internal' | 'distributed';

/** The reads Slack limits for distributed, non-Marketplace apps. */
export const TIER1_READS = ['conversations.history', 'conversations.replies'] as const;
/** Tier 1 for those reads: one request per this interval, per method and workspace. */
export const TIER1_INTERVAL_MS = 60_000;
/** The largest (and default) `limit` of those reads for a distributed app. */
export const TIER1_LIMIT = 15;

/** The app's OAuth registration (Basic Information and OAuth & Permissions of its settings). */
export interface FakeApp {
  clientId: string;
  clientSecret: string;
  /** The Redirect URLs of OAuth & Permissions: an authorize request may only name one of these. */
  redirectUrls: string[];
}

/** The user who answers the next authorize page: approves (installs in `team`) or cancels. */
export type Approver = { team: FakeWorkspace; user: string } | 'deny';

/** How long an OAuth code is good for, once (Slack: it "expires after ten minutes"). */
export const OAUTH_CODE_TTL_MS = 10 * 60 * 1000;

/** The default workspace, its token: what startApp's single-token bot uses. */
export const TEST_WORKSPACE: FakeWorkspace = { team: 'T0TEST', name: 'Test' };
export const TEST_TOKEN = 'xoxb-test';

/** Methods called with no bot token: OAuth's exchange (client credentials) and Socket Mode's (an app token). */
const NO_BOT_TOKEN = new Set(['oauth.v2.access', 'apps.connections.open']);

/** How old a trigger_id may be when views.open exchanges it (Slack: 3 seconds). */
export const TRIGGER_TTL_MS = 3000;
/** How often, and for how long, a response_url may be used (Slack: 5 times within 30 minutes). */
export const RESPONSE_URL_USES = 5;
export const RESPONSE_URL_TTL_MS = 30 * 60 * 1000;

let triggerSequence = 0;

/**
 * A trigger_id as Slack sends one with an interaction ("12345.98765.abcd2358fdea"): this fake
 * writes the time it was issued into the middle part, so views.open can tell its age.
 * `ageMs` backdates it (network and queueing time already spent).
 */
export function newTriggerId(ageMs = 0): string {
  return `${++triggerSequence}.${Date.now() - ageMs}.${randomBytes(6).toString('hex')}`;
}

/**
 * A strict fake Slack on loopback: the Web API under `/api/<method>` (point the WebClient's
 * `slackApiUrl` at {@link FakeSlack.apiUrl}) and response URLs under `/respond/<id>`. It records
 * every request and answers as Slack's documentation says Slack does, refusals included:
 *
 * - chat.postMessage, chat.postEphemeral, chat.update, chat.unfurl, views.open, views.update and
 *   views.publish check their payload with the Block Kit checker and answer `invalid_blocks` /
 *   `invalid_arguments` (or the method's own error) instead of `ok`;
 * - chat.postMessage allows a short burst per channel, then about one message per second, and
 *   answers HTTP 429 with `Retry-After` beyond that;
 * - views.open refuses a trigger_id older than 3 s (`expired_trigger_id`) or used before
 *   (`exchanged_trigger_id`); views.update needs a view it opened, and a matching hash;
 * - conversations.history / .replies page with `limit` and `cursor`, honour `oldest`/`latest`
 *   (exclusive unless `inclusive`), and return message metadata only with `include_all_metadata`;
 *   in a workspace where the app is installed as a distributed, non-Marketplace app
 *   ({@link FakeSlack.installAs}), each allows one request a minute (then 429 with Retry-After)
 *   and pages of at most 15 messages;
 * - a response_url answers HTTP 400 with a text body (`invalid_blocks`) to a payload Slack would
 *   refuse, and 404 after 5 uses (`used_url`) or 30 minutes (`expired_url`);
 * - every Web API call needs a bot token it issued (`not_authed`, `invalid_auth`) and has not
 *   revoked (`token_revoked`); auth.test says whose it is; a workspace's channels are
 *   `channel_not_found` to another workspace's token;
 * - OAuth: the authorize page (`/oauth/v2/authorize`) and oauth.v2.access, strict about the
 *   client, its secret, the redirect URI and single-use, ten-minute codes;
 * - a method it does not know answers `unknown_method`.
 *
 * {@link FakeSlack.on} replaces a method's behaviour for one test (a forced fault); the default
 * answers stay strict.
 */
export class FakeSlack {
  readonly calls: ApiCall[] = [];
  readonly responses: ResponseUrlPost[] = [];
  /** Messages Slack accepted, per channel, oldest first (top-level messages and thread replies). */
  readonly history = new Map<string, StoredMessage[]>();
  /** Views opened or published, by view id. */
  readonly views = new Map<string, { view: Record<string, unknown>; hash: string }>();
  /** Slack's own behaviour, per method. */
  private readonly handlers = new Map<string, Handler>();
  /** What a test set with {@link FakeSlack.on}. */
  private readonly overrides = new Map<string, Handler>();
  private readonly responseReplies = new Map<string, FakeResponseUrlReply[]>();
  private readonly responseUrlIssued = new Map<string, { at: number; uses: number }>();
  private readonly exchangedTriggers = new Set<string>();
  /** Late answers being waited for, and how to end each wait. */
  private readonly delays = new Map<NodeJS.Timeout, () => void>();
  /** Per channel: when the posting bucket was last filled, and how many posts it holds. */
  private readonly buckets = new Map<string, { at: number; tokens: number }>();
  private readonly waiters: Array<() => void> = [];
  private server: Server | undefined;
  private base = '';
  private lastTs = 0;
  private viewSequence = 0;
  /** Bot token → its workspace, and whether it was revoked (uninstalled). */
  private readonly tokens = new Map<string, { workspace: FakeWorkspace; revoked: boolean }>();
  /** Channel → the workspace it belongs to (channels not listed belong to any workspace). */
  private readonly channelTeams = new Map<string, string>();
  private app: FakeApp | undefined;
  private approver: Approver | undefined;
  /** OAuth codes issued by the authorize page, until exchanged. */
  private readonly codes = new Map<
    string,
    { workspace: FakeWorkspace; user: string; scopes: string; redirectUri: string; sent: boolean; at: number }
  >();
  private tokenSequence = 0;
  private readonly now: () => number;
  private readonly burst: number;
  /** Conversations declared with {@link FakeSlack.addChannel}. */
  private readonly channels = new Map<string, FakeChannel>();
  private readonly users = new Map<string, FakeUser>();
  /** Workspace → how the app is installed there (not listed: internal). */
  private readonly appKinds = new Map<string, AppKind>();
  /** `team/method` → when Slack last accepted a Tier 1 read (of a distributed app). */
  private readonly lastReads = new Map<string, number>();

  static readonly BOT_USER_ID = 'UPAPERBOT';
  static readonly BOT_ID = 'BPAPERBOT';

  constructor(options: FakeSlackOptions = {}) {
    this.now = options.now ?? Date.now;
    this.burst = options.burst ?? 5;
    this.tokens.set(TEST_TOKEN, { workspace: TEST_WORKSPACE, revoked: false });
    const strict: Record<string, Handler> = {
      // auth.test answers for the token it is called with (see handle()).
      'auth.test': () => ok({}),
      'oauth.v2.access': (args) => this.oauthAccess(args),
      'chat.postMessage': (args) => this.postMessage(args),
      'chat.postEphemeral': (args) => this.postEphemeral(args),
      'chat.update': (args) => this.update(args),
      'chat.unfurl': (args) => this.unfurl(args),
      'views.open': (args) => this.viewsOpen(args),
      'views.update': (args) => this.viewsUpdate(args),
      'views.publish': (args) => this.viewsPublish(args),
      // Called with the workspace's limits by handle(); an internal app's as a default.
      'conversations.history': (args) => this.conversationsHistory(args, INTERNAL_READS),
      'conversations.replies': (args) => this.conversationsReplies(args, INTERNAL_READS),
      'users.info': (args) => this.usersInfo(args),
      'conversations.info': (args) => this.conversationsInfo(args),
      'chat.getPermalink': (args) => this.getPermalink(args),
      'users.conversations': () => ok({ channels: [], response_metadata: { next_cursor: '' } }),
    };
    for (const [method, handler] of Object.entries(strict)) this.handlers.set(method, handler);
  }

  /** Starts listening on 127.0.0.1 and a free port. */
  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    const { port } = this.server.address() as AddressInfo;
    this.base = `http://127.0.0.1:${port}`;
    return this;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    for (const [timer, resolve] of this.delays) {
      clearTimeout(timer);
      resolve();
    }
    this.delays.clear();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  /** The Web API base URL, ending in `/`. */
  get apiUrl(): string {
    return `${this.base}/api/`;
  }

  /** A response URL whose posts are recorded under `id`; `ageMs` backdates it (for its 30 minutes). */
  responseUrl(id: string, options: { ageMs?: number } = {}): string {
    if (!this.responseUrlIssued.has(id))
      this.responseUrlIssued.set(id, { at: Date.now() - (options.ageMs ?? 0), uses: 0 });
    return `${this.base}/respond/${encodeURIComponent(id)}`;
  }

  /**
   * Sets how the fake answers a Web API method for this test: a forced fault, or canned data. A
   * chat.postMessage answer with `ok: true` still goes through Slack's checks and lands in the
   * channel (a forced `hangUp` or `delayMs` then plays a lost or late answer).
   */
  on(method: string, handler: Handler): void {
    this.overrides.set(method, handler);
  }

  /** Adds a workspace with a bot token of its own (`xoxb-<team>` unless given); resolves to the token. */
  addWorkspace(workspace: FakeWorkspace, token = `xoxb-${workspace.team}`): string {
    this.tokens.set(token, { workspace, revoked: false });
    return token;
  }

  /** Installs the app in `team` as `kind` (default for every workspace: internal). */
  installAs(team: string, kind: AppKind): void {
    this.appKinds.set(team, kind);
  }

  /** How the app is installed in `team`. */
  appKindOf(team: string): AppKind {
    return this.appKinds.get(team) ?? 'internal';
  }

  /** Makes channels a workspace's own: another workspace's token is told `channel_not_found` there. */
  assignChannels(team: string, ...channels: string[]): void {
    for (const channel of channels) this.channelTeams.set(channel, team);
  }

  /** Declares a conversation (its name, privacy and whether it is archived), for conversations.info and posts. */
  addChannel(channel: FakeChannel): void {
    this.channels.set(channel.id, channel);
  }

  /** Declares a user (a guest, say) for users.info. */
  addUser(user: FakeUser): void {
    this.users.set(user.id, user);
  }

  /** Revokes every token of a workspace (the app was uninstalled there): calls with them answer `token_revoked`. */
  revokeTokens(team: string): void {
    for (const entry of this.tokens.values()) if (entry.workspace.team === team) entry.revoked = true;
  }

  /** The workspace a token belongs to, if the fake issued it. */
  workspaceOf(token: string | undefined): FakeWorkspace | undefined {
    return token === undefined ? undefined : this.tokens.get(token)?.workspace;
  }

  /** Registers the app's OAuth credentials and Redirect URLs (its settings page). */
  configureApp(app: FakeApp): void {
    this.app = app;
  }

  /** Who answers the next authorize page (https://slack.com/oauth/v2/authorize on real Slack). */
  nextApprover(approver: Approver): void {
    this.approver = approver;
  }

  /** Where the bot sends browsers to install it: the fake's authorize page. */
  get authorizeUrl(): string {
    return `${this.base}/oauth/v2/authorize`;
  }

  /** Removes what {@link FakeSlack.on} set: the method behaves as Slack again. */
  off(method: string): void {
    this.overrides.delete(method);
  }

  /** The next posts to response URL `id` are answered like this, in turn (then as usual). */
  onRespond(id: string, ...replies: FakeResponseUrlReply[]): void {
    this.responseReplies.set(id, [...(this.responseReplies.get(id) ?? []), ...replies]);
  }

  /** Puts a message written by a person into a channel (a thread's first message, chatter). */
  userMessage(
    channel: string,
    fields: { text: string; user?: string; ts?: string; thread_ts?: string },
  ): StoredMessage {
    const message: StoredMessage = {
      type: 'message',
      user: 'U0ALICE',
      ...fields,
      ts: fields.ts ?? this.nextTs(),
    };
    this.store(channel, message);
    return message;
  }

  /** Forgets every record and per-request state (a long benchmark keeps its memory flat with this). */
  forget(): void {
    this.calls.length = 0;
    this.responses.length = 0;
    this.history.clear();
    this.views.clear();
    this.responseUrlIssued.clear();
    this.exchangedTriggers.clear();
    this.buckets.clear();
    this.lastReads.clear();
  }

  /** Calls of one Web API method, in order. */
  callsTo(method: string): ApiCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  /** Messages in a channel's history, top-level and replies, oldest first. */
  messagesIn(channel: string): StoredMessage[] {
    return this.history.get(channel) ?? [];
  }

  /** Resolves once `condition()` holds (checked on every request), or rejects after `ms`. */
  async waitFor<T>(
    condition: () => T | undefined | false | Promise<T | undefined | false>,
    ms = 5000,
  ): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const value = await condition();
      if (value) return value;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('FakeSlack.waitFor: timed out');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 50));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  // --- OAuth (https://docs.slack.dev/authentication/installing-with-oauth) ---

  /**
   * The authorize page, after the user answered it: a redirect to the app's redirect URL with a
   * code (or `error=access_denied`) and the state it was given. Refused like Slack refuses it: an
   * unknown client_id, a redirect_uri that is not one of the app's Redirect URLs, no scope.
   */
  private authorize(url: URL): { status: number; headers?: Record<string, string>; text: string } {
    const params = url.searchParams;
    const app = this.app;
    if (!app || params.get('client_id') !== app.clientId) return { status: 400, text: 'invalid_client_id' };
    const sentRedirect = params.get('redirect_uri');
    if (sentRedirect !== null && !app.redirectUrls.includes(sentRedirect))
      return { status: 400, text: 'bad_redirect_uri' };
    const redirectUri = sentRedirect ?? app.redirectUrls[0];
    if (!redirectUri) return { status: 400, text: 'no_redirect_uri' };
    if (!params.get('scope')) return { status: 400, text: 'invalid_scope' };
    const approver = this.approver;
    this.approver = undefined;
    const back = new URL(redirectUri);
    const state = params.get('state');
    if (state !== null) back.searchParams.set('state', state);
    if (!approver || approver === 'deny') {
      back.searchParams.set('error', 'access_denied');
    } else {
      const code = `${Date.now()}.${randomBytes(12).toString('hex')}`;
      this.codes.set(code, {
        workspace: approver.team,
        user: approver.user,
        scopes: params.get('scope') ?? '',
        redirectUri,
        sent: sentRedirect !== null,
        at: Date.now(),
      });
      back.searchParams.set('code', code);
    }
    return { status: 302, headers: { location: back.toString() }, text: '' };
  }

  /**
   * oauth.v2.access (https://docs.slack.dev/reference/methods/oauth.v2.access): a code from the
   * authorize page, once and within ten minutes, for a new bot token of the workspace that
   * approved. Refused with Slack's codes: `invalid_client_id`, `bad_client_secret`,
   * `invalid_code` (unknown, used or expired), `bad_redirect_uri` (not the one the code was issued
   * for, when one was sent).
   */
  private oauthAccess(args: Record<string, unknown>): FakeReply {
    const app = this.app;
    if (!app || stringArg(args.client_id) !== app.clientId) return refused('invalid_client_id');
    if (stringArg(args.client_secret) !== app.clientSecret) return refused('bad_client_secret');
    const code = stringArg(args.code);
    const issued = this.codes.get(code);
    this.codes.delete(code); // a code works once, even when the exchange is refused
    if (!issued || Date.now() - issued.at > OAUTH_CODE_TTL_MS) return refused('invalid_code');
    const redirect = args.redirect_uri === undefined ? undefined : stringArg(args.redirect_uri);
    if ((issued.sent || redirect !== undefined) && redirect !== issued.redirectUri)
      return refused('bad_redirect_uri');
    const { workspace } = issued;
    const token = this.addWorkspace(workspace, `xoxb-${workspace.team}-${++this.tokenSequence}`);
    return ok({
      access_token: token,
      token_type: 'bot',
      scope: issued.scopes,
      bot_user_id: FakeSlack.BOT_USER_ID,
      app_id: 'A0PAPERBOT',
      team: { id: workspace.team, name: workspace.name },
      enterprise: workspace.enterprise ? { id: workspace.enterprise, name: workspace.enterprise } : null,
      authed_user: { id: issued.user },
      is_enterprise_install: false,
    });
  }

  /** Who a bot token is, or Slack's refusal of it (https://docs.slack.dev/reference/methods/auth.test). */
  private authenticate(
    method: string,
    token: string | undefined,
  ): { workspace?: FakeWorkspace; refusal?: FakeReply } {
    if (NO_BOT_TOKEN.has(method)) return {};
    if (!token) return { refusal: refused('not_authed') };
    const entry = this.tokens.get(token);
    if (!entry) return { refusal: refused('invalid_auth') };
    if (entry.revoked) return { refusal: refused('token_revoked') };
    return { workspace: entry.workspace };
  }

  // --- chat.* (https://docs.slack.dev/reference/methods/chat.postMessage and its siblings) ---

  private postMessage(args: Record<string, unknown>): FakeReply {
    const channel = stringArg(args.channel);
    if (!channel) return refused('channel_not_found');
    if (this.channels.get(channel)?.isArchived) return refused('is_archived');
    const problem = messageProblem(args);
    if (problem) return problem;
    if (!this.takePostSlot(channel)) return rateLimited();
    const threadTs = stringArg(args.thread_ts);
    const message: StoredMessage = {
      type: 'message',
      ts: this.nextTs(),
      bot_id: FakeSlack.BOT_ID,
      ...(typeof args.text === 'string' ? { text: args.text } : {}),
      ...(args.blocks !== undefined ? { blocks: args.blocks } : {}),
      ...(args.metadata !== undefined ? { metadata: args.metadata as StoredMessage['metadata'] } : {}),
      ...(threadTs ? { thread_ts: threadTs } : {}),
    };
    this.store(channel, message);
    return ok({ channel, ts: message.ts, message });
  }

  private postEphemeral(args: Record<string, unknown>): FakeReply {
    if (!stringArg(args.channel)) return refused('channel_not_found');
    if (!stringArg(args.user)) return refused('user_not_found');
    return messageProblem(args) ?? ok({ message_ts: this.nextTs() });
  }

  private update(args: Record<string, unknown>): FakeReply {
    const channel = stringArg(args.channel);
    const message = this.messagesIn(channel).find((m) => m.ts === stringArg(args.ts));
    if (!message) return refused('message_not_found');
    const problem = messageProblem(args);
    if (problem) return problem;
    if (typeof args.text === 'string') message.text = args.text;
    if (args.blocks !== undefined) message.blocks = args.blocks;
    return ok({ channel, ts: message.ts });
  }

  private unfurl(args: Record<string, unknown>): FakeReply {
    if (!stringArg(args.channel) || !stringArg(args.ts)) return refused('missing_channel');
    const unfurls = args.unfurls;
    if (!unfurls || typeof unfurls !== 'object' || Array.isArray(unfurls))
      return refused('invalid_unfurls_format');
    for (const preview of Object.values(unfurls as Record<string, { blocks?: unknown }>)) {
      const problems = blockKitViolations(preview, 'message', { fallbackText: false });
      if (problems.length > 0) return refused('invalid_arguments', problems);
    }
    return ok({});
  }

  /** https://docs.slack.dev/reference/methods/chat.getPermalink: a message of the channel, or `message_not_found`. */
  private getPermalink(args: Record<string, unknown>): FakeReply {
    const channel = stringArg(args.channel);
    const ts = stringArg(args.message_ts);
    if (!channel) return refused('channel_not_found');
    const message = this.messagesIn(channel).find((m) => m.ts === ts);
    if (!message) return refused('message_not_found');
    const base = `https://fake.slack.com/archives/${channel}/p${ts.replace('.', '')}`;
    const permalink =
      message.thread_ts && message.thread_ts !== ts
        ? `${base}?thread_ts=${message.thread_ts}&cid=${channel}`
        : base;
    return ok({ channel, permalink });
  }

  // --- users.info, conversations.info (https://docs.slack.dev/reference/methods/users.info, conversations.info) ---

  private usersInfo(args: Record<string, unknown>): FakeReply {
    const id = stringArg(args.user);
    if (!id) return refused('user_not_found');
    const user = this.users.get(id);
    return ok({
      user: {
        id,
        is_restricted: user?.guest !== undefined,
        is_ultra_restricted: user?.guest === 'single',
      },
    });
  }

  private conversationsInfo(args: Record<string, unknown>): FakeReply {
    const id = stringArg(args.channel);
    const channel = this.channels.get(id);
    if (!channel) return refused('channel_not_found');
    return ok({
      channel: {
        id,
        name: channel.name,
        is_channel: !channel.isPrivate,
        is_group: Boolean(channel.isPrivate),
        is_im: false,
        is_mpim: false,
        is_private: Boolean(channel.isPrivate),
        is_archived: Boolean(channel.isArchived),
      },
    });
  }

  // --- views.* (https://docs.slack.dev/reference/methods/views.open, views.update, views.publish) ---

  private viewsOpen(args: Record<string, unknown>): FakeReply {
    const trigger = stringArg(args.trigger_id);
    const issuedAt = /^\d+\.(\d+)\.[0-9a-f]+$/.exec(trigger)?.[1];
    if (!issuedAt) return refused('invalid_trigger_id');
    if (this.exchangedTriggers.has(trigger)) return refused('exchanged_trigger_id');
    if (Date.now() - Number(issuedAt) > TRIGGER_TTL_MS) return refused('expired_trigger_id');
    const view = args.view as Record<string, unknown> | undefined;
    const problems = view ? viewViolations(view) : ['no view'];
    if (view?.type !== 'modal') problems.push('views.open opens modals');
    if (problems.length > 0) return refused('invalid_arguments', problems);
    this.exchangedTriggers.add(trigger);
    return ok({ view: this.saveView(`V${++this.viewSequence}`, view as Record<string, unknown>) });
  }

  private viewsUpdate(args: Record<string, unknown>): FakeReply {
    const id = stringArg(args.view_id);
    const current = this.views.get(id);
    if (!current) return refused('not_found');
    if (args.hash !== undefined && args.hash !== current.hash) return refused('hash_conflict');
    const view = args.view as Record<string, unknown> | undefined;
    const problems = view ? viewViolations(view) : ['no view'];
    if (problems.length > 0) return refused('invalid_arguments', problems);
    return ok({ view: this.saveView(id, view as Record<string, unknown>) });
  }

  private viewsPublish(args: Record<string, unknown>): FakeReply {
    const user = stringArg(args.user_id);
    if (!user) return refused('invalid_arguments', ['user_id is required']);
    const view = args.view as Record<string, unknown> | undefined;
    const problems = view ? viewViolations(view) : ['no view'];
    if (view?.type !== 'home') problems.push('views.publish publishes Home tabs');
    if (problems.length > 0) return refused('invalid_arguments', problems);
    return ok({ view: this.saveView(`VHOME${user}`, view as Record<string, unknown>) });
  }

  private saveView(id: string, view: Record<string, unknown>): Record<string, unknown> {
    const hash = `${Date.now()}.${randomBytes(4).toString('hex')}`;
    this.views.set(id, { view, hash });
    return { ...view, id, hash };
  }

  // --- conversations.* (https://docs.slack.dev/reference/methods/conversations.history, .replies) ---

  private conversationsHistory(args: Record<string, unknown>, limits: ReadLimits): FakeReply {
    const channel = stringArg(args.channel);
    if (!channel) return refused('channel_not_found');
    // Top-level messages only (a reply stays in its thread), newest first.
    const messages = this.messagesIn(channel)
      .filter((m) => m.thread_ts === undefined || m.thread_ts === m.ts)
      .slice()
      .reverse();
    return this.page(messages, args, limits.history, this.messagesIn(channel));
  }

  private conversationsReplies(args: Record<string, unknown>, limits: ReadLimits): FakeReply {
    const channel = stringArg(args.channel);
    const ts = stringArg(args.ts);
    const messages = this.messagesIn(channel);
    if (!messages.some((m) => m.ts === ts)) return refused('thread_not_found');
    // The parent first, then its replies, oldest first.
    const thread = messages.filter((m) => m.ts === ts || m.thread_ts === ts);
    return this.page(thread, args, limits.replies, messages);
  }

  /** One page of messages after `cursor`, within `oldest`/`latest`, metadata only when asked for. */
  private page(
    messages: StoredMessage[],
    args: Record<string, unknown>,
    limits: { byDefault: number; max: number },
    channelMessages: StoredMessage[] = messages,
  ): FakeReply {
    const inclusive = truthy(args.inclusive);
    const oldest = args.oldest === undefined ? undefined : Number(args.oldest);
    const latest = args.latest === undefined ? undefined : Number(args.latest);
    const inRange = messages.filter((m) => {
      const ts = Number(m.ts);
      if (oldest !== undefined && (inclusive ? ts < oldest : ts <= oldest)) return false;
      if (latest !== undefined && (inclusive ? ts > latest : ts >= latest)) return false;
      return true;
    });
    const { byDefault, max } = limits;
    const limit = Math.min(max, Math.max(1, Number(args.limit ?? byDefault) || byDefault));
    const start = args.cursor
      ? Number(Buffer.from(String(args.cursor), 'base64').toString().replace('next:', ''))
      : 0;
    const slice = inRange.slice(start, start + limit);
    const hasMore = start + limit < inRange.length;
    const withMetadata = truthy(args.include_all_metadata);
    // A thread's parent carries its thread_ts and reply_count, as Slack's do.
    const replies = (m: StoredMessage) =>
      channelMessages.filter((r) => r.thread_ts === m.ts && r.ts !== m.ts).length;
    const withThread = (m: StoredMessage) => {
      const count = m.thread_ts === undefined || m.thread_ts === m.ts ? replies(m) : 0;
      return count > 0 ? { ...m, thread_ts: m.ts, reply_count: count } : m;
    };
    return ok({
      messages: slice.map(({ metadata, ...m }) =>
        withThread(withMetadata && metadata ? { ...m, metadata } : m),
      ),
      has_more: hasMore,
      response_metadata: {
        next_cursor: hasMore ? Buffer.from(`next:${start + limit}`).toString('base64') : '',
      },
    });
  }

  /**
   * A read of a distributed, non-Marketplace app: one request a minute per method and workspace
   * (a refused request does not count), else HTTP 429 with the seconds left in Retry-After; pages
   * of at most 15 messages, 15 by default (https://docs.slack.dev/reference/methods/conversations.history,
   * https://docs.slack.dev/reference/methods/conversations.replies).
   */
  private tier1Read(method: string, args: Record<string, unknown>, team: string): FakeReply {
    const key = `${team}/${method}`;
    const now = this.now();
    const last = this.lastReads.get(key);
    if (last !== undefined && now - last < TIER1_INTERVAL_MS)
      return rateLimited(Math.ceil((last + TIER1_INTERVAL_MS - now) / 1000));
    this.lastReads.set(key, now);
    return method === 'conversations.history'
      ? this.conversationsHistory(args, TIER1_READ_LIMITS)
      : this.conversationsReplies(args, TIER1_READ_LIMITS);
  }

  // --- the machinery ---

  /** Slack's per-channel posting rate: a bucket of `burst` posts, refilled at one per second. */
  private takePostSlot(channel: string): boolean {
    const now = this.now();
    const bucket = this.buckets.get(channel) ?? { at: now, tokens: this.burst };
    bucket.tokens = Math.min(this.burst, bucket.tokens + (now - bucket.at) / 1000);
    bucket.at = now;
    this.buckets.set(channel, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** A message ts ("1700000000.000100"): unique and increasing, as Slack's are within a channel. */
  private nextTs(): string {
    this.lastTs = Math.max(this.lastTs + 1, Date.now() * 1000);
    return `${Math.floor(this.lastTs / 1e6)}.${String(this.lastTs % 1e6).padStart(6, '0')}`;
  }

  private store(channel: string, message: StoredMessage): void {
    this.history.set(channel, [...this.messagesIn(channel), message]);
  }

  /** A response_url post: Slack checks the payload like chat.postMessage's, and the URL's uses and age. */
  private respond(id: string, body: Record<string, unknown>): FakeResponseUrlReply {
    const forced = this.responseReplies.get(id)?.shift();
    if (forced) return forced;
    const issued = this.responseUrlIssued.get(id);
    if (!issued) return { status: 404, text: 'invalid_url' }; // Slack never gave this URL out
    if (Date.now() - issued.at > RESPONSE_URL_TTL_MS) return { status: 404, text: 'expired_url' };
    if (issued.uses >= RESPONSE_URL_USES) return { status: 404, text: 'used_url' };
    issued.uses++;
    if (messageProblem(body)) return { status: 400, text: 'invalid_blocks' };
    return { status: 200, text: 'ok' };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', this.base);
    const path = url.pathname;
    if (path === '/oauth/v2/authorize') {
      const answer = this.authorize(url);
      res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers }).end(answer.text);
      this.wake();
      return;
    }
    if (path.startsWith('/respond/')) {
      const id = decodeURIComponent(path.slice('/respond/'.length));
      const body = JSON.parse(raw) as Record<string, unknown>;
      const reply = this.respond(id, body);
      this.responses.push({ id, body, receivedAt: performance.now(), status: reply.status });
      res.writeHead(reply.status, { 'content-type': 'text/plain' }).end(reply.text);
      this.wake();
      return;
    }
    let reply: FakeReply;
    if (path.startsWith('/api/')) {
      const method = path.slice('/api/'.length);
      const args = decodeArgs(raw, req.headers['content-type'] ?? '');
      const token = req.headers.authorization?.replace(/^Bearer /, '');
      const call: ApiCall = { method, args, token };
      this.calls.push(call);
      const override = this.overrides.get(method);
      const strict = this.handlers.get(method);
      const { workspace, refusal } = this.authenticate(method, token);
      const channel = stringArg(args.channel);
      const owner = channel ? this.channelTeams.get(channel) : undefined;
      if (refusal && strict) {
        reply = refusal;
      } else if (workspace && owner !== undefined && owner !== workspace.team) {
        reply = refused('channel_not_found'); // another workspace's channel: this bot cannot see it
      } else if (method === 'auth.test' && workspace && !override) {
        reply = ok({
          url: `https://${workspace.name.toLowerCase()}.slack.com/`,
          team: workspace.name,
          user: 'paperbot',
          team_id: workspace.team,
          user_id: FakeSlack.BOT_USER_ID,
          bot_id: FakeSlack.BOT_ID,
          ...(workspace.enterprise ? { enterprise_id: workspace.enterprise } : {}),
        });
      } else if (
        !override &&
        workspace &&
        isTier1Read(method) &&
        this.appKindOf(workspace.team) === 'distributed'
      ) {
        reply = this.tier1Read(method, args, workspace.team);
      } else {
        reply = override ? await override(args) : strict ? await strict(args) : refused('unknown_method');
      }
      if (override && method === 'chat.postMessage' && reply.body.ok === true && strict) {
        // A forced "accepted" still goes through what Slack does with a post: checks, rate, storing.
        const real = await strict(args);
        reply = {
          ...real,
          ...(reply.hangUp ? { hangUp: true } : {}),
          ...(reply.delayMs ? { delayMs: reply.delayMs } : {}),
        };
      }
      call.status = reply.status ?? 200;
    } else {
      reply = { status: 404, body: { ok: false, error: 'unknown_path' } };
    }
    if (reply.delayMs) await this.delay(reply.delayMs);
    if (reply.hangUp) {
      res.socket?.destroy();
      this.wake();
      return;
    }
    res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
    res.end(JSON.stringify(reply.body));
    this.wake();
  }

  private wake(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** Waits `ms` before a late answer; {@link FakeSlack.stop} ends the waits (no timer outlives the fake). */
  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.delays.delete(timer);
        resolve();
      }, ms);
      this.delays.set(timer, resolve);
    });
  }
}

const ok = (fields: Record<string, unknown>): FakeReply => ({ body: { ok: true, ...fields } });

/** Slack's refusal: HTTP 200, `ok: false` and an error code (with the checker's findings, as Slack lists them). */
function refused(error: string, problems: string[] = []): FakeReply {
  return {
    body: {
      ok: false,
      error,
      ...(problems.length > 0
        ? { errors: problems, response_metadata: { messages: problems.map((p) => `[ERROR] ${p}`) } }
        : {}),
    },
  };
}

/** HTTP 429 with Retry-After in seconds (https://docs.slack.dev/apis/web-api/rate-limits). */
function rateLimited(retryAfterSeconds = 1): FakeReply {
  return {
    status: 429,
    headers: { 'retry-after': String(retryAfterSeconds) },
    body: { ok: false, error: 'ratelimited' },
  };
}

/** Page sizes of the two reads: default and largest `limit`. */
interface ReadLimits {
  history: { byDefault: number; max: number };
  replies: { byDefault: number; max: number };
}

/** Tier 3 (internal and Marketplace apps): history 100 by default, replies 1000; at most 999. */
const INTERNAL_READS: ReadLimits = {
  history: { byDefault: 100, max: 999 },
  replies: { byDefault: 1000, max: 999 },
};

/** Tier 1 (distributed, non-Marketplace apps): 15 by default and at most. */
const TIER1_READ_LIMITS: ReadLimits = {
  history: { byDefault: TIER1_LIMIT, max: TIER1_LIMIT },
  replies: { byDefault: TIER1_LIMIT, max: TIER1_LIMIT },
};

const isTier1Read = (method: string): boolean => (TIER1_READS as readonly string[]).includes(method);

/** What chat.postMessage (and a response_url) refuses in a message payload, or undefined. */
function messageProblem(args: Record<string, unknown>): FakeReply | undefined {
  const text = typeof args.text === 'string' ? args.text : undefined;
  if (!text && (args.blocks === undefined || (Array.isArray(args.blocks) && args.blocks.length === 0)))
    return refused('no_text');
  if (text !== undefined && text.length > 40_000) return refused('msg_too_long');
  const problems = blockKitViolations(args, 'message', { fallbackText: false });
  if (problems.length > 0) return refused('invalid_blocks', problems);
  if (args.metadata !== undefined) {
    const metadata = args.metadata as { event_type?: unknown; event_payload?: unknown } | null;
    if (!metadata || typeof metadata.event_type !== 'string' || typeof metadata.event_payload !== 'object')
      return refused('invalid_metadata_format');
  }
  return undefined;
}

const stringArg = (value: unknown): string => (typeof value === 'string' ? value : '');
const truthy = (value: unknown): boolean =>
  value === true || value === 'true' || value === '1' || value === 1;

/** The WebClient sends form-encoded arguments with nested values (blocks) as JSON strings. */
function decodeArgs(raw: string, contentType: string): Record<string, unknown> {
  if (!raw) return {};
  if (contentType.includes('application/json')) return JSON.parse(raw);
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    args[key] = /^[[{]/.test(value) ? JSON.parse(value) : value;
  }
  return args;
}
