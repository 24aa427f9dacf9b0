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
 * test/eval/digest-labels.json by leave-one-topic-out cross-validation
 * (test/bench/aboutnessCv.ts): `strict` is the bar of the best F1 there, `broad` the highest with
 * a recall of at least 0.75. Each set of {@link WEIGHTS} is scaled so that its bars are these.
 */
export const PASS_MARK: Readonly<Record<Strictness, number>> = { strict: 2, broad: 1 };

/** How many of the words the learnt signal relates to a topic a digest reads (see {@link TopicJudge}). */
export const RELATED_WORDS = 50;

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
  /**
   * The share (0-1) of the paper's words, the topic's own left out, that are among the words the
   * learnt signal relates to the topic (what papers on it say besides its name); absent when the
   * judge has no such words.
   */
  related?: number;
}

/** A paper's aboutness for a topic: the evidence, and the score it adds up to. */
export interface Aboutness {
  evidence: AboutnessEvidence;
  /** Higher is more about the topic; compare with {@link PASS_MARK}. */
  score: number;
}

/**
 * Weights of the evidence, fitted by a class-balanced logistic regression on the search's matches
 * for the tune topics of test/eval/digest-labels.json (test/bench/aboutnessCv.ts), and scaled so
 * that {@link PASS_MARK} is each strictness's bar. `match` is the log of the search's score over
 * its relevance floor; `lead` the log of that score over the best of the same day's arrivals (a
 * day's strongest matches are likelier its papers on the topic). `phraseInTitle` adds to `title`
 * and `phrase`, which a title phrase also counts in. Without the learnt signal's related words
 * (before it is first trained) the judge uses the weights fitted without them.
 */
const WEIGHTS = {
  withSignal: {
    bias: -0.545,
    phraseInTitle: 0.373,
    phrase: 0.997,
    title: 0.988,
    opening: 0.222,
    sentences: 0.43,
    spread: 0.643,
    every: 0.221,
    onlyInLists: -0.75,
    match: 0.526,
    lead: 0.588,
    related: 5.696,
  },
  withoutSignal: {
    bias: 0.019,
    phraseInTitle: 0.558,
    phrase: 1.221,
    title: 1.182,
    opening: 0.151,
    sentences: 0.301,
    spread: 1.361,
    every: 0.169,
    onlyInLists: -0.958,
    match: 1.055,
    lead: 0.784,
    related: 0,
  },
} as const;

/** What the index knows of a topic besides its words (see {@link TopicJudge}). */
export interface TopicContext {
  /** The index terms the learnt signal relates to the topic (`Library.relatedTerms`), strongest first. */
  related?: readonly string[];
}

type Weights = (typeof WEIGHTS)[keyof typeof WEIGHTS];

