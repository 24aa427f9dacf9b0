import type { SlackMessage } from '../blocks/message.js';
import { noticeMessage } from '../blocks/messages.js';
import { tasteForgottenMessage, tasteMessage, tasteResetPrompt, whyThisMessage } from '../blocks/taste.js';
import type { PaperSearch } from '../search/paperSearch.js';
import { parseQuery } from '../search/query.js';
import { RELATED_WORDS } from '../subscriptions/aboutness.js';
import type { TopicSignal } from '../subscriptions/digest.js';
import type { SubscriptionStore } from '../subscriptions/store.js';
import type { ChannelRef } from '../subscriptions/subscription.js';
import { describeTaste, explainPick, type PaperLookup } from '../subscriptions/taste.js';

/** The answers about a channel's taste: `/paper taste`, `/paper taste reset`, and "Why this?" on digest cards. */
export class TasteReplies {
  constructor(private readonly deps: { store: SubscriptionStore; papers: PaperLookup | PaperSearch }) {}

  /** What the channel's votes taught it. */
  async taste(where: ChannelRef): Promise<SlackMessage> {
    return tasteMessage(await describeTaste(await this.deps.store.feedbackIn(where), this.deps.papers));
  }

  /** Forgets the channel's votes when `confirmed`; else asks first. */
  async reset(where: ChannelRef, confirmed: boolean): Promise<SlackMessage> {
    const { store } = this.deps;
    if (!confirmed) return tasteResetPrompt(Object.keys(await store.feedbackIn(where)).length);
    return tasteForgottenMessage(await store.forgetFeedback(where));
  }

  /** Why a digest of subscription `subscriptionId` picked the paper (the button's value is `subscription:paper`). */
  async whyThis(where: ChannelRef, value: string): Promise<SlackMessage> {
    const split = value.indexOf(':');
    const subscriptionId = value.slice(0, Math.max(0, split));
    const paperId = value.slice(split + 1);
    const { store, papers } = this.deps;
    const [paper, subscription] = await Promise.all([
      papers.get(paperId),
      subscriptionId ? store.get(where.team, subscriptionId) : undefined,
    ]);
    if (!paper) return noticeMessage(':warning: That paper is no longer in the corpus.');
    if (!subscription || subscription.channel !== where.channel)
      return noticeMessage(
        ':warning: That subscription was removed, so I cannot say why it picked this paper.',
      );
    // The topic's words weigh by their rarity in the corpus, as when the digest judged the paper.
    const termWeights =
      'search' in papers
        ? (await papers.search(parseQuery(subscription.topic).query, { limit: 1 })).termWeights
        : undefined;
    // The words the learnt signal relates to the topic, as the digest read them.
    const signal = papers as Partial<TopicSignal>;
    const related = signal.relatedTerms
      ? (await signal.relatedTerms(subscription.topic, RELATED_WORDS)).map(({ term }) => term)
      : undefined;
    const why = await explainPick(
      subscription.topic,
      paper,
      await store.feedbackIn(where),
      papers,
      termWeights,
      related,
    );
    return whyThisMessage(why);
  }
}
