import { access, chmod, copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DataFile } from 'lowdb/node';
import { PaperbotError } from './errors.js';

/** How a {@link JsonDocument} keeps its data: store a new version, read back the last stored one. */
interface Persistence<T> {
  persist(data: T): Promise<void>;
  /** The last version persisted (used to undo a change whose write failed). */
  reload(): Promise<T>;
}

/** A change waiting for its turn, and how its caller is answered. */
interface WaitingChange<T> {
  apply: (data: T) => unknown;
  resolve: (result: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * A JSON document held in memory and persisted after every change. Changes are serialised through
 * a queue, applied in place and persisted; when persisting fails the data is reloaded from the last
 * stored version, so a failed write changes nothing. (Copying the data for every change instead
 * would cost O(size) per write.) The changes made while a write is under way are applied in turn
 * after it and stored by one write: a burst of subscribes costs a write or two, not one each. The
 * embedded stores (subscriptions, installations) are built on it.
 */
export class JsonDocument<T> {
  private queue: Promise<unknown> = Promise.resolve();
  /** The changes made since the last write began: applied and stored together after it. */
  private waiting: Array<WaitingChange<T>> = [];

  constructor(
    private current: T,
    private readonly persistence: Persistence<T>,
    /** Called after a failed write restored the data (to rebuild indexes over it). */
    private readonly onReload: (data: T) => void = () => {},
  ) {}

  /** The data as last changed (read it, never change it outside {@link JsonDocument.change}). */
  get data(): T {
    return this.current;
  }

  /** Applies `apply` after the changes before it, and resolves once the result is stored. */
  change<R>(apply: (data: T) => R): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      // The first change since a write began queues the next write; the others join it.
      if (this.waiting.length === 0) this.queue = this.queue.then(() => this.store()).catch(() => undefined);
      this.waiting.push({ apply, resolve: resolve as (result: unknown) => void, reject });
    });
  }

  /** Applies the waiting changes in order and stores them with one write. */
  private async store(): Promise<void> {
    const changes = this.waiting;
    this.waiting = [];
    const applied: Array<{ change: WaitingChange<T>; result: unknown }> = [];
    for (const change of changes) {
      try {
        applied.push({ change, result: change.apply(this.current) });
      } catch (error) {
        change.reject(error);
      }
    }
    if (applied.length === 0) return;
    try {
      await this.persistence.persist(this.current);
    } catch (error) {
      let failure = error;
      try {
        this.current = await this.persistence.reload();
        this.onReload(this.current);
      } catch (reloadError) {
        failure = reloadError;
      }
      for (const { change } of applied) change.reject(failure);
      return;
    }
    for (const { change, result } of applied) change.resolve(result);
  }

  /** Waits for the changes under way. */
  async settle(): Promise<void> {
    await this.queue;
  }
}

/** A document that lives in memory only (tests, and the console when nothing should reach disk). */
export function memoryDocument<T>(data: T, onReload?: (data: T) => void): JsonDocument<T> {
  return new JsonDocument(
    data,
    {
      persist: async () => {},
      reload: async () => {
        throw new Error('an in-memory document never fails to persist');
      },
    },
    onReload,
  );
}

/** What a JSON file holds and how it is named in messages. */
export interface JsonFileOptions<T> {
  /** Names the file in messages: "The subscriptions file …". */
  what: string;
  empty: () => T;
  /**
   * Validates what the file holds and turns it into the data (upgrading an older format): the data,
   * or a problem (`where: message`) that stops the load.
   */
  parse: (json: unknown) => { data: T } | { problem: string };
  /** Readable by its owner only (a file holding tokens). */
  secret?: boolean;
}

/**
 * Opens a JSON file through lowdb's DataFile (written as a temporary file then renamed, so a killed
 * process leaves the old or the new version, never half of one). The file is validated; a corrupt
 * or invalid one stops the load with a message that names it, and is never written. A valid file is
 * copied to `<file>.bak` first: the last good copy to restore from. Call once per file and process:
 * two writers on one file share steno's temporary file and lose writes.
 */
export async function openJsonFile<T>(
  file: string,
  options: JsonFileOptions<T>,
  onReload?: (data: T) => void,
): Promise<JsonDocument<T>> {
  const { what } = options;
  await mkdir(dirname(file), { recursive: true });
  // The text of the last write that succeeded: a change whose write failed is undone from it,
  // without reading the disk. `stringify` records what is being written; `persist` keeps it once
  // the write resolved (the document's queue runs one write at a time).
  let written = JSON.stringify(options.empty());
  let writing = written;
  const dataFile = new DataFile<T>(file, {
    parse: (text) => JSON.parse(text) as T,
    stringify: (data) => {
      writing = JSON.stringify(data, null, 2);
      return writing;
    },
  });
  let data = options.empty();
  // Read here rather than with dataFile.read(): errors must name the file and the way back.
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw fileError(what, file, `cannot be read (${error.message})`, false);
  });
  if (text !== undefined) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw fileError(
        what,
        file,
        `is not valid JSON (${(error as Error).message})`,
        await exists(`${file}.bak`),
      );
    }
    const parsed = options.parse(json);
    if ('problem' in parsed) {
      throw fileError(
        what,
        file,
        `is not a paperbot ${what} file (${parsed.problem})`,
        await exists(`${file}.bak`),
      );
    }
    data = parsed.data;
    written = text;
    if (options.secret) {
      // Created readable by its owner only: a copy would be world-readable until its chmod.
      await writeFile(`${file}.bak`, text, { mode: 0o600 });
      await Promise.all([chmod(file, 0o600), chmod(`${file}.bak`, 0o600)]);
    } else await copyFile(file, `${file}.bak`);
  }
  let restricted = Boolean(options.secret && text !== undefined);
  return new JsonDocument(
    data,
    {
      persist: async (next) => {
        await dataFile.write(next);
        written = writing;
        if (options.secret && !restricted) {
          await chmod(file, 0o600);
          restricted = true;
        }
      },
      reload: async () => JSON.parse(written) as T,
    },
    onReload,
  );
}

function fileError(what: string, file: string, problem: string, hasBackup: boolean): PaperbotError {
  const restore = hasBackup ? `To restore the last good copy: cp ${file}.bak ${file}\n` : '';
  return new PaperbotError(
    'paperbot_store_error',
    `The ${what} file ${file} ${problem}. paperbot left it untouched and did not start.\n${restore}` +
      `To start with no ${what}: mv ${file} ${file}.broken`,
  );
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}
