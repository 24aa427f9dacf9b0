import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { summary } from './stats.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const READY = 'starting the local console';

/**
 * Milliseconds from spawning `command` until it prints the console's ready line, and the peak RSS
 * of the process by then (MB). `env` adds to the environment (Slack tokens are always unset).
 */
export function timeToConsole(
  command: string,
  args: string[],
  dataDir: string,
  env: Record<string, string> = {},
): Promise<{ ms: number; peakRssMb: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { ...process.env, ...env, PAPERBOT_DATA_DIR: dataDir, SLACK_BOT_TOKEN: '', SLACK_APP_TOKEN: '' },
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    let ready: { ms: number; peakRssMb: number } | undefined;
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk;
      if (!stderr.includes(READY)) return;
      if (ready) return;
      const ms = performance.now() - started;
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const peakRssMb = Math.round(Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
      ready = { ms, peakRssMb };
      child.stdin.end();
    });
    child.on('error', reject);
    // Resolved once the process has exited, so that the next run does not share the machine with it.
    child.on('close', (code) => {
      if (ready) resolve(ready);
      else reject(new Error(`exited ${code} before the console was ready: ${stderr}`));
    });
  });
}

/**
 * Cold start to the console prompt, on the bundled corpus with a warm index snapshot:
 * `node dist/main.js` alone, and `npm start` (which also compiles with tsc first).
 */
export async function benchStartup(runs: number): Promise<Record<string, ReturnType<typeof summary>>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'paperbot-bench-start-'));
  await timeToConsole(process.execPath, ['dist/main.js'], dataDir); // writes the snapshot
  const node: number[] = [];
  const npm: number[] = [];
  for (let i = 0; i < runs; i++) {
    node.push((await timeToConsole(process.execPath, ['dist/main.js'], dataDir)).ms);
    npm.push((await timeToConsole('npm', ['start', '--silent'], dataDir)).ms);
  }
  return { 'node dist/main.js → console': summary(node), 'npm start → console': summary(npm) };
}
