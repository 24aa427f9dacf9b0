import { parseArgs } from 'node:util';
import type { Logger } from '../../src/logger.js';
import { FakeSlack } from '../support/fakeSlack.js';
import { eventBody, postSigned, slashCommandBody } from '../support/signing.js';
import { startApp } from '../support/slackApp.js';
import { quantile } from './stats.js';

/**
 * `npm run soak [-- --requests N --concurrency C --max-seconds S]`: N mixed signed requests through
 * the real Bolt HTTP receiver on loopback (searches, subscribe/unsubscribe, mentions with retried
 * event ids, URL-button clicks, help and hostile text), bounded in count and time. Prints requests,
 * errors, ack latency and RSS at the start and the end.
 */
const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '16' },
    'max-seconds': { type: 'string', default: '600' },
  },
});
const total = Number(values.requests);
const concurrency = Number(values.concurrency);
const deadline = Date.now() + Number(values['max-seconds']) * 1000;

let loggedErrors = 0;
const countingLogger: Logger = { debug() {}, info() {}, warn() {}, error: () => void loggedErrors++ };
const running = await startApp({ logger: countingLogger });
const FORM = 'application/x-www-form-urlencoded';
const QUERIES = [
  'reward model ensembles',
  'knowledge distillation',
  '"human feedback" -survey',
  'segmentation has:code',
  'contrastive loss',
  'federated learning',
  'diffusion alignment',
  'lion optimizer',
];
const HOSTILE = [
  '<!channel> reward',
  '<@U0BOSS> <https://evil.example|x>',
  `${'x'.repeat(900)}`,
  'after:<!here>',
  '\u202e\u0000 loss',
];

let sent = 0;
let badStatus = 0;
const acks: number[] = [];
const mentionIds: string[] = [];

function request(n: number): { body: string; type: string } {
  const kind = n % 20;
  const responseUrl = running.slack.responseUrl(`r${n}`);
  if (kind < 9)
    return { body: slashCommandBody(QUERIES[n % QUERIES.length] as string, responseUrl), type: FORM };
  if (kind === 9)
    return {
      body: slashCommandBody(`subscribe soak topic ${n}`, responseUrl, { channel_id: `C${n % 50}` }),
      type: FORM,
    };
  if (kind === 10)
    return {
      body: slashCommandBody(`unsubscribe soak topic ${n - 1}`, responseUrl, {
        channel_id: `C${(n - 1) % 50}`,
      }),
      type: FORM,
    };
  if (kind < 14) {
    // Every fourth mention is Slack retrying an earlier event.
    const retry = kind === 13 && mentionIds.length > 0;
    const eventId = retry ? (mentionIds[n % mentionIds.length] as string) : `EvSoak${n}`;
    if (!retry) mentionIds.push(eventId);
    if (mentionIds.length > 100) mentionIds.shift();
    const event = {
      type: 'app_mention',
      user: 'U0ALICE',
      text: `<@${FakeSlack.BOT_USER_ID}> papers on ${QUERIES[n % QUERIES.length]}?`,
      ts: `${1_700_000_000 + n}.000100`,
      // Spread over 1,000 channels (3 mentions each per 20 requests): Slack takes about one post a
      // second in one channel after a short burst, and so does the fake.
      channel: `C0SOAK${Math.floor(n / 20) % 1000}`,
    };
    return { body: eventBody(event, eventId), type: 'application/json' };
  }
  if (kind < 17) {
    const payload = {
      type: 'block_actions',
      user: { id: 'U0ALICE' },
      api_app_id: 'A0PAPERBOT',
      token: 'legacy-verification-token',
      team: { id: 'T0TEST' },
      channel: { id: 'C0GENERAL' },
      container: { type: 'message', message_ts: '1.1', channel_id: 'C0GENERAL', is_ephemeral: true },
      trigger_id: `trigger.${n}`,
      response_url: responseUrl,
      actions: [
        {
          type: 'button',
          action_id: 'paper_link:page',
          block_id: 'links:x',
          action_ts: '1.2',
          url: 'https://arxiv.org/abs/2310.02743',
        },
      ],
    };
    return { body: new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), type: FORM };
  }
  if (kind === 17) return { body: slashCommandBody('help', responseUrl), type: FORM };
  return { body: slashCommandBody(HOSTILE[n % HOSTILE.length] as string, responseUrl), type: FORM };
}

async function worker(): Promise<void> {
  while (sent < total && Date.now() < deadline) {
    const n = sent++;
    const { body, type } = request(n);
    const started = performance.now();
    const response = await postSigned(running.eventsUrl, body, type);
    acks.push(performance.now() - started);
    if (response.status !== 200) badStatus++;
    await response.arrayBuffer();
    // The fake Slack is test scaffolding in this process: keep its records from growing.
    if (n % 500 === 0) running.slack.forget();
    if (n > 0 && n % 5000 === 0) samples.push(`${n}: ${rssMb()} MB RSS / ${heapMb()} MB heap`);
  }
}

const rssMb = () => Math.round(process.memoryUsage().rss / 1e6);
const heapMb = () => Math.round(process.memoryUsage().heapUsed / 1e6);
const samples: string[] = [];
const gc = (globalThis as { gc?: () => void }).gc;
// Warm up, then measure from a settled heap.
for (let i = 0; i < 200; i++)
  await postSigned(running.eventsUrl, slashCommandBody('warm up', running.slack.responseUrl(`w${i}`)), FORM);
gc?.();
const rssStart = rssMb();
samples.push(`0: ${rssStart} MB RSS / ${heapMb()} MB heap`);
const started = Date.now();
await Promise.all(Array.from({ length: concurrency }, worker));
const sentFor = (Date.now() - started) / 1000;
// Acks outpace answers (an answer waits its turn on the event loop, an ack does not), so answers
// queue while requests arrive faster than they are answered: wait until every one has landed
// (no Slack traffic for 2 s), so that the memory measured at the end is what stays, not the queue.
for (let seen = -1; ; ) {
  const traffic = running.slack.calls.length + running.slack.responses.length;
  if (traffic === seen) break;
  seen = traffic;
  await new Promise((resolve) => setTimeout(resolve, 2000));
}
const drained = (Date.now() - started) / 1000;
running.slack.forget(); // the fake's records of those answers are not the app's memory
gc?.();
const rssEnd = rssMb();
await running.stop();

const ms = (q: number) => Math.round(quantile(acks, q) * 100) / 100;
console.log(
  `soak: ${sent} requests sent in ${sentFor.toFixed(1)} s, concurrency ${concurrency}; every answer landed after ${drained.toFixed(1)} s`,
);
console.log(`errors: ${badStatus} non-200 answers, ${loggedErrors} errors logged by the app`);
console.log(`ack latency: p50 ${ms(0.5)} ms, p99 ${ms(0.99)} ms`);
console.log(
  `RSS: ${rssStart} MB at start, ${rssEnd} MB at end${gc ? ' (after gc)' : ''}; heap ${heapMb()} MB`,
);
console.log(`by requests sent: ${samples.join(', ')}`);
if (badStatus > 0 || loggedErrors > 0) process.exitCode = 1;
