import { type FileHandle, mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

/** The typed arrays a section can hold, by the name written in the file. */
const ARRAYS = {
  Int32Array,
  Uint32Array,
  Uint16Array,
  Uint8Array,
  Float64Array,
} as const;
type ArrayName = keyof typeof ARRAYS;
type TypedArray = Int32Array | Uint32Array | Uint16Array | Uint8Array | Float64Array;

/** What a section holds: a typed array (stored as its bytes) or an array of strings (stored as JSON). */
export type Section = TypedArray | readonly (string | null)[];

/** Eight bytes that open every section file, with the layout's version. */
const MAGIC = 'PBSECT01';
/** Sections start at multiples of this, so that typed arrays can be views of the file's bytes. */
const ALIGN = 8;

interface Entry {
  name: string;
  /** A typed array's name, or `strings`. */
  kind: ArrayName | 'strings';
  offset: number;
  /** Bytes. */
  bytes: number;
}

/** A file of sections that is not one (wrong magic, truncated, inconsistent): its reader says why. */
export class SectionFileError extends Error {}

/**
 * Writes a header (any JSON value) and named sections to `file`, atomically (a temporary file
 * renamed over it). Typed arrays are written as their bytes, straight from memory: nothing is
 * serialised or copied, so a worker writing a large index stays free between the writes. String
 * arrays are written as JSON.
 */
export async function writeSectionFile(
  file: string,
  header: unknown,
  sections: Readonly<Record<string, Section>>,
): Promise<void> {
  const entries: Entry[] = [];
  const parts: Uint8Array[] = [];
  let offset = 0;
  for (const [name, section] of Object.entries(sections)) {
    const bytes = isTypedArray(section)
      ? new Uint8Array(section.buffer, section.byteOffset, section.byteLength)
      : await stringsAsJson(section);
    entries.push({
      name,
      kind: isTypedArray(section) ? (section.constructor.name as ArrayName) : 'strings',
      offset,
      bytes: bytes.byteLength,
    });
    parts.push(bytes);
    offset = align(offset + bytes.byteLength);
  }
  const contents = Buffer.from(JSON.stringify({ header, sections: entries }));
  const start = align(MAGIC.length + 4 + contents.length);
  const prologue = Buffer.alloc(start);
  prologue.write(MAGIC, 0, 'latin1');
  prologue.writeUInt32LE(contents.length, MAGIC.length);
  contents.copy(prologue, MAGIC.length + 4);

  await mkdir(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
  const handle = await open(temporary, 'w');
  try {
    await handle.write(prologue, 0, prologue.length, 0);
    for (const [i, part] of parts.entries()) {
      const at = start + (entries[i] as Entry).offset;
      // Large writes may be partial: write until the part is all there.
      for (let done = 0; done < part.byteLength; ) {
        const { bytesWritten } = await handle.write(part, done, part.byteLength - done, at + done);
        done += bytesWritten;
      }
    }
    // Up to the end of the last section, also when that section is empty (nothing written there).
    await handle.truncate(start + offset);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temporary, { force: true });
    throw error;
  }
  await handle.close();
  await rename(temporary, file);
}

/**
 * The header and sections of a section file's bytes. Typed arrays are views of `bytes` where they
 * are aligned (they are, in a file read whole into a fresh buffer), so reading copies nothing;
 * callers that change an array must copy it first. Throws a {@link SectionFileError} for bytes
 * that are not a whole section file.
 */
export function readSectionFile(bytes: Uint8Array): { header: unknown; sections: Map<string, Section> } {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.length < MAGIC.length + 4 || buffer.toString('latin1', 0, MAGIC.length) !== MAGIC)
    throw new SectionFileError('not a paperbot section file');
  const length = buffer.readUInt32LE(MAGIC.length);
  if (MAGIC.length + 4 + length > buffer.length) throw new SectionFileError('truncated');
  let contents: { header: unknown; sections: Entry[] };
  try {
    contents = JSON.parse(buffer.toString('utf8', MAGIC.length + 4, MAGIC.length + 4 + length));
  } catch {
    throw new SectionFileError('its table of contents is not JSON');
  }
  if (!Array.isArray(contents?.sections)) throw new SectionFileError('it has no table of contents');
  const start = align(MAGIC.length + 4 + length);
  const sections = new Map<string, Section>();
  for (const { name, kind, offset, bytes: size } of contents.sections) {
    const at = start + offset;
    if (!Number.isInteger(at) || !Number.isInteger(size) || size < 0 || at + size > buffer.length)
      throw new SectionFileError(`truncated (section ${name})`);
    if (kind === 'strings') {
      sections.set(name, JSON.parse(buffer.toString('utf8', at, at + size)) as string[]);
      continue;
    }
    const Type = ARRAYS[kind];
    if (!Type || size % Type.BYTES_PER_ELEMENT !== 0)
      throw new SectionFileError(`section ${name} is damaged`);
    const absolute = buffer.byteOffset + at;
    sections.set(
      name,
      absolute % Type.BYTES_PER_ELEMENT === 0
        ? // A SharedArrayBuffer works too: workers may share one file's arrays.
          new Type(buffer.buffer as ArrayBuffer, absolute, size / Type.BYTES_PER_ELEMENT)
        : new Type(new Uint8Array(buffer.subarray(at, at + size)).buffer),
    );
  }
  return { header: contents.header, sections };
}

/** Strings encoded per chunk: a million of them, at once, would stop the thread for a noticeable time. */
const STRINGS_PER_CHUNK = 20_000;

/** A string array as JSON bytes, encoded a chunk per event-loop turn. */
async function stringsAsJson(strings: readonly (string | null)[]): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (let at = 0; at < strings.length; at += STRINGS_PER_CHUNK) {
    if (at > 0) await new Promise((resolve) => setImmediate(resolve));
    const chunk = JSON.stringify(strings.slice(at, at + STRINGS_PER_CHUNK));
    parts.push(Buffer.from(at === 0 ? chunk.slice(0, -1) : `,${chunk.slice(1, -1)}`));
  }
  parts.push(Buffer.from(strings.length === 0 ? '[]' : ']'));
  return Buffer.concat(parts);
}

function isTypedArray(section: Section): section is TypedArray {
  return ArrayBuffer.isView(section);
}

function align(offset: number): number {
  return Math.ceil(offset / ALIGN) * ALIGN;
}

/**
 * The header of a section file, read without its sections (a file's own description, checked
 * before the file is worth reading whole); undefined for a missing file or one that is not a
 * section file.
 */
export async function readSectionFileHeader(file: string): Promise<unknown> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const prologue = Buffer.alloc(MAGIC.length + 4);
    const { bytesRead } = await handle.read(prologue, 0, prologue.length, 0);
    if (bytesRead < prologue.length || prologue.toString('latin1', 0, MAGIC.length) !== MAGIC)
      return undefined;
    const length = prologue.readUInt32LE(MAGIC.length);
    const contents = Buffer.alloc(length);
    const read = await handle.read(contents, 0, length, prologue.length);
    if (read.bytesRead < length) return undefined;
    return (JSON.parse(contents.toString('utf8')) as { header?: unknown }).header;
  } catch {
    return undefined;
  } finally {
    await handle.close();
  }
}
