import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** What Slack answered a POST to a response URL. */
export interface ResponseUrlAnswer {
  ok: boolean;
  status: number;
  /** The body, as text (Slack's reason when it refused, `invalid_blocks` say). */
  text: string;
}

// Kept-alive connections: most answers go to the same host (hooks.slack.com), one after another.
// A few of them: a burst of answers (a backlog told "busy") waits for a free connection rather
// than opening hundreds, each a handshake that the thread which posts pays for.
const AGENT = { keepAlive: true, maxSockets: 16 };
const agents = { http: new HttpAgent(AGENT), https: new HttpsAgent(AGENT) };

/**
 * POSTs a JSON body to a response URL through node:http(s). Not fetch: undici's fetch costs the
 * thread that posts several times more per request (streams, abort signals, its own pool), and
 * that thread is the one that builds the answers.
 */
export function postToResponseUrl(url: string, body: unknown, timeoutMs: number): Promise<ResponseUrlAnswer> {
  return new Promise((resolve, reject) => {
    const secure = url.startsWith('https:');
    const payload = JSON.stringify(body);
    const sent = (secure ? httpsRequest : httpRequest)(
      url,
      {
        method: 'POST',
        agent: secure ? agents.https : agents.http,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
        timeout: timeoutMs,
      },
      (response: IncomingMessage) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          resolve({ ok: status >= 200 && status < 300, status, text: Buffer.concat(chunks).toString() });
        });
      },
    );
    sent.on('timeout', () =>
      sent.destroy(new Error(`The response URL did not answer within ${timeoutMs} ms`)),
    );
    sent.on('error', reject);
    sent.end(payload);
  });
}
