import { postSigned, slashCommandBody } from '../support/signing.js';
import { startApp } from '../support/slackApp.js';
import { summary } from './stats.js';

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
