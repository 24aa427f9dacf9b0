import type { App } from '@slack/bolt';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { inRequest, type RequestContext } from '../requestContext.js';

/** What kind of Slack request a body is, its name, and the fields its log lines carry. */
export interface RequestFacts {
  kind: 'command' | 'event' | 'action' | 'view' | 'shortcut' | 'options' | 'other';
  /** `/paper`, `app_mention`, an action_id, a view's callback_id. */
  name: string;
  fields: Record<string, string>;
}

type Body = Record<string, unknown>;
const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.length > 0 ? value : undefined;
const field = (value: unknown, key: string): unknown =>
  value && typeof value === 'object' ? (value as Body)[key] : undefined;

/** Reads what a request is from its body (commands, Events API, interactions), never failing. */
export function requestFacts(body: Body): RequestFacts {
  const fields: Record<string, string> = {};
  const put = (key: string, value: unknown) => {
    const found = text(value);
    if (found) fields[key] = found;
  };
  put('team', body.team_id ?? field(body.team, 'id'));
  let kind: RequestFacts['kind'] = 'other';
  let name = text(body.type) ?? 'unknown';
  if (text(body.command)) {
    kind = 'command';
    name = body.command as string;
    put('command', body.command);
    put('channel', body.channel_id);
    put('user', body.user_id);
    put('trigger_id', body.trigger_id);
  } else if (body.type === 'event_callback') {
    kind = 'event';
    name = text(field(body.event, 'type')) ?? 'unknown';
    put('event', name);
    put('event_id', body.event_id);
    put('channel', field(body.event, 'channel'));
    put('user', field(body.event, 'user'));
  } else if (body.type === 'block_actions' || body.type === 'interactive_message') {
    kind = 'action';
    const first = Array.isArray(body.actions) ? body.actions[0] : undefined;
    name = text(field(first, 'action_id')) ?? text(field(first, 'name')) ?? 'unknown';
    put('action', name);
    put('channel', field(body.channel, 'id'));
    put('user', field(body.user, 'id'));
    put('trigger_id', body.trigger_id);
  } else if (body.type === 'view_submission' || body.type === 'view_closed') {
    kind = 'view';
    name = text(field(body.view, 'callback_id')) ?? 'unknown';
    put('view', name);
    put('user', field(body.user, 'id'));
  } else if (body.type === 'shortcut' || body.type === 'message_action') {
    kind = 'shortcut';
    name = text(body.callback_id) ?? 'unknown';
    put('shortcut', name);
    put('user', field(body.user, 'id'));
  } else if (body.type === 'block_suggestion') {
    kind = 'options';
    name = text(body.action_id) ?? 'unknown';
  }
  return { kind, name, fields };
}

/**
 * Every Slack request the app handles, observed in one place (Bolt's `processEvent`, which every
 * receiver calls): counted by kind, its ack timed, its handling run inside a {@link RequestContext}
 * (so that each of its log lines carries team, channel, command or event id, and its answer is
 * timed), and tracked while in flight so that a shutdown can wait for the answers under way.
 */
export class RequestTracker {
  private inFlight = 0;
  private readonly idle = new Set<() => void>();

  constructor(private readonly deps: { metrics?: Metrics; logger: Logger }) {}

  /** Requests being handled now (acked or not, their answer not yet delivered). */
  get active(): number {
    return this.inFlight;
  }

  /** Hooks into the app: from now on every request passes through the tracker. */
  observe(app: App): void {
    const processEvent = app.processEvent.bind(app);
    app.processEvent = (event) => {
      // A receiver on another thread says when the request arrived, and when it acked it if it
      // did (ms since the epoch): the listener's ack() then sends nothing.
      const { receivedAt, ackedAt } = event.customProperties ?? {};
      const startedAt =
        typeof receivedAt === 'number' ? receivedAt - performance.timeOrigin : performance.now();
      const facts = requestFacts(event.body as Body);
      const { metrics } = this.deps;
      // Label values stay few: action ids are cut at their first ':' (`card_link:pdf` → `card_link`).
      metrics?.requests.inc({ kind: facts.kind, name: (facts.name.split(':')[0] ?? '').slice(0, 64) });
      const ack = event.ack;
      let acked = typeof ackedAt === 'number' && typeof receivedAt === 'number';
      if (acked) metrics?.ackSeconds.observe({ kind: facts.kind }, (ackedAt - receivedAt) / 1000);
      const context: RequestContext = {
        fields: facts.fields,
        startedAt,
        answered: (what, ok) =>
          metrics?.answerSeconds.observe(
            { what, outcome: ok ? 'ok' : 'failed' },
            (performance.now() - startedAt) / 1000,
          ),
      };
      const observed = {
        ...event,
        ack: (response?: unknown) => {
          if (!acked) {
            acked = true;
            metrics?.ackSeconds.observe({ kind: facts.kind }, (performance.now() - startedAt) / 1000);
          }
          return ack(response as never);
        },
      };
      this.inFlight++;
      return inRequest(context, () => processEvent(observed)).finally(() => {
        this.inFlight--;
        if (this.inFlight === 0) for (const resolve of this.idle) resolve();
      });
    };
  }

  /** Resolves true once no request is in flight, false when `timeoutMs` (if given) passed first. */
  drained(timeoutMs?: number): Promise<boolean> {
    if (this.inFlight === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (value: boolean) => {
        clearTimeout(timer);
        this.idle.delete(onIdle);
        resolve(value);
      };
      const onIdle = () => done(true);
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => done(false), timeoutMs);
      this.idle.add(onIdle);
    });
  }
}
