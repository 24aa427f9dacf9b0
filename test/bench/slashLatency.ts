import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { BUSY } from '../../src/blocks/messages.js';
import type { Library } from '../../src/library.js';
import { postSigned, signature, slashCommandBody } from '../support/signing.js';
import { startApp } from '../support/slackApp.js';
import { quantile, summary } from './stats.js';

const QUERIES = [
  'reward model ensembles',
  'knowledge distillation',
  '"human feedback" -survey',
  'semantic segmentation has:code',
  'federated learning heterogeneity',
  'contrastive loss',
  'preference optimization diffusion',
  'hyperbolic face anti-spoofing',
];

/**
 * `/paper` through the real Bolt HTTP receiver on loopback, one request at a time: ack latency
 * (signed POST → HTTP 200) and answer latency (signed POST → the respond() POST arrives at the
 * fake response_url).
 */
export async function benchSlashLatency(
  requests: number,
): Promise<Record<string, ReturnType<typeof summary>>> {
  const running = await startApp();
  const ack: number[] = [];
  const answer: number[] = [];
  try {
    for (let i = 0; i < requests + 20; i++) {
      const id = `bench-${i}`;
      const body = slashCommandBody(QUERIES[i % QUERIES.length] as string, running.slack.responseUrl(id));
      const started = performance.now();
      const response = await postSigned(running.eventsUrl, body, 'application/x-www-form-urlencoded');
      const acked = performance.now();
      if (response.status !== 200) throw new Error(`receiver answered ${response.status}`);
      await running.slack.waitFor(() => running.slack.responses.some((r) => r.id === id));
      if (i < 20) continue; // warm-up: JIT and connection set-up
      ack.push(acked - started);
      answer.push(performance.now() - started);
    }
  } finally {
    await running.stop();
  }
  return {
    '/paper ack (signed POST → 200)': summary(ack),
    '/paper answer (signed POST → respond received)': summary(answer),
  };
}

/** One answer as loadGenerator.mjs received it at its response_url: absolute time in ms. */
interface ReceivedAnswer {
  id: string;
  receivedAt: number;
  busy: boolean;
}

/** One request as loadGenerator.mjs saw it: absolute times in ms, no ack when refused. */
interface SentRequest {
  index: number;
  sentAt: number;
  ackMs?: number;
  status?: number;
}

/** Requests sent one at a time before an at-rate run, and not measured. */
const WARM_UP = 20;

/** What {@link benchSlashAtRate} measured. */
export interface AtRate {
  requests: number;
  /** Requests refused or reset, or answered with another status than 200. */
  failures: number;
  'answered within 30 s of the last request': number;
  /** Answered with the busy sentence (shed) instead of papers. */
  shed: number;
  /** Answered with papers or the busy sentence within Slack's 3 s of being sent. */
  'answered or shed within 3 s': number;
  'ack p50 (ms)': number;
  'ack p99 (ms)': number;
  'ack max (ms)': number;
  'answer p50 (ms)': number;
  'answer p99 (ms)': number;
  /** The app's event-loop delay while the requests were sent (perf_hooks.monitorEventLoopDelay). */
  'event-loop delay p99 (ms)': number;
  'event-loop delay max (ms)': number;
  /**
   * CPU time of the whole process (the app's threads, the load generator, the fake Slack) from the
   * first request until the last answer came: unlike latencies, barely changed by a busy machine.
   */
  'process CPU (s)': number;
  /** How long `during` took, when given. */
  'during (ms)'?: number;
}

/**
 * `/paper` under open-loop load: `rate` signed requests per second for `seconds` (bounded, loopback
 * only), each sent on schedule whether or not earlier ones were answered, as Slack would, by a client
 * in a worker thread (loadGenerator.mjs), which also receives the answers at its own response_url
 * (the fake Slack answers the app's Web API calls). Ack latency (signed POST → HTTP 200), answer
 * latency (→ respond() received), p50/p99, how many were shed with the busy sentence, and the app
 * thread's event-loop delay meanwhile (after {@link WARM_UP} requests one at a time, not measured).
 * `during` runs beside the load from its second second on (an ingest, say), and the load lasts at
 * least until it ends.
 */
