// The load generator of benchSlashAtRate, in a worker thread: a client on its own event loop, so
// that the app's work (on the main thread) delays the app's acks only, not the client's sending
// and timing. Plain JavaScript because Node 20 loads a worker's entry before tsx can compile it.
// workerData: { url, requests: [{ body, headers }], rate }; posts back, per request, its absolute
// send time (performance.timeOrigin based, ms), and its ack time and HTTP status when it got one.
import { parentPort, workerData } from 'node:worker_threads';

const now = () => performance.timeOrigin + performance.now();
const { url, requests, rate } = workerData;
const started = performance.now();
const sent = [];
const inFlight = [];
for (const [index, { body, headers }] of requests.entries()) {
  const wait = started + (index * 1000) / rate - performance.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  const request = { index, sentAt: now() };
  sent.push(request);
  inFlight.push(
    fetch(url, { method: 'POST', headers, body }).then(
      async (response) => {
        request.ackMs = now() - request.sentAt;
        request.status = response.status;
        await response.arrayBuffer();
      },
      () => undefined, // refused or reset: no ack, counted as a failure
    ),
  );
}
await Promise.all(inFlight);
parentPort.postMessage(sent);
