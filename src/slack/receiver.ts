import type { IncomingMessage, ServerResponse } from 'node:http';
import { HTTPReceiver, type HTTPReceiverOptions } from '@slack/bolt';
import { MAX_CLOCK_SKEW_MS } from './signature.js';

/** The receiver's options: Bolt's (with its OAuth installer's, for installs in many workspaces). */
export type SlackHttpReceiverOptions = HTTPReceiverOptions;

/**
 * Bolt's HTTP receiver, refusing requests whose timestamp is more than five minutes in the future
 * as well as in the past. Bolt only checks staleness, so a captured request signed with a
 * timestamp an hour ahead could be replayed for an hour. Everything else is Bolt's.
 */
export class SlackHttpReceiver extends HTTPReceiver {
  constructor(options: HTTPReceiverOptions, now: () => number = Date.now) {
    super(options);
    const bolt = this.requestListener;
    this.requestListener = (req: IncomingMessage, res: ServerResponse) => {
      const header = req.headers['x-slack-request-timestamp'];
      const timestampMs = Number(Array.isArray(header) ? header[0] : header) * 1000;
      if (Number.isFinite(timestampMs) && timestampMs - now() > MAX_CLOCK_SKEW_MS) {
        options.logger?.warn('Refused a Slack request whose timestamp is more than 5 minutes in the future.');
        res.writeHead(401).end();
        return;
      }
      bolt(req, res);
    };
  }
}
