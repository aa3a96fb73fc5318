import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** Wall time and peak resident memory of one whole process. */
export interface Run {
  seconds: number;
  maxRssMb: number;
}

/**
 * Runs a Node script as its own process and measures it end to end. Peak RSS comes from the child's
 * own `process.resourceUsage()` at exit, printed by a preload module, so no external tool is needed.
 */
export function runNode(script: string, args: string[], options: { stdoutTo?: 'ignore'; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  return runProcess(process.execPath, ['--import', join(import.meta.dirname, 'report-rss.js'), script, ...args], options);
}

/** Runs a program and measures it end to end; it prints its peak RSS on stderr as `FLOWMINE_MAX_RSS_KB=…` when it exits. */
export function runProcess(command: string, args: string[], options: { stdoutTo?: 'ignore'; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, {
      stdio: ['ignore', options.stdoutTo === 'ignore' ? 'ignore' : 'inherit', 'pipe'],
      ...(options.env && { env: options.env }),
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = (performance.now() - started) / 1000;
      const rss = /FLOWMINE_MAX_RSS_KB=(\d+)/.exec(stderr);
      if (code !== 0 || !rss) return reject(new Error(`${[command, ...args].join(' ')} exited ${code}: ${stderr.trim()}`));
      resolve({ seconds, maxRssMb: Number(rss[1]) / 1024 });
    });
  });
}

/** The median of several runs of one job, with the wall times of its fastest and slowest. */
export interface RepeatedRun extends Run {
  fastest: number;
  slowest: number;
}

/** Runs `times` times and keeps the median run by wall time, and the spread of the times. */
export async function median(times: number, run: () => Promise<Run>): Promise<RepeatedRun> {
  const [result] = await medians(times, [run]);
  return result!;
}

/**
 * `median` of several jobs whose times are compared (flowmine and its peer, replay and features), their
 * runs taken in turn — A B C A B C … — so that a slow spell of the machine falls on all of them alike.
 */
export async function medians(times: number, jobs: (() => Promise<Run>)[]): Promise<RepeatedRun[]> {
  const runs: Run[][] = jobs.map(() => []);
  for (let i = 0; i < times; i++) for (let j = 0; j < jobs.length; j++) runs[j]!.push(await jobs[j]!());
  return runs.map((list) => {
    list.sort((a, b) => a.seconds - b.seconds);
    return { ...list[Math.floor(list.length / 2)]!, fastest: list[0]!.seconds, slowest: list[list.length - 1]!.seconds };
  });
}

/** A median's seconds with the range of its runs, e.g. `1.31 (1.21–1.52)`. */
export function secondsCell(run: RepeatedRun, digits = 2): string {
  return `${run.seconds.toFixed(digits)} (${run.fastest.toFixed(digits)}–${run.slowest.toFixed(digits)})`;
}
