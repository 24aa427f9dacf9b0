/**
 * The Socket Mode side of {@link WorkerSocketModeReceiver}, in a worker thread of its own: Bolt's
 * Socket Mode receiver holds the WebSocket here, each envelope is acked on the socket at once
 * (unless its ack carries content) and its payload handed over to the main thread, where Bolt runs
 * the listeners. See handOff.ts for what waits and what is shed.
 */
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { type App, type Logger, LogLevel, SocketModeReceiver } from '@slack/bolt';
import { epochNow, type FromReceivingThread, HandOff, type HandOffOptions } from './handOff.js';

/** What the Socket Mode thread is started with (its workerData's `socketThread`). */
export interface SocketThreadOptions extends HandOffOptions {
  appToken: string;
  /** Slack's Web API base (apps.connections.open); tests point it at a fake. */
  slackApiUrl?: string;
}

async function startSocketThread(port: MessagePort, options: SocketThreadOptions): Promise<void> {
  const handOff = new HandOff(port, options);
  const logger: Logger = {
    debug: (...message) => handOff.log('debug', message.map(String).join(' ')),
    info: (...message) => handOff.log('info', message.map(String).join(' ')),
    warn: (...message) => handOff.log('warn', message.map(String).join(' ')),
    error: (...message) => handOff.log('error', message.map(String).join(' ')),
    setLevel: () => {},
    getLevel: () => LogLevel.INFO,
    setName: () => {},
  };
  const receiver = new SocketModeReceiver({
    appToken: options.appToken,
    logger,
    ...(options.slackApiUrl
      ? { installerOptions: { clientOptions: { slackApiUrl: options.slackApiUrl } } }
      : {}),
  });
  // Bolt's receiver hands each envelope to an app: here, to the main thread.
  receiver.init({
    processEvent: async (event) => {
      handOff.handOver(
        event.body,
        { receivedAt: epochNow(), retryNum: event.retryNum, retryReason: event.retryReason },
        (status, body) => {
          // A failed listener gets no ack, as with Bolt's own receiver: Slack shows its error.
          if (status === 200) void event.ack(body).catch(() => undefined);
        },
      );
    },
  } as App);
  port.on('message', (message: { type: string }) => {
    if (message.type !== 'stop') return;
    void receiver.stop().finally(() => {
      handOff.close(503);
      port.postMessage({ type: 'stopped' } satisfies FromReceivingThread);
      port.close();
    });
  });
  try {
    await receiver.start();
    port.postMessage({ type: 'listening' } satisfies FromReceivingThread);
  } catch (error) {
    port.postMessage({ type: 'failed', message: (error as Error).message } satisfies FromReceivingThread);
  }
}

if (parentPort && workerData?.socketThread)
  void startSocketThread(parentPort, workerData.socketThread as SocketThreadOptions);
