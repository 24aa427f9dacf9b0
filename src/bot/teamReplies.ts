import type { SlackMessage } from '../blocks/message.js';
import { noticeMessage } from '../blocks/messages.js';
import { unnamedMessage, whoMessage } from '../blocks/team.js';
import type { DiscussionStore } from '../discussions/store.js';
import { peopleOf, type Viewer, visibleTo } from '../discussions/teamMemory.js';
import type { PaperSearch } from '../search/paperSearch.js';
import type { PaperQuery } from '../search/query.js';
import type { TeamCommand } from './paperCommand.js';
import type { CommandContext } from './subscriptionReplies.js';

/** Papers on a topic whose people `/paper who` looks for: the strong matches among the best. */
export const WHO_PAPERS = 300;
/** People named at most. */
export const WHO_PEOPLE = 10;

/** What the answers about the team's memory read. */
export interface TeamDeps {
  index: PaperSearch;
  discussions?: DiscussionStore;
}

const NO_MEMORY = noticeMessage(
  ':information_source: paperbot does not remember discussions here, so it cannot tell who discussed what.',
);

/** `/paper who <topic>` and `/paper who forget me`. */
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
    return this.who(command.topic, command.query, context, discussions);
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
    // Without a transport's audience, only the channel itself is known to be visible.
    const viewer: Viewer = context.audience ?? { channel: context.channel, canSee: async () => false };
    const people = peopleOf(await visibleTo(sightings, viewer), new Set(unnamed));
    return whoMessage(topic, people.slice(0, WHO_PEOPLE), context.channel);
  }
}
