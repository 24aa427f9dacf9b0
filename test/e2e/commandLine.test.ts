import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from '@jest/globals';
import { hfDays } from '../support/fakeSources.js';
import { indexedDataDir } from '../support/indexedDataDir.js';
import { runMain, runPaperbot } from '../support/programs.js';

// The `paperbot` command, run in this process as bin/paperbot.js runs it (its exit status included);
// an unexpected failure, the installed command itself. test/e2e/processes.test.ts runs more as processes.
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});
function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'paperbot-cli-'));
  folders.push(dir);
  return dir;
}

/** `npx paperbot <args>`, in the project's folder, on a data folder of its own unless given one. */
function paperbot(args: string[], env: Record<string, string> = {}) {
  return runPaperbot(args, { PAPERBOT_DATA_DIR: env.PAPERBOT_DATA_DIR ?? folder(), ...env });
}

/** The installed command, `npx paperbot <args>`, as a process of its own (`npm test` builds dist/ first). */
function installedPaperbot(args: string[], env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'paperbot.js'), ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end();
  });
}

describe('a command line with manners', () => {
  test.each(['search', 'ingest', 'remove', 'build-seed'])(
    'paperbot %s --help prints its help, exit 0',
    async (name) => {
      const { code, stdout, stderr } = await paperbot([name, '--help']);
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      expect(stdout).toMatch(new RegExp(`^Usage:\\n  paperbot ${name} `));
      expect(stdout).toContain('\nOptions:\n');
      expect(stdout).toMatch(/\n {2}--help +this help\n/);
    },
  );

  test('paperbot --help lists every command', async () => {
    const { code, stdout } = await paperbot(['--help']);
    expect(code).toBe(0);
    for (const name of ['search', 'ingest hf-daily', 'ingest arxiv', 'ingest file', 'remove', 'build-seed'])
      expect(stdout).toContain(`  paperbot ${name} `);
  });

  test.each([
    [['search', '--help', 'x'], 0, /^Usage:/],
    [
      ['search', '--frobnicate', 'x'],
      2,
      /^paperbot search has no option --frobnicate \(paperbot search --help lists its options\)\.\n$/,
    ],
    [
      ['search', '--limit'],
      2,
      /^paperbot search: --limit needs a value \(paperbot search --help lists its options\)\.\n$/,
    ],
    [['ingest', 'file', '/nonexistent.jsonl'], 2, /^There is no file \/nonexistent\.jsonl\.\n$/],
    [['ingest', 'file'], 2, /^ingest file needs a path, e\.g\. paperbot ingest file papers\.jsonl\.gz\.\n$/],
    [
      ['ingest', 'bogus'],
      2,
      /^paperbot ingest takes hf-daily, arxiv or file, not "bogus" \(paperbot ingest --help tells more\)\.\n$/,
    ],
    [['frobnicate'], 2, /^paperbot has no command "frobnicate"; it has search, ingest, remove, build-seed/],
  ] as const)('paperbot %j: exit %d, one sentence, no stack trace', async (args, status, message) => {
    const { code, stdout, stderr } = await paperbot([...args]);
    expect(code).toBe(status);
    expect(status === 0 ? stdout : stderr).toMatch(message);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  // A process: what it prints of an error thrown by Node itself (in jest's sandbox such an error
  // is of another realm's Error class).
  test('an unexpected failure is one sentence; LOG_LEVEL=debug shows the stack', async () => {
    // A data folder that is a file: nothing can be stored in it.
    const notAFolder = join(folder(), 'file');
    writeFileSync(notAFolder, '');
    const file = join(folder(), 'day.json');
    writeFileSync(file, JSON.stringify(hfDays(1)[0]?.items));
    const plain = await installedPaperbot(['ingest', 'file', file], { PAPERBOT_DATA_DIR: notAFolder });
    expect(plain.code).toBe(1);
    expect(plain.stderr.trim().split('\n').at(-1)).not.toMatch(/^\s+at /);
    expect(plain.stderr).not.toMatch(/\n\s+at /);
    const debug = await installedPaperbot(['ingest', 'file', file], {
      PAPERBOT_DATA_DIR: notAFolder,
      LOG_LEVEL: 'debug',
    });
    expect(debug.code).toBe(1);
    expect(debug.stderr).toMatch(/\n\s+at /);
  }, 90_000);
});

/**
 * A README of the kind the issue ingested: prose, headings and table rows (one of them the
 * "liveness probe" row that became a paper), written into a fresh folder.
 */
function readmeLike(): string {
  const file = join(folder(), 'README.md');
  // Long rows, as the README's were: each one read as a title and the next as its abstract.
  const detail =
    'answered on the health port (PAPERBOT_HEALTH_PORT), without Slack signatures, for the orchestrator that runs the bot; see the operating guide for the probes, their timeouts and what each answer means';
  const rows = [
    ['`GET /healthz`', `\`200 ok\`: the process is alive (a liveness probe), ${detail}.`],
    ['`GET /readyz`', `\`200 ready\` once the corpus is loaded and Slack is connected, ${detail}.`],
    ['`GET /metrics`', `Prometheus metrics: requests, answers, searches, digests, queues, ${detail}.`],
    ['`GET /status`', `the corpus, each source's last refresh and the next digests, ${detail}.`],
  ];
  const table = rows.map(([a, b]) => `| ${a} | ${b} |`).join('\n');
  writeFileSync(
    file,
    `# paperbot\n\nResearch papers, where your team already talks.\n\n## Operating it\n\n| path | answer |\n| --- | --- |\n${table}\n\n${table}\n`,
  );
  return file;
}

describe('ingest refuses what is not papers', () => {
  test('npx paperbot ingest file README.md adds nothing, and says why', async () => {
    const dir = indexedDataDir('paperbot-cli-');
    const { code, stdout, stderr } = await paperbot(['ingest', 'file', readmeLike()], {
      PAPERBOT_DATA_DIR: dir,
    });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(
      /^\/.+\/README\.md does not look like papers: (\d+) of the \1 read as hf-page fail the basic checks/,
    );
    expect(stderr).toContain(
      'nothing was added. If it is papers, name its format: --format hf-page|hf-daily|daily-arxiv|paperbot.',
    );
    // The next step: the README's rows are not "papers".
    const found = await paperbot(['search', '--json', '--limit', '5', 'liveness probe'], {
      PAPERBOT_DATA_DIR: dir,
    });
    expect(
      JSON.parse(found.stdout)
        .map((hit: { title: string }) => hit.title)
        .join('\n'),
    ).not.toContain('|');
  }, 90_000);

  test("the project's own README.md, a real paper's card among its tables, adds no table row as a paper", async () => {
    const dir = indexedDataDir('paperbot-cli-');
    const ingested = await paperbot(['ingest', 'file', 'README.md'], { PAPERBOT_DATA_DIR: dir });
    expect([0, 2]).toContain(ingested.code);
    const found = await paperbot(
      ['search', '--json', '--limit', '20', 'docs user guide operating settings'],
      {
        PAPERBOT_DATA_DIR: dir,
      },
    );
    const titles = (JSON.parse(found.stdout) as Array<{ title: string }>).map((hit) => hit.title);
    expect(titles.length).toBeGreaterThan(0);
    for (const title of titles) expect(title).not.toMatch(/^\||\s\|\s/);
  }, 90_000);

  test('JSON of another shape is refused; --format takes a file at its word', async () => {
    const { code, stderr } = await paperbot(['ingest', 'file', 'package.json']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^package\.json is JSON of a shape paperbot does not know/);
    const dir = indexedDataDir('paperbot-cli-');
    const forced = await paperbot(['ingest', 'file', readmeLike(), '--format', 'hf-page'], {
      PAPERBOT_DATA_DIR: dir,
    });
    expect(forced.code).toBe(0);
    expect(forced.stdout).toMatch(/^\d+ new, 0 updated/);

    // The junk "paper", found by `paperbot search "liveness probe"`, and removed.
    const hits = async () =>
      JSON.parse(
        (await paperbot(['search', '--json', '--limit', '5', 'liveness probe'], { PAPERBOT_DATA_DIR: dir }))
          .stdout,
      ) as Array<{ id: string; title: string }>;
    const junk = (await hits()).filter((hit) => hit.title.startsWith('|'));
    expect(junk.length).toBeGreaterThan(0);
    const removed = await paperbot(['remove', ...junk.map((hit) => hit.id), 'arXiv:0000.00000'], {
      PAPERBOT_DATA_DIR: dir,
    });
    expect(removed.stdout).toMatch(new RegExp(`^Removed ${junk.length} papers?: “\\|`));
    expect(removed.stderr).toBe('Not in the corpus: 0000.00000.\n');
    expect(removed.code).toBe(1);
    expect((await hits()).filter((hit) => hit.title.startsWith('|'))).toEqual([]);
  }, 90_000);

  test('ingest file shows its progress and is recorded for /paper status', async () => {
    const dir = indexedDataDir('paperbot-cli-');
    const items = hfDays(3).flatMap((day) => day.items);
    const file = join(dir, 'days.json');
    writeFileSync(file, JSON.stringify(items));
    const { code, stderr } = await paperbot(['ingest', 'file', file], { PAPERBOT_DATA_DIR: dir });
    expect(code).toBe(0);
    const steps = stderr.split('\n').filter((line) => line.startsWith('merging '));
    expect(steps.at(-1)).toMatch(new RegExp(`^merging ${items.length}/${items.length}: papers`));
    expect(steps.length).toBe(Math.ceil(items.length / 1000));
    expect(JSON.parse(readFileSync(join(dir, 'last-ingest.json'), 'utf8'))).toMatchObject({
      what: `file ${file}`,
      new: expect.any(Number),
    });

    // The console after it: refreshed, and its status tells the ingest and the newest publication.
    const console = await runMain({ PAPERBOT_DATA_DIR: dir }, '/paper status\n');
    expect(console.code).toBe(0);
    expect(console.stderr).not.toContain('never refreshed');
    expect(console.stdout).toContain(`Last ingest (\`paperbot ingest file ${file}\`): `);
    expect(console.stdout).toContain('Sources: no refresh is scheduled here');
    const newestDay = items
      .map((item) => (item.paper as { publishedAt?: string }).publishedAt?.slice(0, 10) ?? '')
      .sort()
      .at(-1);
    expect(console.stdout).toMatch(new RegExp(`newest: “[^”]+” \\(published ${newestDay}, arrived `));
  }, 90_000);
});
