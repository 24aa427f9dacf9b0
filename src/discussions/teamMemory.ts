import type { Sighting } from './discussion.js';

/** Who sees an answer: its channel, and whether they can see another one (bot/discussionNotes' Audience fits). */
export interface Viewer {
  /** Where the answer is shown: sightings there are always visible. */
  channel: string;
  /** Whether everyone who sees the answer can see `channel` (asked for other channels only). */
  canSee(channel: string): Promise<boolean>;
}

/**
 * The sightings (or anything said in a channel) the viewer may know of: those in their channel, and in the channels they can see
 * (asked once per channel; a channel that cannot be told counts as not visible).
 */
export async function visibleTo<T extends Pick<Sighting, 'channel'>>(
  sightings: readonly T[],
  viewer: Viewer,
): Promise<T[]> {
  const answers = new Map<string, Promise<boolean>>();
  const canSee = (channel: string) => {
    if (channel === viewer.channel) return Promise.resolve(true);
    let answer = answers.get(channel);
    if (!answer) {
      answer = viewer.canSee(channel).catch(() => false);
      answers.set(channel, answer);
    }
    return answer;
  };
  const visible = await Promise.all(sightings.map((s) => canSee(s.channel)));
  return sightings.filter((_, i) => visible[i]);
}

/** A person who shared or discussed papers: how many, in how many threads, and their liveliest thread. */
export interface Person {
  /** A Slack user id. */
  user: string;
  papers: number;
  threads: number;
  /** The thread to open: the one with the most replies, then the newest. */
  thread: Sighting;
}

/**
 * The people behind these sightings, strongest first: most papers, then most threads, then the
 * most recent. Only what a person did counts (a link they posted, a card they shared, a question
 * they asked paperbot); digests are nobody's, and the `unnamed` are never named.
 */
export function peopleOf(sightings: readonly Sighting[], unnamed: ReadonlySet<string>): Person[] {
  const byUser = new Map<
    string,
    { papers: Set<string>; threads: Set<string>; thread: Sighting; last: string }
  >();
  for (const s of sightings) {
    if (s.user === undefined || s.kind === 'digest' || unnamed.has(s.user)) continue;
    const thread = `${s.channel}\u0000${s.threadTs}`;
    const known = byUser.get(s.user);
    if (!known) {
      byUser.set(s.user, { papers: new Set([s.paperId]), threads: new Set([thread]), thread: s, last: s.at });
      continue;
    }
    known.papers.add(s.paperId);
    known.threads.add(thread);
    if (livelier(s, known.thread)) known.thread = s;
    if (Date.parse(s.at) > Date.parse(known.last)) known.last = s.at;
  }
  return [...byUser.entries()]
    .sort(
      ([, a], [, b]) =>
        b.papers.size - a.papers.size ||
        b.threads.size - a.threads.size ||
        Date.parse(b.last) - Date.parse(a.last),
    )
    .map(([user, p]) => ({ user, papers: p.papers.size, threads: p.threads.size, thread: p.thread }));
}

/** Whether a thread is a better one to open: more replies, then a permalink, then newer. */
function livelier(a: Sighting, b: Sighting): boolean {
  const replies = (a.replyCount ?? 0) - (b.replyCount ?? 0);
  if (replies !== 0) return replies > 0;
  if (Boolean(a.permalink) !== Boolean(b.permalink)) return Boolean(a.permalink);
  return Date.parse(a.at) > Date.parse(b.at);
}
