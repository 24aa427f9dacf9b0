import { Readable, Writable } from 'node:stream';
import { runCommandLine } from '../../src/cli.js';
import { run } from '../../src/main.js';

/** What a program run in the test's process printed, and its exit status. */
export interface ProgramRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** A stream that keeps what is written to it. */
function collector(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

/**
 * `node dist/main.js` run in this process (the same composition root, on these settings only, not
 * the test's environment), `input` piped to its console: its exit status and output once the
 * console reached the end of its input, or start-up failed.
 */
export async function runMain(env: Record<string, string>, input = ''): Promise<ProgramRun> {
  const stdout = collector();
  const stderr = collector();
  const code = await run({
    env,
    stdin: Readable.from(input ? [input] : []),
    stdout: stdout.stream,
    stderr: stderr.stream,
  });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/** `npx paperbot <args>` run in this process, on these settings only: its exit status and output. */
export async function runPaperbot(
  args: string[],
  env: Record<string, string>,
  input = '',
): Promise<ProgramRun> {
  const stdout = collector();
  const stderr = collector();
  const code = await runCommandLine(args, {
    env,
    stdin: Readable.from(input ? [input] : []),
    stdout: stdout.stream,
    stderr: stderr.stream,
  });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}
