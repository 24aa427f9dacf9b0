import { type PackedStringData, PackedStrings, packStrings } from '../packedStrings.js';
import { termsOf } from './text.js';
import { Vocabulary } from './vocabulary.js';

/**
 * What the index needs to know about a document to search it: its text and the facts that filters
 * read. The index holds no Paper objects (they stay with the corpus, for rendering), so this is
 * all a search needs, and all a search worker would receive.
 */
export interface SearchDocument {
  id: string;
  title: string;
  abstract: string;
  authors: readonly string[];
  /** Key phrases (Hugging Face's model-written `ai_keywords`), searched as a field of their own. */
  keywords: readonly string[];
  /** When the paper entered the corpus (ISO timestamp). */
  arrivedAt: string;
  /** Publication day (`YYYY-MM-DD`), when known. */
  published?: string;
  hasCode: boolean;
}

/** The parts of a document's text, in the order its term sequence keeps them. */
export const SEGMENTS = ['title', 'abstract', 'authors', 'keywords'] as const;
export type Segment = (typeof SEGMENTS)[number];

/** What a snapshot keeps of a {@link DocumentTable}, by document number (the vocabulary is saved beside it). */
export interface SavedTable {
  /** Document `n`'s term ids are `sequenceTerms[sequenceStarts[n]…sequenceStarts[n + 1]]`. */
  sequenceStarts: Int32Array;
  sequenceTerms: Int32Array;
  /** Document `n`'s segment `s` has `segmentLengths[n * SEGMENTS.length + s]` terms. */
  segmentLengths: Int32Array;
  arrived: Float64Array;
  published: Int32Array;
  hasCode: Uint8Array;
  live: Uint8Array;
  /** Each document's author names, folded, one per line (see {@link DocumentTable.authors}). */
  authors: PackedStringData;
}

/** `published` of a document whose publication day is unknown. */
export const UNKNOWN_DAY = -2_147_483_648;

/** Days since 1970-01-01 of a `YYYY-MM-DD` day. */
export function dayNumber(day: string): number {
  return Math.floor(Date.parse(`${day}T00:00:00Z`) / 86_400_000);
}

/** A name as the `author:` filter compares it: accents and case folded, spaces collapsed. */
export function foldName(name: string): string {
  return name.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ').trim();
}

/**
 * Compact per-document facts and term sequences, by minisearch's document number: what filters
 * (`has:code`, `after:`/`before:`, `author:`, arrival), phrase checks and the removal of a replaced
 * document read, so that none of them needs the Paper. Each document's text is kept as the
 * sequence of its term ids (title, abstract, authors, keywords, in that order): phrases are
 * checked on it, and it rebuilds exactly the terms a document was indexed with when it is removed.
 */
export class DocumentTable {
  private words = new Vocabulary();
  private capacity = 0;
  private arrivedAt: Float64Array = new Float64Array(0);
  private publishedDay: Int32Array = new Int32Array(0);
  private code: Uint8Array = new Uint8Array(0);
  private alive: Uint8Array = new Uint8Array(0);
  private lengths: Int32Array = new Int32Array(0);
  /** The restored documents' author names, read in place, and those recorded since (by number). */
  private savedAuthors: PackedStrings | undefined;
  private readonly authorNames = new Map<number, string>();
  /** Sequences of the documents restored from a snapshot (one flat array), and of those added since. */
  private flat: { starts: Int32Array; terms: Int32Array } = {
    starts: new Int32Array(1),
    terms: new Int32Array(0),
  };
  private readonly added = new Map<number, Int32Array>();

  /** Every term and its id. */
  get vocabulary(): Vocabulary {
    return this.words;
  }

  /** The id of a term, if any document has it. */
  termId(term: string): number | undefined {
    return this.words.id(term);
  }

  /** How many term ids there are (one more than the largest). */
  get vocabularySize(): number {
    return this.words.size;
  }

  /** The term of an id. */
  term(termId: number): string {
    return this.words.term(termId);
  }

  /**
   * Records a document under its number and returns its terms per segment (for minisearch's fields).
   */
  put(documentNumber: number, document: SearchDocument): Record<Segment, string[]> {
    const segments = this.record(documentNumber, document);
    const sequence: number[] = [];
    for (const segment of SEGMENTS) for (const term of segments[segment]) sequence.push(this.idOf(term));
    this.added.set(documentNumber, Int32Array.from(sequence));
    return segments;
  }

