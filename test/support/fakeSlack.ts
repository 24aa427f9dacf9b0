import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One Web API call the bot made: method name and decoded arguments. */
export interface ApiCall {
  method: string;
  args: Record<string, unknown>;
  token: string | undefined;
}

/** One POST to a `response_url` (what `respond()` sends). */
export interface ResponseUrlPost {
  id: string;
  body: Record<string, unknown>;
  /** performance.now() when the post arrived (benchmarks measure latency with it). */
  receivedAt: number;
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

type Handler = (args: Record<string, unknown>) => FakeReply | Promise<FakeReply>;

/**
 * A fake Slack on loopback: the Web API under `/api/<method>` (point the WebClient's `slackApiUrl`
 * at {@link FakeSlack.apiUrl}) and response URLs under `/respond/<id>`. It records every request
 * and answers `{ ok: true }` unless a handler for the method says otherwise.
 */
export class FakeSlack {
  readonly calls: ApiCall[] = [];
  readonly responses: ResponseUrlPost[] = [];
  /** Messages Slack accepted, per channel, oldest first (what conversations.history returns, newest first). */
  readonly history = new Map<string, Array<Record<string, unknown>>>();
  private readonly handlers = new Map<string, Handler>();
  private readonly waiters: Array<() => void> = [];
  private server: Server | undefined;
  private base = '';

  static readonly BOT_USER_ID = 'UPAPERBOT';
  static readonly BOT_ID = 'BPAPERBOT';

  constructor() {
    this.on('auth.test', () => ({
      body: {
        ok: true,
        url: 'https://paperbot-test.slack.com/',
        team: 'Test',
        user: 'paperbot',
        team_id: 'T0TEST',
        user_id: FakeSlack.BOT_USER_ID,
        bot_id: FakeSlack.BOT_ID,
      },
    }));
    this.on('conversations.history', (args) => ({
      body: {
        ok: true,
        messages: [...(this.history.get(String(args.channel)) ?? [])]
          .reverse()
          .slice(0, Number(args.limit ?? 100)),
      },
    }));
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
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  /** The Web API base URL, ending in `/`. */
  get apiUrl(): string {
    return `${this.base}/api/`;
  }

  /** A response URL whose posts are recorded under `id`. */
  responseUrl(id: string): string {
    return `${this.base}/respond/${encodeURIComponent(id)}`;
  }

  /** Sets how the fake answers a Web API method. */
  on(method: string, handler: Handler): void {
    this.handlers.set(method, handler);
  }

  /** Calls of one Web API method, in order. */
  callsTo(method: string): ApiCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  /** Resolves once `condition()` holds (checked on every request), or rejects after `ms`. */
  async waitFor<T>(condition: () => T | undefined | false, ms = 5000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const value = condition();
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

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const path = new URL(req.url ?? '/', this.base).pathname;
    let reply: FakeReply;
    if (path.startsWith('/respond/')) {
      this.responses.push({
        id: decodeURIComponent(path.slice('/respond/'.length)),
        body: JSON.parse(raw),
        receivedAt: performance.now(),
      });
      reply = { body: { ok: true } };
    } else if (path.startsWith('/api/')) {
      const method = path.slice('/api/'.length);
      const args = decodeArgs(raw, req.headers['content-type'] ?? '');
      const token = req.headers.authorization?.replace(/^Bearer /, '');
      this.calls.push({ method, args, token });
      const handler = this.handlers.get(method);
      reply = handler ? await handler(args) : { body: { ok: true } };
      if (method === 'chat.postMessage' && reply.body.ok) {
        const channel = String(args.channel);
        const stored = {
          ts: `${Date.now() / 1000}`,
          text: args.text,
          blocks: args.blocks,
          metadata: args.metadata,
        };
        this.history.set(channel, [...(this.history.get(channel) ?? []), stored]);
      }
    } else {
      reply = { status: 404, body: { ok: false, error: 'unknown_path' } };
    }
    if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    if (reply.hangUp) {
      res.socket?.destroy();
      for (const wake of this.waiters.splice(0)) wake();
      return;
    }
    res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
    res.end(JSON.stringify(reply.body));
    for (const wake of this.waiters.splice(0)) wake();
  }
}

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
