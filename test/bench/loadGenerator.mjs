// The load generator of benchSlashAtRate, in a worker thread: a client on its own event loop, so
// that the app's work (on the main thread) delays the app's acks only, not the client's sending
// and timing. It also plays Slack's response_url (an HTTP server on loopback), so that receiving
// the answers costs the app's thread nothing, as on Slack's side of the network. Plain JavaScript
// because Node 20 loads a worker's entry before tsx can compile it.
// Protocol: posts { port } once listening; then takes { url, requests: [{ id, body, headers }], rate,
// busyText }, sends them on schedule, waits until every acknowledged request has its answer (or
// 30 s after the last ack), and posts back { sent, answers }: per request its absolute send time
// (performance.timeOrigin based, ms), ack time and HTTP status when it got one; per answer its
// request id, absolute arrival time and whether it was the busy sentence.
import { Agent, createServer, request as httpRequest } from 'node:http';
import { parentPort } from 'node:worker_threads';

const now = () => performance.timeOrigin + performance.now();
const answers = [];
let busyText = '';
let onAnswer = () => undefined;
const server = createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    const receivedAt = now();
    let text;
    try {
      text = JSON.parse(Buffer.concat(chunks).toString()).text;
    } catch {
      text = undefined;
    }
    answers.push({
      id: decodeURIComponent(request.url.split('/').pop()),
      receivedAt,
      busy: text === busyText,
    });
    response.end('ok');
    onAnswer();
  });
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));

// node:http on kept-alive connections, as a steady sender keeps them. fetch (undici) was most of
// the measured ack on a loaded machine: against a server that only answers 200, in a process of
// its own, 200 requests/s took p50 115 ms through fetch and 1 ms through node:http (load ~10).
const agent = new Agent({ keepAlive: true });

/** POSTs a body; resolves with the status once the response is read whole. */
function post(url, headers, body) {
  return new Promise((resolve, reject) => {
    const sent = httpRequest(url, { method: 'POST', headers, agent }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode));
      response.on('error', reject);
    });
    sent.on('error', reject);
    sent.end(body);
  });
}

parentPort.once('message', async ({ url, requests, rate, busyText: busy }) => {
  busyText = busy;
  const started = performance.now();
  const sent = [];
  const inFlight = [];
  for (const [index, { body, headers }] of requests.entries()) {
    const wait = started + (index * 1000) / rate - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const request = { index, sentAt: now() };
    sent.push(request);
    inFlight.push(
      post(url, headers, body).then(
        (status) => {
          request.ackMs = now() - request.sentAt;
          request.status = status;
        },
        () => undefined, // refused or reset: no ack, counted as a failure
      ),
    );
  }
  await Promise.all(inFlight);
  const expected = sent.filter((request) => request.status === 200).length;
  // Past capacity answers pile up: give them 30 s after the last ack, then report what came.
  await new Promise((resolve) => {
    const timer = setTimeout(resolve, 30_000);
    onAnswer = () => {
      if (answers.length >= expected) {
        clearTimeout(timer);
        resolve();
      }
    };
    onAnswer();
  });
  server.close();
  agent.destroy();
  parentPort.postMessage({ sent, answers });
});