  /**
   * A table of many documents at once, numbered in the order given, their term sequences in one
   * flat array (as a restored table has them), for {@link DocumentIndex.build}.
   */
  static build(documents: readonly SearchDocument[]): DocumentTable {
    const table = new DocumentTable();
    const starts = new Int32Array(documents.length + 1);
    let terms = new Int32Array(1 << 16);
    let used = 0;
    documents.forEach((document, n) => {
      starts[n] = used;
      const segments = table.record(n, document);
      for (const segment of SEGMENTS) {
        const words = segments[segment];
        if (used + words.length > terms.length) {
          const grown = new Int32Array(Math.max(used + words.length, terms.length * 2));
          grown.set(terms.subarray(0, used));
          terms = grown;
        }
        for (const term of words) terms[used++] = table.idOf(term);
      }
    });
    starts[documents.length] = used;
    table.flat = { starts, terms: terms.slice(0, used) };
    return table;
  }

  /** Records a document's facts and segment lengths under its number; returns its terms per segment. */
  private record(documentNumber: number, document: SearchDocument): Record<Segment, string[]> {
    this.reserve(documentNumber + 1);
    const segments: Record<Segment, string[]> = {
      title: termsOf(document.title),
      abstract: termsOf(document.abstract),
      authors: termsOf(document.authors.join(' ')),
      keywords: termsOf(document.keywords.join(' ')),
    };
    SEGMENTS.forEach((segment, s) => {
      this.lengths[documentNumber * SEGMENTS.length + s] = segments[segment].length;
    });
    const arrived = Date.parse(document.arrivedAt);
    this.arrivedAt[documentNumber] = Number.isNaN(arrived) ? 0 : arrived;
    this.publishedDay[documentNumber] = document.published ? dayNumber(document.published) : UNKNOWN_DAY;
    this.code[documentNumber] = document.hasCode ? 1 : 0;
    this.alive[documentNumber] = 1;
    this.authorNames.set(documentNumber, document.authors.map(foldName).join('\n'));
    return segments;
  }

  /**
   * Whether the document with this number was recorded from exactly this document's text and facts
   * (its arrival included): then indexing it again would change nothing.
   */
  matches(documentNumber: number, document: SearchDocument): boolean {
    if (!this.isLive(documentNumber)) return false;
    const arrived = Date.parse(document.arrivedAt);
    if (
      this.arrivedAt[documentNumber] !== (Number.isNaN(arrived) ? 0 : arrived) ||
      this.publishedDay[documentNumber] !==
        (document.published ? dayNumber(document.published) : UNKNOWN_DAY) ||
      this.code[documentNumber] !== (document.hasCode ? 1 : 0) ||
      this.authors(documentNumber) !== document.authors.map(foldName).join('\n')
    )
      return false;
    const sequence = this.sequence(documentNumber);
    let at = 0;
    for (const [s, text] of [
      document.title,
      document.abstract,
      document.authors.join(' '),
      document.keywords.join(' '),
    ].entries()) {
      const terms = termsOf(text);
      if (terms.length !== this.lengths[documentNumber * SEGMENTS.length + s]) return false;
      for (const term of terms) if (this.words.id(term) !== sequence[at++]) return false;
    }
    return true;
  }

  /** The terms a document was indexed with, per segment (to remove it from minisearch exactly). */
  segmentsOf(documentNumber: number): Record<Segment, string[]> {
    const sequence = this.sequence(documentNumber);
    const segments = {} as Record<Segment, string[]>;
    let at = 0;
    SEGMENTS.forEach((segment, s) => {
      const length = this.lengths[documentNumber * SEGMENTS.length + s] as number;
      segments[segment] = Array.from(sequence.subarray(at, at + length), (id) => this.words.term(id));
      at += length;
    });
    return segments;
  }

  /** Forgets a document (its number is not reused). */
  delete(documentNumber: number): void {
    this.alive[documentNumber] = 0;
    this.added.delete(documentNumber);
    this.authorNames.set(documentNumber, '');
  }

  /** Whether the number belongs to an indexed document. */
  isLive(documentNumber: number): boolean {
    return this.alive[documentNumber] === 1;
  }

  /** Arrival time (ms since the epoch) of each document, by number. */
  get arrivals(): Float64Array {
    return this.arrivedAt;
  }

  /** Publication day number ({@link dayNumber}) of each document, {@link UNKNOWN_DAY} when unknown. */
  get publishedDays(): Int32Array {
    return this.publishedDay;
  }

  /** Whether each document has a code repository (1) or not (0). */
  get hasCode(): Uint8Array {
    return this.code;
  }

  /** The document's author names, folded ({@link foldName}), one per line. */
  authors(documentNumber: number): string {
    const names = this.authorNames.get(documentNumber);
    if (names !== undefined) return names;
    return this.savedAuthors && documentNumber < this.savedAuthors.length
      ? this.savedAuthors.get(documentNumber)
      : '';
  }

  /** Every document's segment lengths: document `n`'s segment `s` at `n * SEGMENTS.length + s`. */
  get segmentLengthArray(): Int32Array {
    return this.lengths;
  }

