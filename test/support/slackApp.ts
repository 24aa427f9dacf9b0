import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { App } from '@slack/bolt';
import { Replies } from '../../src/bot/replies.js';
import { silentLogger } from '../../src/logger.js';
import type { Paper } from '../../src/papers/paper.js';
import { PaperIndex } from '../../src/search/paperIndex.js';
import { createSlackApp } from '../../src/slack/app.js';
import { FakeSlack } from './fakeSlack.js';
import { bundledPapers } from './papers.js';
import { SIGNING_SECRET } from './signing.js';

/** The real Bolt app in HTTP mode on loopback, wired to a fake Slack. */
export interface RunningApp {
  app: App;
  slack: FakeSlack;
  /** The receiver's endpoint for commands, events and interactions. */
  eventsUrl: string;
  stop(): Promise<void>;
}

/** Starts the fake Slack and the app (over the bundled corpus unless `papers` is given). */
export async function startApp(papers: Paper[] = bundledPapers()): Promise<RunningApp> {
  const slack = await new FakeSlack().start();
  const app = createSlackApp({
    connection: {
      mode: 'http',
      botToken: 'xoxb-test',
      signingSecret: SIGNING_SECRET,
      port: 0,
      apiUrl: slack.apiUrl,
    },
    replies: new Replies(PaperIndex.build(papers), silentLogger),
    logger: silentLogger,
    clientOptions: { retryConfig: { retries: 0 } },
  });
  const server = (await app.start({ port: 0, host: '127.0.0.1' })) as Server;
  const { port } = server.address() as AddressInfo;
  return {
    app,
    slack,
    eventsUrl: `http://127.0.0.1:${port}/slack/events`,
    async stop() {
      await app.stop();
      await slack.stop();
    },
  };
}
