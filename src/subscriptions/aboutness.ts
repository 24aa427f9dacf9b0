import type { Paper } from '../papers/paper.js';
import { processTerm, STOP_WORDS, termsOf, tokenize } from '../search/text.js';

/**
 * How sure a subscription must be that a paper is about its topic before posting it: `strict`
 * posts papers whose subject the topic plainly is; `broad` also those where it is one strong
 * thread among others (more of the topic's papers, more off-topic ones).
 */
export const STRICTNESS = ['strict', 'broad'] as const;
export type Strictness = (typeof STRICTNESS)[number];

/** What each strictness posts, in a sentence for people. */
export const STRICTNESS_MEANING: Readonly<Record<Strictness, string>> = {
  strict: 'digests post papers whose subject is the topic.',
  broad:
    'digests also post papers where the topic is one strong thread among others (more papers, some off-topic).',
};

/** The strictness of a subscription that never chose one. */
export const DEFAULT_STRICTNESS: Strictness = 'strict';

/**
 * The score a paper needs for each strictness. Chosen on the tune topics of
 * test/eval/digest-labels.json (`npm run eval -- --sets digests`): `strict` is the bar of the best
 * F1 there (precision 0.85, recall 0.62), `broad` the highest with a recall of at least 0.75.
 */
export const PASS_MARK: Readonly<Record<Strictness, number>> = { strict: 2, broad: 1 };

/** What a reader checks to tell whether a paper is about a topic, read from its title and abstract. */
export interface AboutnessEvidence {
  /** The share (0-1, weighted by how rare each word is) of the topic's words in the title. */
  title: number;
  /** The same for the abstract's first two sentences (the best of the two). */
  opening: number;
  /** Abstract sentences that have the topic's rarest word (or its acronym), and all sentences. */
  sentences: { about: number; of: number };
  /** The mean share of the topic's words over the abstract's sentences. */
  spread: number;
  /** The paper has every topic word (or the acronym) somewhere. */
  every: boolean;
  /** The topic's words stand together (as a phrase, within a word or two) in the title. */
  phraseInTitle: boolean;
  /** … somewhere in the title or abstract. */
  phrase: boolean;
  /** The acronym of the topic the paper uses (`VLA` for "vision-language-action models"), if any. */
  acronym?: string;
  /** Every sentence with the whole topic names it in a list or a comparison ("such as X", "than X"). */
  onlyInLists: boolean;
}

/** A paper's aboutness for a topic: the evidence, and the score it adds up to. */
export interface Aboutness {
  evidence: AboutnessEvidence;
  /** Higher is more about the topic; compare with {@link PASS_MARK}. */
  score: number;
}

/**
 * Weights of the evidence, fitted by a class-balanced logistic regression on the search's top
 * matches for the tune topics of test/eval/digest-labels.json (the match strength enters as the log
 * of the score over the relevance floor). `phraseInTitle` is negative only because a title phrase
 * already counts in both `title` and `phrase`: together they still add 1.3.
 */
const WEIGHTS = {
  bias: -0.02,
  phraseInTitle: -0.26,
  phrase: 0.7,
  title: 0.9,
  opening: 0.35,
  sentences: 0.38,
  spread: 0.43,
  every: 0.41,
  onlyInLists: -0.23,
  match: 2.3,
} as const;