  /** How many terms segment `s` of the document has. */
  segmentLength(documentNumber: number, segment: number): number {
    return this.lengths[documentNumber * SEGMENTS.length + segment] as number;
  }

  /**
   * The array that holds the document's term ids and where they start in it, without making a view
   * (searches read titles of thousands of documents).
   */
  sequenceAt(documentNumber: number): [Int32Array, number] {
    const added = this.added.get(documentNumber);
    if (added) return [added, 0];
    return [this.flat.terms, (this.flat.starts[documentNumber] as number) ?? 0];
  }

  /** The document's term ids: its segments one after the other. */
  sequence(documentNumber: number): Int32Array {
    const added = this.added.get(documentNumber);
    if (added) return added;
    const { starts, terms } = this.flat;
    if (documentNumber + 1 >= starts.length) return new Int32Array(0);
    return terms.subarray(starts[documentNumber] as number, starts[documentNumber + 1] as number);
  }

  /**
   * The table's state for a snapshot, documents renumbered by `numbers` (old number → new, −1 for a
   * document left out; new numbers in the old order), `count` of them.
   */
  save(numbers: Int32Array, count: number): SavedTable {
    const starts = new Int32Array(count + 1);
    const segmentLengths = new Int32Array(count * SEGMENTS.length);
    const arrived = new Float64Array(count);
    const published = new Int32Array(count);
    const hasCode = new Uint8Array(count);
    const authors: string[] = [];
    let total = 0;
    for (let n = 0; n < numbers.length; n++)
      if ((numbers[n] as number) >= 0) total += this.sequence(n).length;
    const terms = new Int32Array(total);
    total = 0;
    for (let n = 0; n < numbers.length; n++) {
      const to = numbers[n] as number;
      if (to < 0) continue;
      const sequence = this.sequence(n);
      starts[to] = total;
      terms.set(sequence, total);
      total += sequence.length;
      segmentLengths.set(
        this.lengths.subarray(n * SEGMENTS.length, (n + 1) * SEGMENTS.length),
        to * SEGMENTS.length,
      );
      arrived[to] = this.arrivedAt[n] as number;
      published[to] = this.publishedDay[n] as number;
      hasCode[to] = this.code[n] as number;
      authors[to] = this.authors(n);
    }
    starts[count] = total;
    return {
      sequenceStarts: starts,
      sequenceTerms: terms,
      segmentLengths,
      arrived,
      published,
      hasCode,
      live: new Uint8Array(count).fill(1),
      authors: packStrings(authors),
    };
  }

  /**
   * A table from {@link DocumentTable.save} output and the vocabulary it was saved with. The
   * sequences and author names stay where they are (they are never changed in place); the
   * per-document facts are copied, since they are.
   */
  static restore(saved: SavedTable, vocabulary: Vocabulary): DocumentTable {
    const table = new DocumentTable();
    const count = saved.live.length;
    const consistent =
      saved.sequenceStarts.length === count + 1 &&
      saved.segmentLengths.length === count * SEGMENTS.length &&
      saved.arrived.length === count &&
      saved.published.length === count &&
      saved.hasCode.length === count &&
      saved.authors.offsets.length === count + 1 &&
      saved.sequenceStarts[count] === saved.sequenceTerms.length;
    if (!consistent) throw new Error("the snapshot's document table does not add up");
    table.words = vocabulary;
    table.capacity = count;
    table.arrivedAt = saved.arrived.slice();
    table.publishedDay = saved.published.slice();
    table.code = saved.hasCode.slice();
    table.alive = saved.live.slice();
    table.lengths = saved.segmentLengths.slice();
    table.savedAuthors = new PackedStrings(saved.authors);
    table.flat = { starts: saved.sequenceStarts, terms: saved.sequenceTerms };
    return table;
  }

  private idOf(term: string): number {
    return this.words.add(term);
  }

  /** Room for `count` documents, growing the arrays by half again each time. */
  private reserve(count: number): void {
    if (count <= this.capacity) return;
    const capacity = Math.max(count, Math.ceil(this.capacity * 1.5), 64);
    const grow = <A extends Float64Array | Int32Array | Uint8Array>(
      array: A,
      make: (n: number) => A,
      per = 1,
    ) => {
      const next = make(capacity * per);
      next.set(array);
      return next;
    };
    this.arrivedAt = grow(this.arrivedAt, (n) => new Float64Array(n));
    this.publishedDay = grow(this.publishedDay, (n) => new Int32Array(n));
    this.code = grow(this.code, (n) => new Uint8Array(n));
    this.alive = grow(this.alive, (n) => new Uint8Array(n));
    this.lengths = grow(this.lengths, (n) => new Int32Array(n), SEGMENTS.length);
    this.capacity = capacity;
  }
}
