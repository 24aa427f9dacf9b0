import type { Paper } from '../papers/paper.js';
import type { PaperSearch, SearchHit } from '../search/paperSearch.js';
import { parseQuery } from '../search/query.js';
import { termsOf } from '../search/text.js';
import type { Subscription } from './subscription.js';

/** Papers in one digest at most. */
export const DIGEST_SIZE = 5;

/** Strong matches considered per digest before the channel's taste orders them. */
const CANDIDATES = 200;

/** A digest: the papers to post, and whether matching papers were left for a later digest. */
export interface Digest {
  hits: SearchHit[];
  /** More papers matched than one digest holds. */
  overflow: boolean;
}

/**
 * The papers a subscription's next digest posts: strong matches of its topic (the ranking and
 * relevance floor of `/paper`), arrived after its `papersSince` (every match, for a first digest or
 * a preview), not yet posted in its channel, newest arrival first (after the channel's taste, when
 * it has one), at most `limit`. Arrival and what was posted are filters inside the search, so a new
 * paper is never crowded out by older or already posted ones. Pure: the caller posts and records.
 */
export async function selectDigest(
  subscription: Pick<Subscription, 'topic' | 'papersSince'>,
  index: PaperSearch,
  posted: Readonly<Record<string, string>>,
  limit = DIGEST_SIZE,
  taste?: ChannelTaste,
  patient = false,
): Promise<Digest> {
  const { query } = parseQuery(subscription.topic);
  const since = subscription.papersSince;
  const results = await index.search(query, {
    limit: CANDIDATES,
    excludeIds: Object.keys(posted),
    patient,
    ...(since === undefined ? {} : { arrivedAfter: since }),
  });
  const ordered = results.hits
    .slice(0, results.strong)
    .map((hit) => ({ hit, affinity: taste ? taste.affinity(hit.paper) : 0 }))
    // The channel's taste first (papers like its 👍 up, like its 👎 down), then newest first.
    .sort(
      (a, b) =>
        b.affinity - a.affinity ||
        (a.hit.paper.arrivedAt === b.hit.paper.arrivedAt
          ? b.hit.score - a.hit.score
          : a.hit.paper.arrivedAt < b.hit.paper.arrivedAt
            ? 1
            : -1),
    )
    .map(({ hit }) => hit);
  return { hits: ordered.slice(0, limit), overflow: results.strong > limit };
}

/**
 * What a channel's 👍 / 👎 say about a paper: how much it resembles a liked paper minus how much it
 * resembles a disliked one (the largest Jaccard overlap of title and abstract-opening terms, in
 * steps of 0.1 so that a faint resemblance does not reorder papers).
 */
export class ChannelTaste {
  private constructor(
    private readonly liked: Set<string>[],
    private readonly disliked: Set<string>[],
  ) {}

  /** The taste of a channel's votes (paper id → vote), from the voted papers still in the corpus. */
  static async of(
    votes: Readonly<Record<string, 'like' | 'dislike'>>,
    index: PaperSearch,
  ): Promise<ChannelTaste> {
    const profile = async (vote: 'like' | 'dislike') =>
      (
        await Promise.all(
          Object.entries(votes)
            .filter(([, v]) => v === vote)
            .map(([id]) => index.get(id)),
        )
      )
        .filter((paper): paper is Paper => paper !== undefined)
        .map(profileTerms);
    return new ChannelTaste(await profile('like'), await profile('dislike'));
  }

  /** True when the channel has voted on no paper still in the corpus. */
  get isEmpty(): boolean {
    return this.liked.length === 0 && this.disliked.length === 0;
  }

  affinity(paper: Paper): number {
    const terms = profileTerms(paper);
    const closest = (profiles: Set<string>[]) => Math.max(0, ...profiles.map((p) => jaccard(terms, p)));
    return Math.round((closest(this.liked) - closest(this.disliked)) * 10) / 10;
  }
}

function profileTerms(paper: Paper): Set<string> {
  return new Set(termsOf(`${paper.title} ${paper.abstract.slice(0, 600)}`));
}

function jaccard(a: Set<string>, b: Set<string>): number {
  let shared = 0;
  for (const term of a) if (b.has(term)) shared++;
  return shared / (a.size + b.size - shared || 1);
}

/** Where the window of the digest after this one starts (see {@link Subscription.papersSince}). */
export function nextPapersSince(
  subscription: Pick<Subscription, 'papersSince' | 'createdAt'>,
  digest: Digest,
  runAt: Date,
): string {
  if (!digest.overflow) return runAt.toISOString();
  // Left-over papers come next time; for a first digest only those that arrived after subscribing.
  return subscription.papersSince ?? subscription.createdAt;
}
