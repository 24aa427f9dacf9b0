// The load generator of benchSlashAtRate, in a worker thread: a client on its own event loop, so
// that the app's work (on the main thread) delays the app's acks only, not the client's sending
// and timing. Slack's response_url (an HTTP server on loopback) is played by a second thread that
// this one starts, so that neither receiving the answers costs the app's thread anything (as on
// Slack's side of the network), nor do the answers, which arrive in bursts when the app sheds,
// delay this thread's sending and its reading of the acks. Plain JavaScript because Node 20 loads
// a worker's entry before tsx can compile it.
// Protocol: posts { port } once the answer thread listens; then takes { url, requests: [{ id, body,
// headers }], rate, busyText }, sends them on schedule, waits until every acknowledged request has
// its answer (or 30 s after the last ack), and posts back { sent, answers }: per request its
// absolute send time (performance.timeOrigin based, ms), ack time and HTTP status when it got one;
// per answer its request id, absolute arrival time and whether it was the busy sentence.
import { Agent, createServer, request as httpRequest } from 'node:http';
import { parentPort, Worker, workerData } from 'node:worker_threads';

const now = () => performance.timeOrigin + performance.now();

if (workerData?.role === 'answers') receiveAnswers();
else sendRequests();

/** The answer thread: records each POST to /respond/<id>; on { expected }, posts back { answers }. */
function receiveAnswers() {
  const answers = [];
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
      answers.push({ id: decodeURIComponent(request.url.split('/').pop()), receivedAt, text });
      response.end('ok');
      onAnswer();
    });
  });
  server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
  parentPort.once('message', ({ expected }) => {
    // Past capacity answers pile up: give them 30 s after the last ack, then report what came.
    const timer = setTimeout(finish, 30_000);
    function finish() {
      clearTimeout(timer);
      server.close();
      parentPort.postMessage({ answers });
    }
    onAnswer = () => {
      if (answers.length >= expected) finish();
    };
    onAnswer();
  });
}

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

function sendRequests() {
  const answering = new Worker(new URL(import.meta.url), { workerData: { role: 'answers' } });
  answering.once('message', ({ port }) => parentPort.postMessage({ port }));
  parentPort.once('message', async ({ url, requests, rate, busyText }) => {
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
    agent.destroy();
    const expected = sent.filter((request) => request.status === 200).length;
    const collected = new Promise((resolve) => answering.once('message', resolve));
    answering.postMessage({ expected });
    const { answers } = await collected;
    await answering.terminate();
    parentPort.postMessage({
      sent,
      answers: answers.map(({ id, receivedAt, text }) => ({ id, receivedAt, busy: text === busyText })),
    });
  });
}
