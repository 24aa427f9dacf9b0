/**
 * A console session over the 85k real corpus (the eval's cached data directory, see evalCorpus.ts)
 * with the clock at the end of the recorded Hugging Face days (2026-08-21 12:00 UTC), so that
 * "trending" has papers: a transcript of following authors, trending and citations. Each input line is answered as the
 * console answers it (the same Replies and text renderer); `{last}` in a line is replaced by the
 * id of the newest subscription, for `digest now`, whose digest prints as the console's does.
 * `printf '/paper trending\n' | npx tsx test/bench/anchorsTranscript.ts`
 */
import { createInterface } from 'node:readline';
import { Replies } from '../../src/bot/replies.js';
import type { CommandContext } from '../../src/bot/subscriptionReplies.js';
import { CONSOLE_CHANNEL, CONSOLE_TEAM, ConsoleDigestPoster } from '../../src/console/console.js';
import { renderText } from '../../src/console/renderText.js';
import { silentLogger } from '../../src/logger.js';
import { Scheduler } from '../../src/subscriptions/scheduler.js';
import { createMemoryStore } from '../../src/subscriptions/store.js';
import { HF_NOW } from '../support/hfPapers.js';
import { openRealCorpus } from './evalCorpus.js';

const { library } = await openRealCorpus(silentLogger);
const index = library;
const store = createMemoryStore();
const now = () => new Date(HF_NOW);
const poster = new ConsoleDigestPoster(process.stdout, { color: false });
const scheduler = new Scheduler({ store, index, poster, now, logger: silentLogger });
const replies = new Replies({ index, store, scheduler, now, logger: silentLogger });
const context: CommandContext = {
  team: CONSOLE_TEAM,
  channel: CONSOLE_CHANNEL,
  user: 'U0CONSOLE',
  userTimezone: async () => 'UTC',
  announce: async () => ({ ok: true }),
};

for await (const line of createInterface({ input: process.stdin, terminal: false })) {
  const newest = (await store.inChannel(context)).at(-1);
  const typed = line.replace('{last}', newest?.id ?? '');
  process.stdout.write(`paperbot> ${typed}\n`);
  const command = /^\/paper\s*(.*)$/s.exec(typed);
  if (command) process.stdout.write(`${renderText(await replies.toCommand(command[1] ?? '', context))}\n\n`);
}
