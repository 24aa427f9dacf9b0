import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { summary } from './stats.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const READY = 'starting the local console';

/** Clock ticks a second of /proc's CPU times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/**
 * CPU time (user and system, every thread) a running process has used so far, in ms, from /proc:
 * unlike wall time, it hardly moves when other processes share the machine.
 */
export function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

/**
 * Milliseconds from spawning `command` until it prints the console's ready line, the CPU time it
 * used by then (ms, see {@link cpuMsOf}) and its peak RSS by then (MB). `env` adds to the
 * environment (Slack tokens are always unset).
 */
export function timeToConsole(
  command: string,
  args: string[],
  dataDir: string,
  env: Record<string, string> = {},
): Promise<{ ms: number; cpuMs: number; peakRssMb: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { ...process.env, ...env, PAPERBOT_DATA_DIR: dataDir, SLACK_BOT_TOKEN: '', SLACK_APP_TOKEN: '' },
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    let ready: { ms: number; cpuMs: number; peakRssMb: number } | undefined;
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk;
      if (!stderr.includes(READY)) return;
      if (ready) return;
      const ms = performance.now() - started;
      const cpuMs = cpuMsOf(child.pid as number);
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const peakRssMb = Math.round(Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
      ready = { ms, cpuMs, peakRssMb };
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

/** Preloaded into a timed process: it writes the CPU time it used (every thread) as it exits. */
const REPORT_CPU = `data:text/javascript,process.on('exit',()=>process.stderr.write('\\ncpu-us '+(({user,system})=>user+system)(process.cpuUsage())+'\\n'))`;

/**
 * Runs `node <args>` to its end: wall milliseconds and the CPU time it used (ms, every thread).
 * Rejects when it fails.
 */
export function timeNodeRun(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ ms: number; cpuMs: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [`--import=${REPORT_CPU}`, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env, SLACK_BOT_TOKEN: '', SLACK_APP_TOKEN: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - started;
      const cpuUs = /cpu-us (\d+)/.exec(stderr)?.[1];
      if (code !== 0 || !cpuUs) reject(new Error(`node ${args.join(' ')} exited ${code}: ${stderr}`));
      else resolve({ ms, cpuMs: Number(cpuUs) / 1000, stdout });
    });
  });
}

/**
 * Cold start to the console prompt, on the bundled corpus with a warm index snapshot:
 * `node dist/main.js` alone (wall time, and the CPU time it took, which a loaded machine hardly
 * changes), and `npm start` (which also compiles with tsc first).
 */
export async function benchStartup(runs: number): Promise<Record<string, ReturnType<typeof summary>>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'paperbot-bench-start-'));
  const node: number[] = [];
  const nodeCpu: number[] = [];
  const npm: number[] = [];
  try {
    await timeToConsole(process.execPath, ['dist/main.js'], dataDir); // writes the snapshot
    for (let i = 0; i < runs; i++) {
      const start = await timeToConsole(process.execPath, ['dist/main.js'], dataDir);
      node.push(start.ms);
      nodeCpu.push(start.cpuMs);
      npm.push((await timeToConsole('npm', ['start', '--silent'], dataDir)).ms);
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  return {
    'node dist/main.js → console': summary(node),
    'node dist/main.js → console, CPU time': summary(nodeCpu),
    'npm start → console': summary(npm),
  };
}