/** A sentence ends at `.`, `!` or `?` followed by a space and a capital, a digit or a quote. */
const SENTENCE_END = /(?<=[.!?])\s+(?=[A-Z0-9"(])/;

/** Words that make a topic in their sentence an example or a point of comparison rather than the subject. */
const LIST_CUE =
  /\b(?:such as|e\.g\.|including|like|compared (?:with|to)|than|versus|vs\.?|outperform\w*|beyond|baselines?)\b/i;

/**
 * A paper's title and abstract read once, whatever the topic: each word's index term, and the
 * words that may be an acronym or a coined name. Its texts are numbered: 0 for the title, then the
 * abstract's sentences from 1.
 */
interface ReadPaper {
  /** Every word's term (null for a stop word), text after text. */
  terms: (string | null)[];
  /** Where each text starts in `terms`, and where the last ends. */
  starts: number[];
  /** Words with two capitals or more, or coined names in mixed case, in reading order. */
  named: NamedWord[];
  /** Per text: it has a word that makes a topic an example or a comparison ({@link LIST_CUE}). */
  listCue: boolean[];
}

interface NamedWord {
  text: number;
  parts: NamedPart[];
}

interface NamedPart {
  /** The part as written. */
  written: string;
  /** The part in capitals, when it has two capitals or more (it may be an acronym); else null. */
  upper: string | null;
  /** For a part of a coined name (not the whole word) of three letters or more: lower-cased, and its term. */
  coined?: { lower: string; stem: string | null };
}

/**
 * Papers already read, by paper object: digests of many topics judge the same new papers, and a
 * paper stays a candidate day after day until posted. Weak, so that a paper the corpus lets go is
 * forgotten with it.
 */
const readPapers = new WeakMap<object, ReadPaper>();

function readPaper(paper: Pick<Paper, 'title' | 'abstract'>): ReadPaper {
  const known = readPapers.get(paper);
  if (known) return known;
  const texts = [paper.title, ...paper.abstract.split(SENTENCE_END).filter((s) => s.trim().length > 0)];
  const read: ReadPaper = { terms: [], starts: [], named: [], listCue: [] };
  texts.forEach((text, at) => {
    read.starts.push(read.terms.length);
    read.listCue.push(LIST_CUE.test(text));
    for (const word of tokenize(text)) {
      read.terms.push(processTerm(word));
      if (!MAYBE_NAMED.test(word)) continue;
      read.named.push({
        text: at,
        parts: namedParts(word).map((part) => {
          const upper = TWO_CAPITALS.test(part) ? part.toUpperCase() : null;
          if (part === word || part.length < 3) return { written: part, upper };
          const lower = part.toLowerCase();
          return { written: part, upper, coined: { lower, stem: processTerm(lower) } };
        }),
      });
    }
  });
  read.starts.push(read.terms.length);
  readPapers.set(paper, read);
  return read;
}

const TWO_CAPITALS = /[A-Z].*[A-Z]/;
/** A word that may be an acronym or a coined name: two capitals, or a capital after a small letter. */
const MAYBE_NAMED = /[A-Z].*[A-Z]|[a-z][A-Z]/;

/** Topics of more terms than this are judged on their first ones (a bit each in a 32-bit mask). */
const MAX_TOPIC_TERMS = 30;

/** A topic, prepared once for judging many papers. */
export class TopicJudge {
  private readonly terms: string[];
  private readonly acronyms: Set<string>;
  private readonly weights: number[];
  private readonly total: number;
  private readonly all: number;
  private readonly keyBit: number;
  private readonly related: ReadonlySet<string> | undefined;
  private readonly w: Weights;

  /**
   * `termWeights` gives each stemmed topic term its weight (the search's idf); a term without one
   * weighs 1. Rare words tell more about a paper's subject than common ones ("memory" more than
   * "agents" in "agent memory"). `context.related` are the strongest {@link RELATED_WORDS} index
   * terms the learnt signal relates to the topic (none before it is trained).
   */
  constructor(
    readonly topic: string,
    termWeights: Readonly<Record<string, number>> = {},
    { related = [] }: TopicContext = {},
  ) {
    this.terms = [...new Set(termsOf(topic))].slice(0, MAX_TOPIC_TERMS);
    this.acronyms = acronymsOf(topic);
    this.weights = this.terms.map((term) => termWeights[term] ?? 1);
    this.total = this.weights.reduce((sum, weight) => sum + weight, 0);
    this.all = (1 << this.terms.length) - 1;
    let key = 0;
    this.weights.forEach((weight, i) => {
      if (weight > (this.weights[key] as number)) key = i;
    });
    this.keyBit = this.terms.length ? 1 << key : 0;
    const own = new Set(this.terms);
    const words = related.filter((term) => !own.has(term));
    this.related = words.length ? new Set(words) : undefined;
    this.w = this.related ? WEIGHTS.withSignal : WEIGHTS.withoutSignal;
  }

  /** The evidence a paper's title and abstract give that it is about the topic. */
  evidence(paper: Pick<Paper, 'title' | 'abstract'>): AboutnessEvidence {
    const read = readPaper(paper);
    const texts = read.starts.length - 1;
    // Per text: the topic's terms it has (a bit each), the acronym it uses, and whether the terms
    // stand together.
    const found = new Array<number>(texts).fill(0);
    const acronyms = new Array<string | undefined>(texts);
    const together = new Array<boolean>(texts).fill(false);
    const count = this.terms.length;
    const span = count + 2;
    for (let at = 0; at < texts; at++) {
      const end = read.starts[at + 1] as number;
      let bits = 0;
      for (let w = read.starts[at] as number; w < end; w++) {
        const term = read.terms[w];
        if (term === null) continue;
        for (let i = 0; i < count; i++) {
          if (term !== this.terms[i]) continue;
          bits |= 1 << i;
          // A topic term starts a window: are all of them in it?
          if (together[at]) break;
          let seen = 0;
          for (let v = w; v < Math.min(end, w + span); v++) {
            const other = read.terms[v];
            for (let j = 0; j < count; j++) if (other === this.terms[j]) seen |= 1 << j;
          }
          if (seen === this.all) together[at] = true;
          break;
        }
      }
      found[at] = bits;
    }
    for (const { text, parts } of read.named)
      for (const part of parts) {
        if (part.upper !== null && this.isAcronym(part.upper)) {
          acronyms[text] ??= part.written;
          continue;
        }
        if (!part.coined) continue;
        const { lower, stem } = part.coined;
        this.terms.forEach((term, i) => {
          if (term.startsWith(lower) || stem === term) found[text] = (found[text] as number) | (1 << i);
        });
      }
    const share = (at: number) => (acronyms[at] ? 1 : this.shareOf(found[at] as number));
    const phrase = (at: number) => acronyms[at] !== undefined || (together[at] as boolean);
    const sentences = texts - 1;
    let whole = 0;
    let about = 0;
    let spread = 0;
    let opening = 0;
    let full = 0;
    let fullInLists = 0;
    for (let at = 1; at < texts; at++) {
      const shared = share(at);
      spread += shared;
      if (at <= 2) opening = Math.max(opening, shared);
      if (acronyms[at] || (found[at] as number) & this.keyBit) about++;
      if (shared >= 0.99) {
        full++;
        if (read.listCue[at]) fullInLists++;
      }
    }
    for (const bits of found) whole |= bits;
    let related: number | undefined;
    if (this.related) {
      const own = new Set(this.terms);
      let words = 0;
      let shared = 0;
      for (const term of read.terms) {
        if (term === null || own.has(term)) continue;
        words++;
        if (this.related.has(term)) shared++;
      }
      related = words ? shared / words : 0;
    }
    const acronym = acronyms.find((written) => written !== undefined);
    const title = share(0);
    const phraseInTitle = phrase(0);
    let anyPhrase = phraseInTitle;
    for (let at = 1; at < texts && !anyPhrase; at++) anyPhrase = phrase(at);
    return {
      title,
      opening,
      sentences: { about, of: sentences },
      spread: sentences ? spread / sentences : 0,
      every: acronym !== undefined || this.shareOf(whole) >= 0.99,
      phraseInTitle,
      phrase: anyPhrase,
      ...(acronym ? { acronym } : {}),
      onlyInLists: full > 0 && title < 0.99 && fullInLists === full,
      ...(related === undefined ? {} : { related }),
    };
  }

  /**
   * The paper's aboutness; `match` is the search's score over its relevance floor (1 at the floor),
   * so that what the ranking knows (how often, how rare, how short the abstract) counts too, and
   * `lead` that score over the best score of the papers that arrived the same day (1 for the best).
   */
  judge(paper: Pick<Paper, 'title' | 'abstract'>, match: number, lead = 1): Aboutness {
    const evidence = this.evidence(paper);
    const w = this.w;
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
      w.related * (evidence.related ?? 0) +
      this.strength(match, lead);
    return { evidence, score };
  }

  /**
   * The highest score a paper with this search match could reach, whatever its text says: a
   * digest reads only the papers that could pass (most of a topic's matches share a word or two).
   */
  bestPossible(match: number, lead = 1): number {
    const w = this.w;
    // Every evidence but the list mark is between 0 and 1: at best, those weighing for count fully.
    const positive = [
      w.phraseInTitle,
      w.phrase,
      w.title,
      w.opening,
      w.sentences,
      w.spread,
      w.every,
      w.related,
    ].reduce<number>((sum, weight) => sum + Math.max(weight, 0), 0);
    return w.bias + positive + this.strength(match, lead);
  }

  /** What the search's score adds: over the floor, and over the day's best. */
  private strength(match: number, lead: number): number {
    const w = this.w;
    return w.match * Math.log(Math.max(match, 0.05)) + w.lead * Math.log(Math.max(Math.min(lead, 1), 0.01));
  }

  /** The weighted share of the topic's terms among those found (a bit each). */
  private shareOf(found: number): number {
    if (this.total === 0) return 0;
    let weight = 0;
    for (let i = 0; i < this.terms.length; i++) if (found & (1 << i)) weight += this.weights[i] as number;
    return weight / this.total;
  }

  /** A part in capitals that is one of the topic's acronyms (a final plural `s` allowed). */
  private isAcronym(upper: string): boolean {
    if (this.acronyms.size === 0) return false;
    return this.acronyms.has(upper) || (upper.endsWith('S') && this.acronyms.has(upper.slice(0, -1)));
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

/**
 * The acronyms a topic may go by: the initials of its words, with and without the small words and
 * the last word ("vision-language-action models" → VLAM, VLA; "mixture of experts" → MOE, ME).
 * Only those of three letters or more (two letters name too many things), and of two words or
 * more, but for a topic of one word.
 */
export function acronymsOf(topic: string): Set<string> {
  const words = tokenize(topic);
  const content = words.filter((w) => !STOP_WORDS.has(w.toLowerCase()));
  const found = new Set<string>();
  for (const list of [words, content, words.slice(0, -1), content.slice(0, -1)]) {
    // Initials of one word are that word: "LLM" is not "LLM quantization".
    if (list.length < 2 && list !== words) continue;
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
  if (evidence.related !== undefined && evidence.related >= 0.05)
    said.push(`${Math.round(evidence.related * 100)}% of its other words are ones papers on the topic use`);
  if (evidence.onlyInLists) said.push('but the abstract names the topic only in a list or comparison');
  else if (!evidence.every) said.push('but not every word of the topic is in it');
  return said;
}
