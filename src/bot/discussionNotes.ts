import { type DiscussionSummary, papersShown, withDiscussions } from '../blocks/discussions.js';
import type { SlackMessage } from '../blocks/message.js';
import type { Sighting } from '../discussions/discussion.js';
import type { DiscussionStore } from '../discussions/store.js';
import type { Logger } from '../logger.js';

/**
 * Who sees an answer, as the transport knows it: a workspace's channel (and the person, for an
 * answer only they see), and which other channels they can see.
 */
export interface Audience {
  team: string;
  /** Where the answer is shown: sightings there are always visible ("discussed here"). */
  channel: string;
  /** Whether everyone who sees the answer can see `channel` (called for other channels only). */
  canSee(channel: string): Promise<boolean>;
}

/** Sightings looked at per paper (the newest); older ones only add to "and N more threads". */
const SIGHTINGS_READ = 20;

/**
 * Adds to an answer's cards where the paper was already shared or discussed in the workspace:
 * only threads in channels the audience can see, the newest first, with the reply count stored
 * with the sighting when there is one (threads are not read while a person waits).
 */
export class DiscussionNotes {
  constructor(
    private readonly store: DiscussionStore,
    private readonly now: () => Date,
    private readonly logger: Logger,
  ) {}

  /**
   * The message with a "discussed in" line under each card whose paper came up in a channel the
   * audience can see; `except` leaves out the message being answered (a link's own unfurl).
   * On any failure the message is returned as it was: the note is a nicety.
   */
  async annotate(message: SlackMessage, audience: Audience, except?: { ts: string }): Promise<SlackMessage> {
    try {
      const summaries = new Map<string, DiscussionSummary>();
      const visible = new Map<string, Promise<boolean>>();
      const canSee = (channel: string) => {
        if (channel === audience.channel) return Promise.resolve(true);
        let answer = visible.get(channel);
        if (!answer) {
          answer = audience.canSee(channel).catch(() => false);
          visible.set(channel, answer);
        }
        return answer;
      };
      const shown = papersShown(message);
      // One read per card, at once (with PostgreSQL: parallel queries on the pool).
      const read = await Promise.all(
        shown.map((id) => this.store.ofPaper(audience.team, id, SIGHTINGS_READ)),
      );
      for (const [i, paperId] of shown.entries()) {
        const sightings = (read[i] ?? []).filter((s) => s.ts !== except?.ts);
        const threads = new Map<string, Sighting>();
        for (const s of sightings) {
          const key = `${s.channel}\u0000${s.threadTs}`;
          if (!threads.has(key) && (await canSee(s.channel))) threads.set(key, s);
        }
        const [newest, ...others] = threads.values();
        if (!newest) continue;
        summaries.set(paperId, { newest, others: others.length });
      }
      return withDiscussions(message, summaries, audience.channel, this.now());
    } catch (error) {
      this.logger.warn('Could not add where papers were discussed:', error);
      return message;
    }
  }
}
