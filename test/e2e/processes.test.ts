import { spawn } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test } from '@jest/globals';
import { unbundledHfDays } from '../support/fakeSources.js';
import { indexedDataDir } from '../support/indexedDataDir.js';
import { BUNDLED_SIZE } from '../support/papers.js';
import { createTestDatabase } from '../support/postgres.js';
import { runMain, runPaperbot } from '../support/programs.js';
import { tempDir } from '../support/tmp.js';

// The compiled programs exactly as `npm start` and `npx paperbot` run them (`npm test` builds dist/
// first), once each for what only a process shows: that it starts, answers and exits with its
// status. The rest runs the same programs in this process (test/support/programs.ts).
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function run(script: string, args: string[], input: string, env: Record<string, string> = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'dist', script), ...args], {
      env: {
        PATH: process.env.PATH ?? '',
        PAPERBOT_DATA_DIR: indexedDataDir('paperbot-proc-'),
        ...env,
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

/** A program as `run` runs it, in this process: on an indexed data folder of its own unless given one. */
function inProcess(
  script: 'main.js' | 'cli.js',
  args: string[],
  input: string,
  env: Record<string, string> = {},
) {
  const settings = { PAPERBOT_DATA_DIR: indexedDataDir('paperbot-proc-'), ...env };
  return script === 'main.js' ? runMain(settings, input) : runPaperbot(args, settings, input);
}

describe('the compiled programs', () => {
  beforeAll(() => {
    if (!existsSync(join(ROOT, 'dist', 'main.js')))
      throw new Error('dist/ is missing: run `npm run build` (npm test does).');
  });

  test('without tokens, the bot says so in one line and answers /paper on stdin', async () => {
    const { code, stdout, stderr } = await run('main.js', [], '/paper reward model ensembles\n');
    expect(code).toBe(0);
    expect(stderr).toContain('No Slack tokens (SLACK_BOT_TOKEN) set: starting the local console.\n');
    expect(stdout.split('\n')[3]).toBe('Reward Model Ensembles Help Mitigate Overoptimization');
  });

  test('a bad setting stops start-up with a message naming it, exit status 1', async () => {
    const { code, stderr } = await run('main.js', [], '', {
      PORT: 'eighty',
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_SIGNING_SECRET: 's',
    });
    expect(code).toBe(1);
    expect(stderr).toContain('  PORT: must be a whole number (got "eighty")');
  });

  test('a corrupt subscriptions file stops start-up, naming it, and is not touched', async () => {
    const file = join(tempDir('paperbot-proc-'), 'subscriptions.json');
    writeFileSync(file, 'not json');
    const { code, stderr } = await inProcess('main.js', [], '/paper x\n', {
      PAPERBOT_SUBSCRIPTIONS_FILE: file,
    });
    expect(code).toBe(1);
    expect(stderr).toContain(`The subscriptions file ${file} is not valid JSON`);
    expect(stderr).toContain(`To start with no subscriptions: mv ${file} ${file}.broken`);
    expect(readFileSync(file, 'utf8')).toBe('not json');
  });

  test('the console subscribes its own channel and keeps it on disk', async () => {
    const dir = indexedDataDir('paperbot-proc-');
    const first = await inProcess('main.js', [], '/paper subscribe reward model tz UTC\n', {
      PAPERBOT_DATA_DIR: dir,
    });
    expect(first.stdout).toMatch(
      /✅ Subscribed this channel to reward model \(id `[a-z0-9]{6}`\): every day at 09:00 \(UTC\)/,
    );
    const second = await inProcess('main.js', [], '/paper subscriptions\n', { PAPERBOT_DATA_DIR: dir });
    expect(second.stdout).toContain("This channel's subscriptions (1)");
  });

  test('with PAPERBOT_DATABASE_URL the subscriptions live in PostgreSQL (migrated at the first start)', async () => {
    const database = await createTestDatabase();
    try {
      const env = { PAPERBOT_DATABASE_URL: database.url };
      // The first start on the new database stores the bundled corpus and indexes it.
      const firstDir = tempDir('paperbot-proc-');
      const first = await inProcess('main.js', [], '/paper subscribe reward model tz UTC\n', {
        ...env,
        PAPERBOT_DATA_DIR: firstDir,
      });
      expect(first.stdout).toMatch(/✅ Subscribed this channel to reward model \(id `[a-z0-9]{6}`\)/);
      // Another process, another data directory: the same database. The folder holds only the
      // index snapshot the first start wrote (no second indexing of the corpus), so what the
      // second start lists can only come from the database.
      const secondDir = tempDir('paperbot-proc-');
      copyFileSync(join(firstDir, 'index.snapshot'), join(secondDir, 'index.snapshot'));
      const second = await inProcess('main.js', [], '/paper subscriptions\n', {
        ...env,
        PAPERBOT_DATA_DIR: secondDir,
      });
      expect(second.stdout).toContain("This channel's subscriptions (1)");
      expect(second.stderr).toContain('index loaded from snapshot');
      const db = await database.open();
      expect((await db.query('SELECT team_id, channel_id, topic FROM subscriptions')).rows).toEqual([
        { team_id: 'console', channel_id: 'console', topic: 'reward model' },
      ]);
      await db.close();
    } finally {
      await database.drop();
    }
  }, 60_000); // a first start on PostgreSQL, indexing the corpus: past 20 s on a loaded machine

  test('a database that cannot be reached stops start-up with what to check, exit status 1', async () => {
    const { code, stderr } = await inProcess('main.js', [], '', {
      PAPERBOT_DATABASE_URL: 'postgres://bot:secret@127.0.0.1:1/paperbot',
    });
    expect(code).toBe(1);
    expect(stderr).toContain('paperbot cannot use the database postgres://bot:***@127.0.0.1:1/paperbot:');
    expect(stderr).not.toContain('secret');
  });

  test('paperbot search --json prints {id, title, score, url, code}, best first', async () => {
    const { code, stdout } = await inProcess(
      'cli.js',
      ['search', '--json', '--limit', '2', 'online iterative RLHF'],
      '',
    );
    expect(code).toBe(0);
    const hits = JSON.parse(stdout);
    expect(hits).toHaveLength(2);
    expect(hits[0]).toEqual({
      id: 'rlhf-workflow-from-reward-modeling-to-online-rlhf',
      title: 'RLHF Workflow: From Reward Modeling to Online RLHF',
      score: expect.any(Number),
      url: 'https://arxiv.org/search/?query=RLHF+Workflow%3A+From+Reward+Modeling+to+Online+RLHF&searchtype=title',
      code: ['https://github.com/RLHFlow/RLHF-Reward-Modeling', 'https://github.com/RLHFlow/Online-RLHF'],
    });
    expect(hits[0].score).toBeGreaterThan(hits[1].score);
  });

  test('paperbot search --stdin answers one JSON array per line in one process', async () => {
    const { code, stdout } = await inProcess(
      'cli.js',
      ['search', '--json', '--stdin', '--limit', '1'],
      'hyperbolic\n\nlion optimizer\n',
    );
    expect(code).toBe(0);
    const lines = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((hits) => hits.map((hit: { title: string }) => hit.title))).toEqual([
      ['Hyp-OC: Hyperbolic One Class Classification for Face Anti-Spoofing'],
      [],
      ['Lion Secretly Solves Constrained Optimization: As Lyapunov Predicts'],
    ]);
  });

  test('paperbot ingest file merges into the data directory, and search finds the new papers', async () => {
    const dir = indexedDataDir('paperbot-proc-');
    const rows = unbundledHfDays(1)[0]?.items ?? [];
    const file = join(dir, 'day.json');
    writeFileSync(file, JSON.stringify(rows));
    const ingested = await inProcess('cli.js', ['ingest', 'file', file], '', { PAPERBOT_DATA_DIR: dir });
    expect(ingested.code).toBe(0);
    expect(ingested.stderr).toMatch(
      new RegExp(
        `^${file}: ${rows.length} papers \\(hf-daily\\) read in \\d+ ms\\nmerging ${rows.length}/${rows.length}: papers \\(${rows.length} new\\)\\n$`,
      ),
    );
    expect(ingested.stdout).toMatch(
      new RegExp(
        `^${rows.length} new, 0 updated, 0 unchanged; ${BUNDLED_SIZE + rows.length} papers in the corpus`,
      ),
    );
    const title = rows[0]?.paper.title.replace(/\s+/g, ' ').trim() ?? '';
    const found = await inProcess('cli.js', ['search', '--json', '--limit', '1', `"${title}"`], '', {
      PAPERBOT_DATA_DIR: dir,
    });
    expect(JSON.parse(found.stdout)[0]).toMatchObject({ id: rows[0]?.paper.id, title });
  });

  test('paperbot ingest with a bad source is a usage error', async () => {
    const { code, stderr } = await inProcess('cli.js', ['ingest', 'hf-daily'], '');
    expect(code).toBe(2);
    expect(stderr).toBe(
      'ingest hf-daily needs --since YYYY-MM-DD (and --until YYYY-MM-DD on or after it, default today).\n',
    );
  });

  test('the paperbot command builds the CLI when it is missing, and says what to do before npm ci', async () => {
    // A fresh clone: sources and bin/, no dist/ (and no node_modules/ at first).
    const clone = tempDir('paperbot-clone-');
    for (const part of ['src', 'bin', 'data', 'package.json', 'tsconfig.json']) {
      cpSync(join(ROOT, part), join(clone, part), { recursive: true });
    }
    const command = (args: string[]) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [join(clone, 'bin', 'paperbot.js'), ...args], {
          env: {
            PATH: process.env.PATH ?? '',
            // Indexed: the test is about building the command, not about a first index.
            PAPERBOT_DATA_DIR: indexedDataDir('paperbot-proc-'),
          },
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      });
    // npm's prepare step (npx runs it when it links the project): nothing to build with yet, and no failure.
    expect(await command(['--build'])).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(existsSync(join(clone, 'dist'))).toBe(false);
    const early = await command(['help']);
    expect(early.code).toBe(1);
    expect(early.stderr).toBe(
      'paperbot is not installed yet: run `npm ci` in its folder first (it builds it too).\n',
    );
    symlinkSync(join(ROOT, 'node_modules'), join(clone, 'node_modules'));
    const built = await command(['search', '--json', '--limit', '1', 'online iterative RLHF']);
    expect(built.code).toBe(0);
    expect(JSON.parse(built.stdout)[0]?.id).toBe('rlhf-workflow-from-reward-modeling-to-online-rlhf');
    expect(existsSync(join(clone, 'dist', 'cli.js'))).toBe(true);
  }, 60_000); // a whole build of the project: 4 s on an idle machine, past 20 s on a loaded one

  test('a bad --limit is a usage error, exit status 2', async () => {
    const { code, stderr } = await run('cli.js', ['search', '--limit', 'many', 'x'], '');
    expect(code).toBe(2);
    expect(stderr).toBe('--limit takes a whole number from 1 to 1000.\n');
  });
});
