import type { Paper } from '../papers/paper.js';
import { parseQuery } from '../search/query.js';
import { processTerm, termsOf, tokenize } from '../search/text.js';
import { describeEvidence, TopicJudge } from './aboutness.js';
import { ChannelTaste, type Resemblance } from './digest.js';
import type { Vote } from './subscription.js';

/** Where the taste finds papers: the library (asynchronous: the index may live in a worker). */
export interface PaperLookup {
  get(id: string): Paper | undefined | Promise<Paper | undefined>;
}

/** A word of the taste and its weight (title words count three times, a 👎 subtracts). */
export interface WeightedWord {
  word: string;
  weight: number;
}

/** What a channel's 👍 / 👎 taught it. */
export interface TasteView {
  /** Votes in all (papers that left the corpus included). */
  votes: number;
  liked: Paper[];
  disliked: Paper[];
  /** The words that weigh most for papers, heaviest first. */
  heaviest: WeightedWord[];
  /** The words that weigh most against papers, most negative first. */
  against: WeightedWord[];
}

/** Why a digest picked a paper. */
export interface PickExplanation {
  paper: Paper;
  topic: string;
  /** The topic's words (as typed) that the paper has. */
  matchedWords: string[];
  /** The liked paper it resembles most, if any. */
  liked: Resemblance;
  /** The disliked paper it resembles most, if any. */
  disliked: Resemblance;
  /** With the votes as they are now, digests of the topic leave it out. */
  belowFloor: boolean;
  /** What in its title and abstract makes it about the topic, in words (see {@link describeEvidence}). */
  about: string[];
}

const TITLE_WEIGHT = 3;

/**
 * Words of abstracts' grammar that the index keeps (they are searchable) but that say nothing
 * about a taste; and roman numerals of titles' parts ("Part II").
 */
const NOT_TASTE = new Set(
  `however without within while whereas thus therefore moreover furthermore although though yet still
  often also further new novel existing recent recently approach approaches method methods result results
  work works study studies first second third one two three ii iii iv vi many several various different
  well able significantly significant particular particularly especially e g i e`
    .split(/\s+/)
    .filter(Boolean),
);

/** The voted papers still in the corpus. */
async function votedPapers(
  votes: Readonly<Record<string, Vote>>,
  papers: PaperLookup,
): Promise<Map<string, Paper>> {
  const found = new Map<string, Paper>();
  for (const id of Object.keys(votes)) {
    const paper = await papers.get(id);
    if (paper) found.set(id, paper);
  }
  return found;
}

/** A channel's taste, for people to read: the papers it liked and disliked, and the words that weigh most. */
export async function describeTaste(
  votes: Readonly<Record<string, Vote>>,
  papers: PaperLookup,
  wordsShown = 8,
): Promise<TasteView> {
  const voted = await votedPapers(votes, papers);
  const liked = [...voted.values()].filter((p) => votes[p.id] === 'like');
  const disliked = [...voted.values()].filter((p) => votes[p.id] === 'dislike');
  const weights = new Map<string, number>();
  // Each stem is shown as the spelling met most often ("ensembles" rather than "ensembl").
  const spellings = new Map<string, Map<string, number>>();
  const count = (paper: Paper, sign: number) => {
    const add = (text: string, weight: number) => {
      for (const word of tokenize(text)) {
        const term = processTerm(word);
        if (!term || /^\d+$/.test(term) || word.length < 3 || NOT_TASTE.has(word.toLowerCase())) continue;
        weights.set(term, (weights.get(term) ?? 0) + sign * weight);
        const forms = spellings.get(term) ?? new Map<string, number>();
        const lower = word.toLowerCase();
        forms.set(lower, (forms.get(lower) ?? 0) + 1);
        spellings.set(term, forms);
      }
    };
    add(paper.title, TITLE_WEIGHT);
    add(paper.abstract.slice(0, 600), 1);
  };
  for (const paper of liked) count(paper, 1);
  for (const paper of disliked) count(paper, -1);
  const spelled = (term: string) =>
    [...(spellings.get(term) ?? new Map([[term, 1]]))].sort(
      (a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1),
    )[0]?.[0] ?? term;
  const all = [...weights].map(([term, weight]) => ({ word: spelled(term), weight }));
  const byWord = (a: WeightedWord, b: WeightedWord) => (a.word < b.word ? -1 : a.word > b.word ? 1 : 0);
  return {
    votes: Object.keys(votes).length,
    liked,
    disliked,
    heaviest: all
      .filter((w) => w.weight > 0)
      .sort((a, b) => b.weight - a.weight || byWord(a, b))
      .slice(0, wordsShown),
    against: all
      .filter((w) => w.weight < 0)
      .sort((a, b) => a.weight - b.weight || byWord(a, b))
      .slice(0, wordsShown),
  };
}

/**
 * Why a subscription's digest picked `paper`: the topic's words it has, the evidence that it is
 * about the topic (`termWeights` and `related` as for {@link TopicJudge}), and the voted papers it
 * resembles.
 */
export async function explainPick(
  topic: string,
  paper: Paper,
  votes: Readonly<Record<string, Vote>>,
  papers: PaperLookup,
  termWeights?: Readonly<Record<string, number>>,
  related?: readonly string[],
): Promise<PickExplanation> {
  const { query } = parseQuery(topic);
  const terms = new Set(termsOf(`${paper.title} ${paper.abstract} ${(paper.aiKeywords ?? []).join(' ')}`));
  const typed = [...query.words, ...query.phrases.flatMap((phrase) => tokenize(phrase))];
  const matchedWords = [
    ...new Set(typed.filter((word) => terms.has(processTerm(word) ?? '\u0000')).map((w) => w.toLowerCase())),
  ];
  const taste = await ChannelTaste.of(votes, papers);
  const { liked, disliked } = taste.resemblance(paper);
  const belowFloor = taste.rejects(paper, new Set(termsOf(topic)));
  const about = describeEvidence(
    new TopicJudge(topic, termWeights, { related: related ?? [] }).evidence(paper),
  );
  return { paper, topic, matchedWords, liked, disliked, belowFloor, about };
}
