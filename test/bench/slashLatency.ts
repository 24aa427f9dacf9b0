import type { PaperIndex } from '../../src/search/paperIndex.js';
import { postSigned, slashCommandBody } from '../support/signing.js';
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

/**
 * `/paper` under open-loop load: `rate` signed requests per second for `seconds` (bounded, loopback
 * only), each sent on schedule whether or not earlier ones were answered, as Slack would. Ack
 * latency (signed POST → HTTP 200) and answer latency (→ respond() received), p50/p99.
 */
export async function benchSlashAtRate(
  rate: number,
  seconds: number,
  index?: PaperIndex,
): Promise<Record<string, number>> {
  const running = await startApp({ index });
  const total = Math.round(rate * seconds);
  const acks: number[] = [];
  const answers: number[] = [];
  const sentAt = new Map<string, number>();
  let failures = 0;
  try {
    const started = performance.now();
    const inFlight: Promise<void>[] = [];
    for (let i = 0; i < total; i++) {
      const due = started + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const id = `rate-${rate}-${i}`;
      const body = slashCommandBody(QUERIES[i % QUERIES.length] as string, running.slack.responseUrl(id));
      const sent = performance.now();
      sentAt.set(id, sent);
      inFlight.push(
        postSigned(running.eventsUrl, body, 'application/x-www-form-urlencoded').then(
          async (response) => {
            acks.push(performance.now() - sent);
            if (response.status !== 200) failures++;
            await response.arrayBuffer();
          },
          () => {
            failures++; // refused or reset: overload shows as failures, not as a crashed bench
          },
        ),
      );
    }
    await Promise.all(inFlight);
    // Past capacity answers pile up: give them 30 s after the last request, then count what came.
    await running.slack
      .waitFor(() => running.slack.responses.length >= total - failures, 30_000)
      .catch(() => undefined);
    for (const response of running.slack.responses) {
      const sent = sentAt.get(response.id);
      if (sent !== undefined) answers.push(response.receivedAt - sent);
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
