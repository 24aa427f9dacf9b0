import { copyFile, type FileHandle, open, rename, stat, truncate } from 'node:fs/promises';
import { PaperbotError } from '../errors.js';
import type { Logger } from '../logger.js';
import { KeyColumn, StringColumn } from '../packedStrings.js';
import { type CompactedFile, writeCompacted } from './compaction.js';
import { BUNDLED_CORPUS_FILE, corpusFile } from './corpus.js';
import { ChainHash, isBlank, LineReader, writeAll } from './corpusBytes.js';
import { readCatalog, type SavedCatalog, writeCatalog } from './corpusCatalog.js';
import {
  type Catalog,
  CorpusMoved,
  type CorpusPosition,
  type CorpusStore,
  catalogEntry,
} from './corpusStore.js';
import { withLockFile } from './lockFile.js';
import { Paper } from './paper.js';

/** How many recent positions a store remembers (and its catalog keeps) for readers to catch up from. */
const REMEMBERED_POSITIONS = 64;

/** A position in a corpus file: a byte offset and the fingerprint of the bytes before it (see ChainHash). */
interface FilePosition extends CorpusPosition {
  offset: number;
  fingerprint: string;
}

/** What the store tunes; every option has the production default. */
export interface FileCorpusOptions {
  /**
   * Superseded lines (papers stored again since) that make the file worth rewriting: at least this
   * many, and more than the papers in it. Default 10,000.
   */
  compactAfter?: number;
  /** The corpus read while the data directory has none of its own (default: the bundled seed). */
  bundledFile?: string;
}

/**
 * The corpus as an append-only JSONL file (`papers.jsonl`, one Paper per line, a later line
 * replacing an earlier one with the same id), read by offset: start-up reads the small catalog
 * beside it (`papers.catalog`: ids, identities, arrivals, and where each paper's line is), not the
 * papers, and each paper is read from its line when it is needed.
 *
 * - **Validated once.** Every line paperbot appends was validated at ingest. The catalog records
 *   the fingerprint (sha256) of the file up to where it was written; a file that still starts with
 *   those bytes is trusted up to there, and only the lines after (another process's appends, or a
 *   crash before the catalog was written) are validated. A file paperbot did not write (no
 *   catalog, or another fingerprint) is validated whole: a bad row stops start-up with its file and
 *   line.
 * - **Appends, not rewrites.** An ingest appends its changed papers (a single write, synced, under
 *   a lock file shared with other paperbot processes on the same directory) and is acknowledged
 *   once it is on disk. A crash mid-append leaves at most an incomplete last line, which the next
 *   open ignores (it was never acknowledged) and the next append cuts off.
 * - **Positions.** A position is an offset and the fingerprint of the bytes before it, so a reader
 *   (an index snapshot) can be told whether the file it caught up from is still this one.
 * - **Compaction** rewrites the file with one line per paper (atomically) once superseded lines
 *   outnumber the papers; the position at the moment of compaction stays valid, as an alias of
 *   the new file's end.
 *
 * Until the data directory has a corpus of its own, the bundled one is read; the first append
 * copies it there.
 */
export class FileCorpusStore implements CorpusStore {
  private readonly working: string;
  private readonly bundled: string;
  private readonly lockFile: string;
  private readonly compactAfter: number;
  /** The file read: the working corpus, or the bundled one until the first append. */
  private source: string;
  private handle: FileHandle | undefined;
  /** Bytes of accepted lines; the file may be longer by an incomplete line (`size`). */
  private end = 0;
  /** The file's size when last looked at. */
  private size = 0;
  /** The last line has no newline (a file written by hand): the next append adds one first. */
  private needsNewline = false;
  /** The fingerprint chain of the bytes up to `end`. */
  private chain = ChainHash.empty();
  /** Lines up to `end` (blank ones too), for line numbers. */
  private lineCount = 0;
  /** Paper lines up to `end`, superseded ones included. */
  private rows = 0;
  /** Per paper (slot): its id (and each id's slot), arXiv id and normalised title. */
  private ids = new KeyColumn();
  private arxivIds = new StringColumn();
  private titles = new StringColumn();
  private arrivals = new Float64Array(0);
  private offsets = new Float64Array(0);
  private lengths = new Uint32Array(0);
  /** Per paper: 1 when its line is exactly the JSON of the validated paper (as paperbot writes it). */
  private canonical = new Uint8Array(0);
  /** Fingerprint → offset in this file, for the positions readers may come back with. */
  private positions = new Map<string, number>();
  /** Papers being read now, and handles of files the store moved away from, closed once none is. */
  private reading = 0;
  private retired: FileHandle[] = [];

