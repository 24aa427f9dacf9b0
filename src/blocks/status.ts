import type { KnownBlock } from '@slack/types';
import type { SourceStatus } from '../papers/refresher.js';
import type { BackfillRecord, IngestRecord } from '../papers/refreshState.js';
import type { ServiceStatus } from '../status.js';
import { formatInZone } from '../subscriptions/schedule.js';
import type { Subscription } from '../subscriptions/subscription.js';
import { LIMITS, type SlackMessage } from './message.js';
import { escapeToFit, plainText } from './mrkdwn.js';
import { topicText } from './subscriptions.js';

/** Subscriptions listed in a status answer; the rest are counted. */
const STATUS_SUBSCRIPTIONS = 10;

/** "Tue 1 Dec, 17:05 UTC" */
const utc = (instant: Date | string) => `${formatInZone(new Date(instant), 'UTC')} UTC`;

const section = (text: string): KnownBlock => ({
  type: 'section',
  text: { type: 'mrkdwn', text: escapeToFitMarkup(text) },
});

/** Section text is built from escaped parts; this only keeps it under Slack's limit. */
function escapeToFitMarkup(text: string): string {
  return text.length <= LIMITS.sectionText ? text : `${text.slice(0, LIMITS.sectionText - 1)}…`;
}

/** "9,952 papers · newest: “Title” (arrived Tue 1 Dec, 17:05 UTC)" */
function corpusLine(status: ServiceStatus): string {
  const count = `${status.papers.toLocaleString('en-US')} papers`;
  if (!status.newest) return `*Corpus:* ${count}`;
  const { title, arrivedAt, published } = status.newest;
  return (
    `*Corpus:* ${count} · newest: “${escapeToFit(title, 200)}”` +
    ` (${published ? `published ${published}, ` : ''}arrived ${utc(arrivedAt)})`
  );
}

/** One source: its last success and failure (with the reason) and its next read. */
function sourceLine(source: SourceStatus): string {
  const parts = [
    source.lastSuccess
      ? `last read ${utc(source.lastSuccess.at)}: ${escapeToFit(source.lastSuccess.summary, 300)}`
      : 'not read successfully yet',
  ];
  if (source.lastFailure && (!source.lastSuccess || source.lastFailure.at > source.lastSuccess.at))
    parts.push(
      `:warning: failed ${utc(source.lastFailure.at)}: ${escapeToFit(source.lastFailure.reason, 500)}`,
    );
  else if (source.lastFailure)
    parts.push(`last failure ${utc(source.lastFailure.at)}: ${escapeToFit(source.lastFailure.reason, 300)}`);
  parts.push(`next read ${utc(source.next)}`);
  return `*${escapeToFit(source.name, 100)}*\n${parts.join('\n')}`;
}

/** "*Last ingest* (`paperbot ingest file day.json`) Mon 7 Dec, 20:30 UTC: 12 new, …" */
function ingestLine(ingest: IngestRecord): string {
  return `*Last ingest* (\`paperbot ingest ${escapeToFit(ingest.what, 200)}\`): ${utc(ingest.at)}: ${escapeToFit(ingest.summary, 300)}`;
}

/** The first-day backfill: how far it got, what failed and when it is tried again. */
function backfillLine(backfill: BackfillRecord): string {
  const read = `${backfill.done.length} of ${backfill.days.length} days read, ${backfill.newPapers.toLocaleString('en-US')} new papers`;
  const lines = [
    backfill.finishedAt
      ? `*Backfill* (Hugging Face, last ${backfill.days.length} days): finished ${utc(backfill.finishedAt)}; ${read}`
      : `*Backfill* (Hugging Face, last ${backfill.days.length} days): running since ${utc(backfill.startedAt)}; ${read}`,
  ];
  for (const [day, failed] of Object.entries(backfill.failed).slice(0, 5))
    lines.push(
      `${day} failed ${failed.attempts}× (${escapeToFit(failed.reason, 200)}); next try ${utc(failed.retryAt)}`,
    );
  if (backfill.abandoned.length > 0)
    lines.push(
      `Left out after repeated failures: ${backfill.abandoned.join(', ')} (\`npx paperbot ingest hf-daily --since ${[...backfill.abandoned].sort()[0]}\` reads them)`,
    );
  return lines.join('\n');
}

/** This channel's subscriptions and when each posts next. */
function channelLine(subscriptions: readonly Subscription[]): string {
  if (subscriptions.length === 0)
    return '*This channel:* no subscriptions (`/paper subscribe <topic>` starts one).';
  const lines = subscriptions.slice(0, STATUS_SUBSCRIPTIONS).map((s) => {
    const when =
      s.state.status === 'active'
        ? `next digest ${formatInZone(new Date(s.nextRunAt), s.schedule.tz)} (${s.schedule.tz})`
        : `paused: ${escapeToFit(s.state.reason, 200)}`;
    return `• ${topicText(s.topic)} · \`${s.id}\` · ${when}`;
  });
  if (subscriptions.length > STATUS_SUBSCRIPTIONS)
    lines.push(`…and ${subscriptions.length - STATUS_SUBSCRIPTIONS} more (\`/paper subscriptions\`).`);
  return `*This channel:* ${subscriptions.length} subscription${subscriptions.length === 1 ? '' : 's'}\n${lines.join('\n')}`;
}

/** The facts of a status report as blocks: corpus, sources, backfill, version (the Home tab shows these). */
export function statusBlocks(status: ServiceStatus): KnownBlock[] {
  const blocks: KnownBlock[] = [section(corpusLine(status))];
  if (status.sources.length === 0)
    blocks.push(
      section(
        '*Sources:* no refresh is scheduled here (`PAPERBOT_REFRESH_HF` / `PAPERBOT_REFRESH_ARXIV` set one; `paperbot ingest` adds papers by hand).',
      ),
    );
  for (const source of status.sources) blocks.push(section(sourceLine(source)));
  if (status.backfill) blocks.push(section(backfillLine(status.backfill)));
  if (status.lastIngest) blocks.push(section(ingestLine(status.lastIngest)));
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: `paperbot ${escapeToFit(status.version, 40)}${status.startedAt ? ` · running since ${utc(status.startedAt)}` : ''}`,
      },
    ],
  });
  return blocks;
}

/** The answer to `/paper status`: what the bot knows, how fresh it is, and this channel's digests. */
export function statusMessage(status: ServiceStatus, subscriptions: readonly Subscription[]): SlackMessage {
  const blocks: KnownBlock[] = [
    { type: 'header', text: plainText('paperbot status', LIMITS.headerText) },
    ...statusBlocks(status).slice(0, -1),
    section(channelLine(subscriptions)),
    ...statusBlocks(status).slice(-1),
  ];
  const failing = status.sources.filter(
    (s) => s.lastFailure && (!s.lastSuccess || s.lastFailure.at > s.lastSuccess.at),
  ).length;
  const text = escapeToFit(
    `paperbot ${status.version}: ${status.papers.toLocaleString('en-US')} papers` +
      (status.newest ? `, newest “${status.newest.title}”` : '') +
      `; ${status.sources.length} sources${failing > 0 ? ` (${failing} failing)` : ''}` +
      `; ${subscriptions.length} subscriptions in this channel`,
    3000,
  );
  return { text, blocks };
}
