import type { KnownBlock } from '@slack/types';
import { LIMITS, type SlackMessage } from './message.js';
import { escapeMrkdwn, plainText } from './mrkdwn.js';

/** The parts of the help, in the order they are shown. */
export const HELP_GROUPS = {
  search: 'Search papers',
  anchors: 'Trending and citations',
  follow: 'Follow a topic, an author or what is trending in this channel',
  conversation: 'Ask in a conversation',
  team: 'What your team knows',
  taste: 'What this channel has learnt',
  status: 'About paperbot',
} as const;
export type HelpGroup = keyof typeof HELP_GROUPS;

/** One line of the help: how to type something, what it does, and examples that run as written. */
export interface HelpEntry {
  group: HelpGroup;
  /** How to type it, placeholders in angle brackets: `/paper pause <id>`. */
  usage: string;
  /** What it does, in mrkdwn (written by paperbot, never from users). */
  summary: string;
  /** Lines to type as they are (`<id>` stands for a subscription id of the channel). */
  examples: readonly string[];
}

/** What the help says under a group, besides its entries. */
const GROUP_NOTES: Partial<Record<HelpGroup, string>> = {
  taste:
    'Cards say where a paper was already shared or discussed; paperbot replies in those threads when its code, a new version or upvotes come out.',
};

/** `text` in a code span, its angle brackets escaped. */
const code = (text: string) => `\`${escapeMrkdwn(text)}\``;

/** An entry as one help line: its usage and what it does, then the examples that differ from the usage. */
function helpLine(entry: HelpEntry): string {
  const examples = entry.examples.filter((example) => example !== entry.usage && !example.includes('<'));
  return `${code(entry.usage)} — ${entry.summary}${examples.length ? `\n      e.g. ${examples.map(code).join(' · ')}` : ''}`;
}

/** Usage of `/paper` and of mentions, a section per group, from the list of commands. */
export function helpMessage(entries: readonly HelpEntry[]): SlackMessage {
  const blocks: KnownBlock[] = [
    { type: 'header', text: plainText('paperbot: research papers in Slack', LIMITS.headerText) },
  ];
  for (const [group, title] of Object.entries(HELP_GROUPS) as [HelpGroup, string][]) {
    const lines = entries.filter((entry) => entry.group === group).map(helpLine);
    if (lines.length === 0) continue;
    const note = GROUP_NOTES[group];
    const text = [`*${title}*`, ...lines, ...(note ? [note] : [])].join('\n');
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: text.slice(0, LIMITS.sectionText) } });
  }
  return {
    text: 'How to use paperbot: /paper &lt;words&gt; searches papers; mention @paperbot in a thread to ask there.',
    blocks,
  };
}

/**
 * The Home tab's guide: every command's usage, what it does and its first example, one line each,
 * a section's text per group (so that no group is cut at a section's length).
 */
export function guideSections(entries: readonly HelpEntry[]): string[] {
  return (Object.entries(HELP_GROUPS) as [HelpGroup, string][]).flatMap(([group, title]) => {
    const lines = entries
      .filter((entry) => entry.group === group)
      .map((entry) => {
        const example = entry.examples.find((line) => line !== entry.usage && !line.includes('<'));
        return `${code(entry.usage)} — ${entry.summary}${example ? ` (e.g. ${code(example)})` : ''}`;
      });
    return lines.length === 0 ? [] : [[`*${title}*`, ...lines].join('\n').slice(0, LIMITS.sectionText)];
  });
}