/** A sentence ends at `.`, `!` or `?` followed by a space and a capital, a digit or a quote. */
const SENTENCE_END = /(?<=[.!?])\s+(?=[A-Z0-9"(])/;

/** Words that make a topic in their sentence an example or a point of comparison rather than the subject. */
const LIST_CUE =
  /\b(?:such as|e\.g\.|including|like|compared (?:with|to)|than|versus|vs\.?|outperform\w*|beyond|baselines?)\b/i;

/** Stands for the topic's acronym among a text's terms. */
const ACRONYM = '\u0001';

/** A topic, prepared once for judging many papers. */
export class TopicJudge {
  private readonly terms: string[];
  private readonly acronyms: Set<string>;
  private readonly weight: (term: string) => number;
  private readonly total: number;
  private readonly key: string;

  /**
   * `termWeights` gives each stemmed topic term its weight (the search's idf); a term without one
   * weighs 1. Rare words tell more about a paper's subject than common ones ("memory" more than
   * "agents" in "agent memory").
   */
  constructor(
    readonly topic: string,
    termWeights: Readonly<Record<string, number>> = {},
  ) {
    this.terms = [...new Set(termsOf(topic))];
    this.acronyms = acronymsOf(topic);
    this.weight = (term) => termWeights[term] ?? 1;
    this.total = this.terms.reduce((sum, term) => sum + this.weight(term), 0);
    this.key = this.terms.reduce(
      (best, term) => (this.weight(term) > this.weight(best) ? term : best),
      this.terms[0] ?? '',
    );
  }

  /** The evidence a paper's title and abstract give that it is about the topic. */
  evidence(paper: Pick<Paper, 'title' | 'abstract'>): AboutnessEvidence {
    const sentences = paper.abstract.split(SENTENCE_END).filter((s) => s.trim().length > 0);
    const read = sentences.map((text) => ({ text, ...this.read(text) }));
    const title = this.read(paper.title);
    const whole = this.share(new Set([...title.terms, ...read.flatMap((s) => [...s.terms])]));
    const full = read.filter((s) => this.share(s.terms) >= 0.99);
    const acronym = [title, ...read].find((s) => s.acronym)?.acronym;
    return {
      title: this.share(title.terms),
      opening: Math.max(0, ...read.slice(0, 2).map((s) => this.share(s.terms))),
      sentences: {
        about: read.filter((s) => s.terms.has(this.key) || s.terms.has(ACRONYM)).length,
        of: sentences.length,
      },
      spread: read.length ? read.reduce((sum, s) => sum + this.share(s.terms), 0) / read.length : 0,
      every: whole >= 0.99,
      phraseInTitle: title.phrase,
      phrase: title.phrase || read.some((s) => s.phrase),
      ...(acronym ? { acronym } : {}),
      onlyInLists:
        full.length > 0 && this.share(title.terms) < 0.99 && full.every((s) => LIST_CUE.test(s.text)),
    };
  }

  /**
   * The paper's aboutness; `match` is the search's score over its relevance floor (1 at the floor),
   * so that what the ranking knows (how often, how rare, how short the abstract) counts too.
   */
  judge(paper: Pick<Paper, 'title' | 'abstract'>, match: number): Aboutness {
    const evidence = this.evidence(paper);
    const w = WEIGHTS;
    const score =
      w.bias +
      w.phraseInTitle * Number(evidence.phraseInTitle) +
      w.phrase * Number(evidence.phrase) +
      w.title * evidence.title +
      w.opening * evidence.opening +
      w.sentences * (evidence.sentences.of ? evidence.sentences.about / evidence.sentences.of : 0) +
      w.spread * evidence.spread +
      w.every * Number(evidence.every) +
      w.onlyInLists * Number(evidence.onlyInLists) +
      w.match * Math.log(Math.max(match, 0.05));
    return { evidence, score };
  }

  /**
   * The highest score a paper with this search match could reach, whatever its text says: a
   * digest reads only the papers that could pass (most of a topic's matches share a word or two).
   */
  bestPossible(match: number): number {
    const w = WEIGHTS;
    const positive = w.phrase + w.title + w.opening + w.sentences + w.spread + w.every;
    return w.bias + positive + w.match * Math.log(Math.max(match, 0.05));
  }

  /** The weighted share of the topic's terms among `terms` (all of them when the acronym is there). */
  private share(terms: ReadonlySet<string>): number {
    if (terms.has(ACRONYM)) return 1;
    if (this.total === 0) return 0;
    let found = 0;
    for (const term of this.terms) if (terms.has(term)) found += this.weight(term);
    return found / this.total;
  }

  /**
   * A text's terms as they bear on the topic: its index terms, {@link ACRONYM} for the topic's
   * acronym, and the topic terms that parts of coined names abbreviate ("Mem" of `MemHarness` for
   * "memory", "VLA" of `TurboVLA`); and whether the topic's terms stand together in it.
   */
  private read(text: string): { terms: Set<string>; phrase: boolean; acronym?: string } {
    const terms = new Set<string>();
    const sequence: string[] = [];
    let acronym: string | undefined;
    for (const word of tokenize(text)) {
      const term = processTerm(word);
      if (term) terms.add(term);
      let mark = term ?? '';
      for (const part of namedParts(word)) {
        if (isAcronymOf(part, this.acronyms)) {
          terms.add(ACRONYM);
          acronym ??= part;
          mark = ACRONYM;
          continue;
        }
        if (part === word || part.length < 3) continue;
        const lower = part.toLowerCase();
        const stem = processTerm(lower);
        for (const t of this.terms) if (t.startsWith(lower) || stem === t) terms.add(t);
      }
      sequence.push(mark);
    }
    return { terms, phrase: this.together(sequence), ...(acronym ? { acronym } : {}) };
  }

  /** Whether all topic terms (or the acronym) occur within a window of the topic's length plus two. */
  private together(sequence: string[]): boolean {
    if (sequence.includes(ACRONYM)) return true;
    if (this.terms.length === 0) return false;
    const span = this.terms.length + 2;
    for (let i = 0; i < sequence.length; i++) {
      if (!this.terms.includes(sequence[i] as string)) continue;
      const window = new Set(sequence.slice(i, i + span));
      if (this.terms.every((term) => window.has(term))) return true;
    }
    return false;
  }
}

/**
 * A word and, for a coined name in mixed case, its parts ("TurboVLA" → Turbo, VLA; "MemHarness" →
 * Mem, Harness).
 */
function namedParts(word: string): string[] {
  if (!/[a-z][A-Z]|[A-Z]{2}[a-z]/.test(word)) return [word];
  return [word, ...(word.match(/[A-Z]{2,}(?=[A-Z][a-z]|$|[0-9])|[A-Z]?[a-z]+|[A-Z]+/g) ?? [])];
}

/** A word written as one of the acronyms (at least two capitals; a final plural `s` allowed). */
function isAcronymOf(word: string, acronyms: ReadonlySet<string>): boolean {
  if (acronyms.size === 0 || !/[A-Z].*[A-Z]/.test(word)) return false;
  const upper = word.toUpperCase();
  return acronyms.has(upper) || (upper.endsWith('S') && acronyms.has(upper.slice(0, -1)));
}

/**
 * The acronyms a topic may go by: the initials of its words, with and without the small words and
 * the last word ("vision-language-action models" → VLAM, VLA; "mixture of experts" → MOE, ME).
 * Only those of three letters or more: two letters name too many things.
 */
export function acronymsOf(topic: string): Set<string> {
  const words = tokenize(topic);
  const content = words.filter((w) => !STOP_WORDS.has(w.toLowerCase()));
  const found = new Set<string>();
  for (const list of [words, content, words.slice(0, -1), content.slice(0, -1)]) {
    const initials = list
      .map((w) => (/^[A-Z0-9]+$/.test(w) && w.length <= 4 ? w : (w[0] ?? '')))
      .join('')
      .toUpperCase();
    if (initials.length >= 3) found.add(initials);
  }
  return found;
}

/** The evidence in words, for *Why this?*: what made the paper count as about its topic. */
export function describeEvidence(evidence: AboutnessEvidence): string[] {
  const said: string[] = [];
  if (evidence.title >= 0.99) said.push('the topic is in its title');
  else if (evidence.title > 0) said.push('part of the topic is in its title');
  if (evidence.acronym) said.push(`it uses the topic's acronym ${evidence.acronym}`);
  if (evidence.opening >= 0.99) said.push('its abstract opens on the topic');
  const { about, of } = evidence.sentences;
  // A one-sentence abstract is all opening.
  if (of > 1 && about === of) said.push('every sentence of its abstract concerns it');
  else if (of > 1 && about > 0) said.push(`${about} of its ${of} abstract sentences concern it`);
  if (evidence.onlyInLists) said.push('but the abstract names the topic only in a list or comparison');
  else if (!evidence.every) said.push('but not every word of the topic is in it');
  return said;
}
