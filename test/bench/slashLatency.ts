import { Worker } from 'node:worker_threads';
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

/** One request as loadGenerator.mjs saw it: absolute times in ms, no ack when refused. */
interface SentRequest {
  index: number;
  sentAt: number;
  ackMs?: number;
  status?: number;
}

/**
 * `/paper` under open-loop load: `rate` signed requests per second for `seconds` (bounded, loopback
 * only), each sent on schedule whether or not earlier ones were answered, as Slack would, by a client
 * in a worker thread (loadGenerator.mjs). Ack latency (signed POST → HTTP 200) and answer latency (→ respond()
 * received by the fake Slack, which shares the app's thread), p50/p99.
 */
export async function benchSlashAtRate(
  rate: number,
  seconds: number,
  index?: Library,
): Promise<Record<string, number>> {
  const running = await startApp({ index });
  const total = Math.round(rate * seconds);
  const ids = Array.from({ length: total }, (_, i) => `rate-${rate}-${i}`);
  const acks: number[] = [];
  const answers: number[] = [];
  let failures = 0;
  try {
    // Signed up front (a signature stays valid for 5 minutes), so the client only sends.
    const timestamp = Math.floor(Date.now() / 1000);
    const requests = ids.map((id, i) => {
      const body = slashCommandBody(QUERIES[i % QUERIES.length] as string, running.slack.responseUrl(id));
      const headers = {
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': String(timestamp),
        'x-slack-signature': signature(body, timestamp),
      };
      return { body, headers };
    });
    const worker = new Worker(new URL('./loadGenerator.mjs', import.meta.url), {
      workerData: { url: running.eventsUrl, requests, rate },
    });
    const sent = await new Promise<SentRequest[]>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    for (const request of sent) {
      if (request.ackMs === undefined || request.status !== 200) failures++;
      if (request.ackMs !== undefined) acks.push(request.ackMs);
    }
    // Past capacity answers pile up: give them 30 s after the last request, then count what came.
    await running.slack
      .waitFor(() => running.slack.responses.length >= total - failures, 30_000)
      .catch(() => undefined);
    const sentAt = new Map(sent.map((request) => [ids[request.index], request.sentAt]));
    for (const response of running.slack.responses) {
      const at = sentAt.get(response.id);
      if (at !== undefined) answers.push(performance.timeOrigin + response.receivedAt - at);
    }
  } finally {
    await running.stop();
  }
  const ms = (samples: number[], q: number) => Math.round(quantile(samples, q) * 100) / 100;
  return {
    requests: total,
    failures,
    'answered within 30 s of the last request': answers.length,
    'ack p50 (ms)': ms(acks, 0.5),
    'ack p99 (ms)': ms(acks, 0.99),
    'answer p50 (ms)': ms(answers, 0.5),
    'answer p99 (ms)': ms(answers, 0.99),
  };
}
