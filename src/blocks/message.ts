import type { KnownBlock } from '@slack/types';

/** A Slack message body: Block Kit blocks and the fallback text shown in notifications. */
export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

/** Block Kit limits (https://api.slack.com/reference/block-kit), used by every renderer. */
export const LIMITS = {
  blocksPerMessage: 50,
  sectionText: 3000,
  headerText: 150,
  buttonText: 75,
  buttonValue: 2000,
  buttonUrl: 3000,
  blockId: 255,
} as const;
