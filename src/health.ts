import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Metrics } from './metrics.js';

/** How long a readiness check may take before it counts as failed. */
const CHECK_TIMEOUT_MS = 2000;

/** One readiness check: resolves when ready, throws (or rejects) with the reason when not. */
export type ReadinessCheck = () => void | Promise<void>;

/** What `/readyz` answers, as JSON. */
export interface ReadinessReport {
  ready: boolean;
  /** Each check's name → `ok`, or the reason it failed. */
  checks: Record<string, string>;
}

/**
 * Whether this process should get traffic: ready when every check passes (the index is loaded,
 * the store answers) and it is not shutting down. Checks are added as the parts they check start,
 * so a process that is still loading its index answers "not ready" with that reason.
 */
export class Readiness {
  private readonly checks = new Map<string, ReadinessCheck>();
  private stopping = false;

  constructor(pending: readonly string[] = []) {
    for (const name of pending)
      this.checks.set(name, () => {
        throw new Error('starting');
      });
  }

  /** Adds (or replaces) a check. */
  set(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  /** From now on the process is not ready: it is shutting down and takes no new work. */
  shuttingDown(): void {
    this.stopping = true;
  }

  async report(): Promise<ReadinessReport> {
    const checks: Record<string, string> = {};
    await Promise.all(
      [...this.checks].map(async ([name, check]) => {
        checks[name] = await withTimeout(check).then(
          () => 'ok',
          (error: unknown) => (error instanceof Error ? error.message : String(error)),
        );
      }),
    );
    if (this.stopping) checks.shutdown = 'shutting down';
    return { ready: Object.values(checks).every((value) => value === 'ok'), checks };
  }
}

async function withTimeout(check: ReadinessCheck): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      Promise.resolve().then(check),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)),
          CHECK_TIMEOUT_MS,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** What the operational endpoints serve. */
export interface HealthEndpoints {
  readiness: Readiness;
  metrics: Metrics;
}

/** The paths served beside Slack's, each a GET. */
export const HEALTH_PATHS = ['/healthz', '/readyz', '/metrics'] as const;

/**
 * Answers `GET /healthz` (the process is alive: 200 `ok`), `GET /readyz` (200 or 503, with the
 * checks as JSON) and `GET /metrics` (Prometheus text). Resolves false for any other request.
 */
export async function serveHealth(
  endpoints: HealthEndpoints,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  const path = new URL(req.url ?? '/', 'http://paperbot').pathname;
  if (!(HEALTH_PATHS as readonly string[]).includes(path)) return false;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' }).end();
    return true;
  }
  if (path === '/healthz') {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('ok\n');
  } else if (path === '/readyz') {
    const report = await endpoints.readiness.report();
    res
      .writeHead(report.ready ? 200 : 503, { 'content-type': 'application/json' })
      .end(`${JSON.stringify(report)}\n`);
  } else {
    const text = await endpoints.metrics.text();
    res.writeHead(200, { 'content-type': endpoints.metrics.contentType }).end(text);
  }
  return true;
}

/**
 * A small HTTP server of the operational endpoints alone (Socket Mode has no HTTP server of its
 * own, and a process loading its index should already say that it is alive and not ready).
 */
export async function startHealthServer(endpoints: HealthEndpoints, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    serveHealth(endpoints, req, res)
      .then((served) => {
        if (!served) res.writeHead(404).end();
      })
      .catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

/** The port a started server listens on. */
export function portOf(server: Server): number {
  return (server.address() as AddressInfo).port;
}