  constructor(
    private readonly dataDir: string,
    private readonly logger: Logger,
    options: FileCorpusOptions = {},
  ) {
    this.working = corpusFile(dataDir);
    this.bundled = options.bundledFile ?? BUNDLED_CORPUS_FILE;
    this.lockFile = `${this.working}.lock`;
    this.compactAfter = options.compactAfter ?? 10_000;
    this.source = this.working;
  }

  /** The file the papers are read from: the bundled papers until the first change is stored. */
  get name(): string {
    return this.source;
  }

  /** The file the papers are read from now. */
  get file(): string {
    return this.source;
  }

  /** The last open found no usable catalog and read (and validated) the whole file. */
  wantsCheckpoint = false;

  get wantsCompaction(): boolean {
    const superseded = this.rows - this.ids.length;
    return superseded >= this.compactAfter && superseded > this.ids.length;
  }

  async open(): Promise<{ catalog: Catalog; position: CorpusPosition }> {
    this.retire(this.handle);
    this.reset();
    this.source = (await exists(this.working)) ? this.working : this.bundled;
    try {
      this.handle = await open(this.source, this.source === this.working ? 'r+' : 'r');
      this.size = (await this.handle.stat()).size;
    } catch (error) {
      throw new PaperbotError(
        'paperbot_corpus_error',
        `Cannot read the corpus ${this.source}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    const saved = await readCatalog(this.dataDir, this.logger);
    this.wantsCheckpoint = !(saved && (await this.adopt(saved)));
    if (this.wantsCheckpoint) {
      this.reset();
      await this.scan(0);
    } else await this.scan(this.end);
    this.remember();
    return { catalog: this.catalog(), position: this.position() };
  }

  async read(ids: readonly string[]): Promise<(Paper | undefined)[]> {
    return Promise.all(
      ids.map(async (id) => {
        const slot = this.ids.positionOf(id);
        return slot === undefined ? undefined : this.readSlot(slot);
      }),
    );
  }

  async *readAll(): AsyncIterable<Paper[]> {
    const reader = new LineReader(this.openHandle(), 0, this.end);
    for (let chunk = await reader.next(); chunk; chunk = await reader.next()) {
      const batch: Paper[] = [];
      for (const [start, stop] of chunk.lines) {
        const paper = this.latestAt(chunk.data.subarray(start, stop), chunk.base + start);
        if (paper) batch.push(paper);
      }
      if (batch.length > 0) yield batch;
    }
  }

  async append(papers: readonly Paper[], after: CorpusPosition): Promise<CorpusPosition> {
    if (papers.length === 0) return this.position();
    if (after.fingerprint !== this.fingerprint()) throw new CorpusMoved();
    const lines = papers.map((paper) => `${JSON.stringify(paper)}\n`);
    const bytes = Buffer.from(`${this.needsNewline ? '\n' : ''}${lines.join('')}`);
    await this.withLock(async () => {
      if (this.source !== this.working) await this.createWorkingCopy();
      const handle = this.openHandle();
      const [onDisk, mine] = await Promise.all([stat(this.working), handle.stat()]);
      if (onDisk.ino !== mine.ino || onDisk.size !== this.size) throw new CorpusMoved();
      if (this.size > this.end) await handle.truncate(this.end); // an incomplete line, never acknowledged
      await writeAll(handle, bytes, this.end);
      await handle.datasync();
    });
    let offset = this.end + (this.needsNewline ? 1 : 0);
    if (this.needsNewline) this.lineCount++;
    this.needsNewline = false;
    papers.forEach((paper, i) => {
      const length = Buffer.byteLength(lines[i] as string) - 1;
      this.record(paper, offset, length, true);
      offset += length + 1;
    });
    this.chain.update(bytes);
    this.end += bytes.length;
    this.size = this.end;
    this.lineCount += papers.length;
    this.remember();
    return this.position();
  }

  async changesSince(
    position: CorpusPosition,
  ): Promise<{ papers: Paper[]; position: CorpusPosition } | undefined> {
    await this.refresh();
    const from = await this.offsetOf(position);
    if (from === undefined) return undefined;
    const changed: number[] = [];
    for (let slot = 0; slot < this.ids.length; slot++)
      if ((this.offsets[slot] as number) >= from) changed.push(slot);
    const papers = await Promise.all(changed.map((slot) => this.readSlot(slot)));
    return { papers, position: this.position() };
  }

  async checkpoint(): Promise<void> {
    const count = this.ids.length;
    const { ino, size, mtimeMs } = await this.openHandle().stat();
    await writeCatalog(this.dataDir, {
      header: {
        offset: this.end,
        fingerprint: this.fingerprint(),
        file: { ino, size, mtimeMs },
        lineCount: this.lineCount,
        rows: this.rows,
        needsNewline: this.needsNewline,
        positions: [...this.positions].map(([fingerprint, offset]) => ({ fingerprint, offset })),
      },
      columns: {
        ...(({ strings, order }) => ({ ids: strings, idOrder: order }))(this.ids.pack()),
        arxivIds: this.arxivIds.pack(),
        titles: this.titles.pack(),
        arrivals: this.arrivals.subarray(0, count),
        offsets: this.offsets.subarray(0, count),
        lengths: this.lengths.subarray(0, count),
        canonical: this.canonical.subarray(0, count),
        links: this.chain.blockLinks,
      },
    });
  }

  async compact(): Promise<CorpusPosition> {
    if (this.source !== this.working) return this.position();
    await this.withLock(async () => {
      const [onDisk, mine] = await Promise.all([stat(this.working), this.openHandle().stat()]);
      if (onDisk.ino !== mine.ino || onDisk.size !== this.size) throw new CorpusMoved();
      const previous = this.fingerprint();
      const temporary = `${this.working}.${process.pid}.${Date.now()}.tmp`;
      const { offsets, lengths, end, chain } = await this.writeLatest(temporary, () => true);
      await rename(temporary, this.working);
      const handle = await open(this.working, 'r+');
      this.retire(this.handle);
      this.handle = handle;
      this.offsets = offsets;
      this.lengths = lengths;
      this.canonical = new Uint8Array(this.ids.length).fill(1);
      this.rows = this.ids.length;
      this.lineCount = this.ids.length;
      this.end = end;
      this.size = end;
      this.needsNewline = false;
      this.chain = chain;
      // Readers at the old end are at the new end: the same papers, in other lines.
      this.positions = new Map([[previous, end]]);
      this.remember();
    });
    this.logger.info(`Compacted the corpus ${this.working}: ${this.ids.length} papers.`);
    await this.checkpoint();
    return this.position();
  }

  async remove(ids: readonly string[], after: CorpusPosition): Promise<CorpusPosition> {
    if (after.fingerprint !== this.fingerprint()) throw new CorpusMoved();
    const dropped = new Set(ids.filter((id) => this.ids.positionOf(id) !== undefined));
    if (dropped.size === 0) return this.position();
    await this.withLock(async () => {
      if (this.source === this.working) {
        const [onDisk, mine] = await Promise.all([stat(this.working), this.openHandle().stat()]);
        if (onDisk.ino !== mine.ino || onDisk.size !== this.size) throw new CorpusMoved();
      } else if (await exists(this.working)) throw new CorpusMoved(); // another process made it meanwhile
      const temporary = `${this.working}.${process.pid}.${Date.now()}.tmp`;
      await this.writeLatest(temporary, (slot) => !dropped.has(this.ids.get(slot)));
      await rename(temporary, this.working);
    });
    // A new file, no position of the old one known in it: every reader (this one too) reads it again.
    await this.open();
    await this.checkpoint();
    this.logger.info(`Removed ${dropped.size} papers from the corpus ${this.working}.`);
    return this.position();
  }

  /**
   * Writes the latest line of each paper `keep` keeps to `file` (synced), in file order so that
   * reading is sequential: the rewritten corpus of a compaction or a removal.
   */
  private writeLatest(file: string, keep: (slot: number) => boolean): Promise<CompactedFile> {
    const order = Array.from({ length: this.ids.length }, (_, slot) => slot)
      .filter(keep)
      .sort((a, b) => (this.offsets[a] as number) - (this.offsets[b] as number));
    return writeCompacted(file, this.ids.length, order, async (slot) =>
      this.canonical[slot] === 1
        ? this.readLine(slot)
        : Buffer.from(JSON.stringify(await this.readSlot(slot))),
    );
  }

  async close(): Promise<void> {
    // Handles retired while papers were being read are closed here too if those reads never ended.
    const handles = [this.handle, ...this.retired.splice(0)];
    this.handle = undefined;
    await Promise.all(handles.map((handle) => handle?.close()));
  }

  /** The current position. */
  private position(): FilePosition {
    return { offset: this.end, fingerprint: this.fingerprint() };
  }

  private fingerprint(): string {
    return this.chain.digest();
  }

  private remember(): void {
    this.positions.delete(this.fingerprint());
    this.positions.set(this.fingerprint(), this.end);
    while (this.positions.size > REMEMBERED_POSITIONS)
      this.positions.delete(this.positions.keys().next().value as string);
  }

  private reset(): void {
    this.end = 0;
    this.needsNewline = false;
    this.chain = ChainHash.empty();
    this.lineCount = 0;
    this.rows = 0;
    this.ids = new KeyColumn();
    this.arxivIds = new StringColumn();
    this.titles = new StringColumn();
    this.arrivals = new Float64Array(0);
    this.offsets = new Float64Array(0);
    this.lengths = new Uint32Array(0);
    this.canonical = new Uint8Array(0);
    this.positions = new Map();
  }

  private catalog(): Catalog {
    // Copies: the store goes on changing its columns (the strings read from the catalog are shared).
    return {
      ids: this.ids.copy(),
      arxivIds: this.arxivIds.copy(),
      titles: this.titles.copy(),
      arrivals: this.arrivals.slice(0, this.ids.length),
    };
  }

  private openHandle(): FileHandle {
    if (!this.handle) throw new Error('the corpus store is not open');
    return this.handle;
  }

  /**
   * Takes the catalog when the file still starts with the bytes it was written for (their
   * fingerprint matches); false when it does not (the file was replaced or edited). A file that is
   * as it was when the catalog was written (the same file, size and modification time), or that
   * only grew since (appends), has its last block and what follows it hashed again, not every
   * byte: appends never change what is before them. Any other file is hashed whole.
   */
  private async adopt(saved: SavedCatalog): Promise<boolean> {
    const { header, columns } = saved;
    if (header.offset > this.size) return false;
    const handle = this.openHandle();
    const now = await handle.stat();
    const was = header.file;
    const sameFile =
      now.ino === was.ino && (now.size > was.size || (now.size === was.size && now.mtimeMs === was.mtimeMs));
    const chain = await ChainHash.resume(
      handle,
      columns.links,
      header.offset,
      sameFile ? 1 : Number.POSITIVE_INFINITY,
    );
    if (chain?.digest() !== header.fingerprint) return false;
    this.chain = chain;
    this.end = header.offset;
    this.lineCount = header.lineCount;
    this.rows = header.rows;
    this.needsNewline = header.needsNewline;
    this.ids = new KeyColumn({ strings: columns.ids, order: columns.idOrder });
    this.arxivIds = new StringColumn(columns.arxivIds);
    this.titles = new StringColumn(columns.titles);
    this.arrivals = columns.arrivals.slice();
    this.offsets = columns.offsets.slice();
    this.lengths = columns.lengths.slice();
    this.canonical = columns.canonical.slice();
    this.positions = new Map(header.positions.map(({ fingerprint, offset }) => [fingerprint, offset]));
    return true;
  }

  /**
   * Reads, validates and records the lines from `from` (where accepted lines end) to the end of
   * the file, adding their bytes to the fingerprint. A bad line throws with its file and line
   * number, except an incomplete last line that is not a paper: a write cut short, never
   * acknowledged, ignored with a warning.
   */
  private async scan(from: number): Promise<void> {
    const reader = new LineReader(this.openHandle(), from, this.size);
    let lineNumber = this.lineCount;
    for (let chunk = await reader.next(); chunk; chunk = await reader.next()) {
      for (const [start, stop] of chunk.lines) {
        lineNumber++;
        const line = chunk.data.subarray(start, stop);
        if (isBlank(line)) continue;
        const { paper, canonical } = this.validate(line, lineNumber);
        this.record(paper, chunk.base + start, stop - start, canonical);
      }
      this.chain.update(chunk.data.subarray(0, chunk.complete));
    }
    this.end = reader.end;
    this.lineCount = lineNumber;
    const rest = reader.rest;
    if (rest.length === 0 || isBlank(rest)) {
      if (rest.length > 0) this.acceptTail(rest, false);
      return;
    }
    // The last line has no newline: a file edited by hand, or a write cut short.
    let last: { paper: Paper; canonical: boolean } | undefined;
    try {
      last = this.validate(rest, lineNumber + 1);
    } catch {
      this.logger.warn(
        `${this.source} line ${lineNumber + 1} is incomplete (a write cut short); it is ignored, and cut off at the next ingest.`,
      );
      return;
    }
    this.record(last.paper, this.end, rest.length, last.canonical);
    this.acceptTail(rest, true);
  }

  /** Accepts a last line without a newline (a paper, or blanks): the next append writes one first. */
  private acceptTail(rest: Buffer, isPaper: boolean): void {
    this.chain.update(rest);
    this.end += rest.length;
    if (isPaper) this.lineCount++;
    this.needsNewline = true;
  }

  /**
   * Takes in what changed on disk since the file was last read: lines appended by another process
   * (`paperbot ingest` while the bot runs), validated and recorded; or, when the file is another
   * one now (created from the bundled corpus, compacted by another process, replaced by hand), the
   * file read afresh.
   */
  private async refresh(): Promise<void> {
    const onDisk = await stat(this.working).catch(() => undefined);
    if (this.source !== this.working) {
      if (onDisk) await this.open();
      return;
    }
    const mine = await this.openHandle().stat();
    if (!onDisk || onDisk.ino !== mine.ino || mine.size < this.end) {
      await this.open();
      return;
    }
    if (mine.size === this.size) return;
    this.size = mine.size;
    try {
      await this.scan(this.end);
    } catch (error) {
      // A bad line written by someone else: nothing after it is taken until it is fixed.
      this.logger.error((error as Error).message);
      return;
    }
    this.remember();
  }

  /**
   * Where a position is in this file: a remembered one, or one whose fingerprint the file's first
   * bytes still have (read and hashed: a reader from before the file was reopened).
   */
  private async offsetOf(position: CorpusPosition): Promise<number | undefined> {
    const { offset, fingerprint } = position;
    if (typeof fingerprint !== 'string' || typeof offset !== 'number') return undefined;
    const known = this.positions.get(fingerprint);
    if (known !== undefined) return known;
    if (offset > this.end || (await this.chain.digestAt(this.openHandle(), offset)) !== fingerprint)
      return undefined;
    this.positions.set(fingerprint, offset);
    return offset;
  }

  /** A line checked: valid JSON, a valid Paper; throws a corpus error naming the file and line. */
  private validate(line: Buffer, lineNumber: number): { paper: Paper; canonical: boolean } {
    const where = `${this.source} line ${lineNumber}`;
    const text = line.toString('utf8');
    let row: unknown;
    try {
      row = JSON.parse(text);
    } catch (error) {
      throw new PaperbotError(
        'paperbot_corpus_error',
        `${where} is not valid JSON (${(error as Error).message}). Fix or delete that line, or delete the file to start again from the bundled corpus.`,
      );
    }
    const parsed = Paper.safeParse(row);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new PaperbotError(
        'paperbot_corpus_error',
        `${where} is not a valid paper: ${issue?.path.join('.') || 'row'}: ${issue?.message}. Fix or delete that line.`,
      );
    }
    return { paper: parsed.data, canonical: JSON.stringify(parsed.data) === text };
  }

  /** Records a paper's line as its latest. */
  private record(paper: Paper, offset: number, length: number, canonical: boolean): void {
    this.rows++;
    let slot = this.ids.positionOf(paper.id);
    if (slot === undefined) {
      slot = this.ids.push(paper.id);
      this.grow(slot + 1);
      this.arxivIds.push('');
      this.titles.push('');
    }
    const entry = catalogEntry(paper);
    this.arxivIds.set(slot, entry.arxivId);
    this.titles.set(slot, entry.title);
    this.arrivals[slot] = entry.arrival;
    this.offsets[slot] = offset;
    this.lengths[slot] = length;
    this.canonical[slot] = canonical ? 1 : 0;
  }

  private grow(count: number): void {
    if (count <= this.offsets.length) return;
    const capacity = Math.max(count, Math.ceil(this.offsets.length * 1.5), 1024);
    const grown = <A extends Float64Array | Uint32Array | Uint8Array>(array: A, make: (n: number) => A) => {
      const next = make(capacity);
      next.set(array);
      return next;
    };
    this.arrivals = grown(this.arrivals, (n) => new Float64Array(n));
    this.offsets = grown(this.offsets, (n) => new Float64Array(n));
    this.lengths = grown(this.lengths, (n) => new Uint32Array(n));
    this.canonical = grown(this.canonical, (n) => new Uint8Array(n));
  }

  /**
   * The bytes of a paper's line, from the file its offset is in (the handle and offset are taken
   * together, so a compaction meanwhile does not mix the old offset with the new file).
   */
  private async readLine(slot: number): Promise<Buffer> {
    const length = this.lengths[slot] as number;
    const offset = this.offsets[slot] as number;
    const handle = this.openHandle();
    const buffer = Buffer.allocUnsafe(length);
    this.reading++;
    try {
      for (let done = 0; done < length; ) {
        const { bytesRead } = await handle.read(buffer, done, length - done, offset + done);
        if (bytesRead === 0) throw new Error(`${this.source} ended before the paper ${this.ids.get(slot)}`);
        done += bytesRead;
      }
    } finally {
      this.reading--;
      if (this.reading === 0)
        for (const old of this.retired.splice(0)) void old.close().catch(() => undefined);
    }
    return buffer;
  }

  /** Stops reading through a handle: closed at once, or once the reads in flight through it end. */
  private retire(handle: FileHandle | undefined): void {
    if (!handle) return;
    if (this.reading === 0) void handle.close().catch(() => undefined);
    else this.retired.push(handle);
  }

  /** A stored paper, from its line (validated when it was stored: parsed as is when canonical). */
  private async readSlot(slot: number): Promise<Paper> {
    const line = await this.readLine(slot);
    const row: unknown = JSON.parse(line.toString('utf8'));
    return this.canonical[slot] === 1 ? (row as Paper) : Paper.parse(row);
  }

  /** The paper of a line read during a scan, if the line is the paper's latest. */
  private latestAt(line: Buffer, offset: number): Paper | undefined {
    if (isBlank(line)) return undefined;
    const row = JSON.parse(line.toString('utf8')) as Paper;
    const slot = this.ids.positionOf(row.id);
    if (slot === undefined || this.offsets[slot] !== offset) return undefined;
    return this.canonical[slot] === 1 ? row : Paper.parse(row);
  }

  /** Copies the bundled corpus into the data directory, where appends go (under the lock). */
  private async createWorkingCopy(): Promise<void> {
    if (await exists(this.working)) throw new CorpusMoved(); // another process made it meanwhile
    const temporary = `${this.working}.${process.pid}.${Date.now()}.tmp`;
    await copyFile(this.source, temporary);
    await truncate(temporary, this.end);
    await rename(temporary, this.working);
    const handle = await open(this.working, 'r+');
    this.retire(this.handle);
    this.handle = handle;
    this.source = this.working;
    this.size = this.end;
  }

  /**
   * Runs `write` holding the lock file beside the corpus, which every paperbot process writing to
   * this data directory takes for its appends and compactions.
   */
  private withLock<T>(write: () => Promise<T>): Promise<T> {
    return withLockFile(
      this.lockFile,
      (holder) =>
        new PaperbotError(
          'paperbot_corpus_error',
          `The corpus ${this.working} is being written by process ${holder} (lock file ${this.lockFile}); try again when it is done.`,
        ),
      write,
    );
  }
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}
