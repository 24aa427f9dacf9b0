import type { SlackMessage } from '../blocks/message.js';
import { noticeMessage } from '../blocks/messages.js';
import { recapMessage, unnamedMessage, whoMessage } from '../blocks/team.js';
import { type RecapPeriod, recapOf } from '../discussions/recap.js';
import type { DiscussionStore } from '../discussions/store.js';
import { peopleOf, type Viewer, visibleTo } from '../discussions/teamMemory.js';
import type { PaperSearch } from '../search/paperSearch.js';
import type { PaperQuery } from '../search/query.js';
import type { SubscriptionStore } from '../subscriptions/store.js';
import type { TeamCommand } from './paperCommand.js';
import type { CommandContext } from './subscriptionReplies.js';

/** Papers on a topic whose people `/paper who` looks for: the strong matches among the best. */
export const WHO_PAPERS = 300;
/** People named at most. */
export const WHO_PEOPLE = 10;

/** What the answers about the team's memory read. */
export interface TeamDeps {
  index: PaperSearch;
  /** The channel's 👍 count in its recap. */
  store: SubscriptionStore;
  discussions?: DiscussionStore;
  now: () => Date;
}

const NO_MEMORY = noticeMessage(
  ':information_source: paperbot does not remember discussions here, so it cannot tell who discussed what.',
);

/** `/paper who <topic>`, `/paper who forget me` and `/paper recap [week|month]`. */
export class TeamReplies {
  constructor(private readonly deps: TeamDeps) {}

  /** Answers one of the team commands typed in `context.channel`. */
  async answer(command: TeamCommand, context: CommandContext): Promise<SlackMessage> {
    const { discussions } = this.deps;
    if (!discussions) return NO_MEMORY;
    if (command.kind === 'who-forget') {
      await discussions.unname(context.team, context.user);
      return unnamedMessage();
    }
    if (command.kind === 'recap') return this.recap(command.period, context, discussions);
    return this.who(command.topic, command.query, context, discussions);
  }

  /** What the workspace discussed most in the period, as far as the asker can see. */
  private async recap(
    period: RecapPeriod,
    context: CommandContext,
    discussions: DiscussionStore,
  ): Promise<SlackMessage> {
    const recap = await recapOf(
      { store: discussions, paper: (id) => this.deps.index.get(id) },
      context.team,
      viewerOf(context),
      period,
      this.deps.now(),
      await this.deps.store.feedbackIn(context),
    );
    return recapMessage(recap, context.channel, false);
  }

  /**
   * The people who shared or discussed the topic's strong matches where the asker can see (their
   * channel, public channels; a guest: their channel only), strongest first.
   */
  private async who(
    topic: string,
    query: PaperQuery,
    context: CommandContext,
    discussions: DiscussionStore,
  ): Promise<SlackMessage> {
    const found = await this.deps.index.search(query, { limit: WHO_PAPERS });
    const paperIds = found.hits.slice(0, found.strong).map((hit) => hit.paper.id);
    const [sightings, unnamed] = await Promise.all([
      paperIds.length > 0 ? discussions.inWorkspace(context.team, { paperIds }) : [],
      discussions.unnamed(context.team),
    ]);
    const people = peopleOf(await visibleTo(sightings, viewerOf(context)), new Set(unnamed));
    return whoMessage(topic, people.slice(0, WHO_PEOPLE), context.channel);
  }
}

/** Who sees the answer; without a transport's audience, only the channel itself is known to be visible. */
function viewerOf(context: CommandContext): Viewer {
  return context.audience ?? { channel: context.channel, canSee: async () => false };
}