export async function benchSlashAtRate(
  rate: number,
  seconds: number,
  index?: Library,
  during?: () => Promise<void>,
): Promise<AtRate> {
  const running = await startApp({ index });
  const total = Math.round(rate * seconds);
  const ids = Array.from({ length: total }, (_, i) => `rate-${rate}-${i}`);
  const acks: number[] = [];
  const answers: number[] = [];
  let failures = 0;
  let shed = 0;
  let withinSlack = 0;
  let duringMs: number | undefined;
  let cpuSeconds = Number.NaN;
  const loop = monitorEventLoopDelay({ resolution: 1 });
  try {
    // Warm-up, as a running bot is: code paths compiled, the first posting lists read, a connection open.
    for (let i = 0; i < WARM_UP; i++) {
      const id = `warm-${i}`;
      const body = slashCommandBody(QUERIES[i % QUERIES.length] as string, running.slack.responseUrl(id));
      await postSigned(running.eventsUrl, body, 'application/x-www-form-urlencoded');
      await running.slack.waitFor(() => running.slack.responses.some((r) => r.id === id));
    }
    running.slack.forget();
    const worker = new Worker(new URL('./loadGenerator.mjs', import.meta.url));
    const { port } = await new Promise<{ port: number }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    // Signed up front (a signature stays valid for 5 minutes), so the client only sends.
    const timestamp = Math.floor(Date.now() / 1000);
    const requests = ids.map((id, i) => {
      const body = slashCommandBody(
        QUERIES[i % QUERIES.length] as string,
        `http://127.0.0.1:${port}/respond/${encodeURIComponent(id)}`,
      );
      const headers = {
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': String(timestamp),
        'x-slack-signature': signature(body, timestamp),
      };
      return { body, headers };
    });
    loop.enable();
    const cpuBefore = process.cpuUsage();
    const finished = new Promise<{ sent: SentRequest[]; answers: ReceivedAnswer[] }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    worker.postMessage({ url: running.eventsUrl, requests, rate, busyText: BUSY.text });
    const alongside = during
      ? new Promise((resolve) => setTimeout(resolve, 1000)).then(async () => {
          const started = performance.now();
          await during();
          duringMs = performance.now() - started;
        })
      : Promise.resolve();
    const [{ sent, answers: received }] = await Promise.all([finished, alongside]);
    loop.disable();
    const cpu = process.cpuUsage(cpuBefore);
    cpuSeconds = (cpu.user + cpu.system) / 1e6;
    await worker.terminate();
    for (const request of sent) {
      if (request.ackMs === undefined || request.status !== 200) failures++;
      if (request.ackMs !== undefined) acks.push(request.ackMs);
    }
    const sentAt = new Map(sent.map((request) => [ids[request.index], request.sentAt]));
    for (const answer of received) {
      const at = sentAt.get(answer.id);
      if (at === undefined) continue;
      const answerMs = answer.receivedAt - at;
      answers.push(answerMs);
      if (answer.busy) shed++;
      if (answerMs <= 3000) withinSlack++;
    }
  } finally {
    loop.disable();
    await running.stop();
  }
  const ms = (samples: number[], q: number) => Math.round(quantile(samples, q) * 100) / 100;
  const loopMs = (ns: number) => Math.round(ns / 1e4) / 100;
  return {
    requests: total,
    failures,
    'answered within 30 s of the last request': answers.length,
    shed,
    'answered or shed within 3 s': withinSlack,
    'ack p50 (ms)': ms(acks, 0.5),
    'ack p99 (ms)': ms(acks, 0.99),
    'ack max (ms)': ms(acks, 1),
    'answer p50 (ms)': ms(answers, 0.5),
    'answer p99 (ms)': ms(answers, 0.99),
    'event-loop delay p99 (ms)': loopMs(loop.percentile(99)),
    'event-loop delay max (ms)': loopMs(loop.max),
    'process CPU (s)': Math.round(cpuSeconds * 100) / 100,
    ...(duringMs === undefined ? {} : { 'during (ms)': Math.round(duringMs) }),
  };
}
